"""Reading and filling a TMF699 v4 sales lead document: the prospect, contact person and owner
among ``relatedParty``, the source channel, the prospect's contact media, notes, interest."""

from datetime import datetime

from parley.errors import Conflict, InvalidInput
from parley.leads.models import SalesLead
from parley.parties.models import Party
from parley.parties.normalize import email_normalized, phone_e164

PROSPECT, CONTACT, OWNER = "prospect", "contact", "owner"
SERVER_FIELDS = ("id", "href", "creationDate", "statusChangeDate")
ADDRESS_FIELDS = ("street1", "postCode", "city", "country")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def present(row: SalesLead) -> dict:
    body = dict(row.document)
    body["creationDate"] = _iso(row.created_at)
    body["statusChangeDate"] = _iso(row.status_changed_at)
    return body


def required_name(document: dict) -> str:
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("name: is required and must not be blank", "name")
    if len(name.strip()) > SalesLead.name.type.length:
        raise InvalidInput(f"name: at most {SalesLead.name.type.length} characters", "name")
    document["name"] = name.strip()
    return document["name"]


def _with_role(document: dict, role: str) -> list[tuple[int, dict]]:
    return [
        (i, r)
        for i, r in enumerate(document.get("relatedParty") or [])
        if (r.get("role") or "").strip().lower() == role
    ]


def prospect_ref(document: dict) -> tuple[int, str]:
    found = _with_role(document, PROSPECT)
    if len(found) != 1 or found[0][1].get("@referredType") not in ("Individual", "Organization"):
        raise InvalidInput(
            "relatedParty: name exactly one prospect (role 'prospect', @referredType "
            "Individual or Organization, and its id)",
            "relatedParty",
        )
    return found[0][0], found[0][1]["id"]


def contact_ref(document: dict) -> tuple[int, str] | None:
    found = _with_role(document, CONTACT)
    if len(found) > 1:
        raise InvalidInput("relatedParty: at most one contact person", "relatedParty")
    if found and found[0][1].get("@referredType") != "Individual":
        raise InvalidInput(
            f"relatedParty[{found[0][0]}].@referredType: the contact is an Individual",
            "relatedParty",
        )
    return (found[0][0], found[0][1]["id"]) if found else None


def owner_ref(document: dict) -> tuple[int | None, str | None]:
    found = _with_role(document, OWNER)
    if len(found) > 1:
        raise InvalidInput("relatedParty: at most one owner", "relatedParty")
    return (found[0][0], found[0][1]["id"]) if found else (None, None)


def owner_entry(user) -> dict:
    return {"id": user.id, "name": user.username, "role": OWNER, "@referredType": "User"}


def fill_party_ref(ref: dict, party: Party) -> None:
    ref.pop("href", None)  # ours: made when served (parley.links)
    ref["@referredType"] = party.kind
    ref.setdefault("name", party.display_name)


def source_channel(document: dict) -> str:
    channel = document.get("channel") or {}
    value = (channel.get("name") or channel.get("id") or "").strip()
    if not value:
        raise InvalidInput(
            "channel: say where the lead came from (a ChannelRef such as web, shop, phone, event)",
            "channel",
        )
    return value[: SalesLead.source_channel.type.length]


def choice(document: dict, name: str, allowed: tuple[str, ...]) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if value.strip().lower() not in allowed:
        raise InvalidInput(f"{name}: one of {', '.join(allowed)}", name)
    document[name] = value.strip().lower()
    return document[name]


def normalize_prospect_contact(document: dict, region: str) -> None:
    """Canonical phone numbers (E.164) and emails in ``prospectContact``."""
    for index, medium in enumerate(document.get("prospectContact") or []):
        characteristic = medium.get("characteristic") or {}
        where = f"prospectContact[{index}].characteristic"
        if characteristic.get("phoneNumber"):
            characteristic["phoneNumber"] = phone_e164(
                characteristic["phoneNumber"], region, f"{where}.phoneNumber"
            )
        if characteristic.get("emailAddress"):
            characteristic["emailAddress"] = email_normalized(
                characteristic["emailAddress"], f"{where}.emailAddress"
            )


def prospect_contact_keys(document: dict) -> tuple[list[str], list[str]]:
    characteristics = [m.get("characteristic") or {} for m in document.get("prospectContact") or []]
    phones = [c["phoneNumber"] for c in characteristics if c.get("phoneNumber")]
    emails = [c["emailAddress"] for c in characteristics if c.get("emailAddress")]
    return phones, emails


def fill_notes(document: dict, author: str, now: datetime) -> None:
    for index, note in enumerate(document.get("note") or []):
        if not (note.get("text") or "").strip():
            raise InvalidInput(f"note[{index}].text: must not be blank", f"note[{index}].text")
        note.setdefault("id", f"{index + 1}")
        note.setdefault("author", author)
        note.setdefault("date", _iso(now))


def only_appended_notes(before: dict, after: dict) -> None:
    old, new = before.get("note") or [], after.get("note") or []
    if new[: len(old)] != old:
        raise Conflict("note: notes are history; add new ones at the end, never rewrite")


def has_address(document: dict, party_document: dict) -> bool:
    for medium in party_document.get("contactMedium") or []:
        if medium.get("@type") == "GeographicAddressContactMedium" and _complete(medium):
            return True
    return any(
        _complete(m.get("characteristic") or {}) for m in document.get("prospectContact") or []
    )


def address_of(document: dict, party_document: dict) -> dict | None:
    """The prospect's postal address as a TMF v5 GeographicAddressContactMedium."""
    for medium in party_document.get("contactMedium") or []:
        if medium.get("@type") == "GeographicAddressContactMedium" and _complete(medium):
            return dict(medium)
    for medium in document.get("prospectContact") or []:
        characteristic = medium.get("characteristic") or {}
        if _complete(characteristic):
            return {
                "@type": "GeographicAddressContactMedium",
                **{f: characteristic[f] for f in ADDRESS_FIELDS},
            }
    return None


def has_interest(document: dict) -> bool:
    return bool(
        document.get("productOffering")
        or document.get("productSpecification")
        or document.get("product")
        or (document.get("description") or "").strip()
    )


def _complete(medium: dict) -> bool:
    return all(isinstance(medium.get(f), str) and medium[f].strip() for f in ADDRESS_FIELDS)
