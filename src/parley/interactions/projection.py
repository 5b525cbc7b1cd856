"""From a TMF683 v5 document to the columns beside it, and the server's part of the document.

The service validates the rules; this module only reads and fills documents.
"""

from datetime import datetime

from parley.db.base import iso, new_id

CUSTOMER_TYPES = ("Customer",)
PARTY_TYPES = ("Individual", "Organization")
DESCRIPTION_COLUMN_LENGTH = 500


def channel_of(document: dict) -> str | None:
    """The first channel's name (or id): what the timeline shows and filters on."""
    for related in document.get("relatedChannel") or []:
        channel = related.get("channel") or {}
        name = channel.get("name") or channel.get("id")
        if name:
            return str(name)[:100]
    return None


def period(document: dict) -> tuple[datetime | None, datetime | None]:
    """Start and end of ``interactionDate`` (ValueError if one is not a date-time)."""
    dates = document.get("interactionDate") or {}
    start, end = dates.get("startDateTime"), dates.get("endDateTime")
    return (_moment(start) if start else None, _moment(end) if end else None)


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def referred_type(reference: dict) -> str | None:
    return reference.get("@referredType") or reference.get("@type")


def party_targets(document: dict) -> list[tuple[int, str, str, str, dict]]:
    """(index, role, referred type, id, the reference itself) of each relatedParty entry."""
    found = []
    for index, related in enumerate(document.get("relatedParty") or []):
        target = related.get("partyOrPartyRole") or {}
        kind = referred_type(target)
        if target.get("@type") == "PartyRoleRef" and not target.get("@referredType"):
            kind = "Customer" if (related.get("role") or "").lower() == "customer" else kind
        found.append((index, related.get("role") or "", kind or "", target.get("id") or "", target))
    return found


def entity_references(document: dict) -> list[tuple[str, str, str | None]]:
    """(type, id, role) of the entities the interaction's items refer to."""
    found = []
    for item in document.get("interactionItem") or []:
        related = item.get("item") or {}
        entity = related.get("entity") or {}
        kind, entity_id = referred_type(entity), entity.get("id")
        if kind and entity_id:
            # The columns are an index for look-ups; the document keeps the values whole.
            role = related.get("role")
            found.append((str(kind)[:100], str(entity_id)[:200], role[:100] if role else None))
    return found


def fill_server_parts(document: dict, author: str, now: datetime) -> None:
    """Ids, dates and authors the client leaves to the server, on notes and items."""
    for note in document.get("note") or []:
        note.setdefault("id", new_id())
        note.setdefault("date", iso(now))
        note.setdefault("author", author)
    for item in document.get("interactionItem") or []:
        item.setdefault("id", new_id())
        item.setdefault("creationDate", iso(now))
        item.setdefault("lastUpdate", iso(now))
    for attachment in document.get("attachment") or []:
        attachment.setdefault("id", new_id())


def short_description(document: dict) -> str | None:
    text = document.get("description")
    return text[:DESCRIPTION_COLUMN_LENGTH] if text else None


def present(row) -> dict:
    """The stored document with the dates the server keeps in columns."""
    body = dict(row.document)
    body["creationDate"] = iso(row.created_at)
    body["lastUpdate"] = iso(row.updated_at)
    body["statusChangeDate"] = iso(row.status_changed_at)
    return body
