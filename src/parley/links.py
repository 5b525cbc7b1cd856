"""Links to Parley's own resources, made when a document is served, never stored.

Stored documents name what they refer to by ``id`` with its ``@referredType`` (or a typed
reference such as ``TroubleTicketSpecificationRef``); a reference to another system keeps the
``href`` its client sent. When a document is served (a TMF or Parley API answer, a hub event,
a message to another system), ``Links.fill`` adds the ``href`` of every reference to a Parley
resource that has none, from ``PARLEY_BASE_URL`` and the API prefixes of the moment; when one
is received, ``Links.strip`` removes the hrefs that are Parley's own, so services see ids and
foreign hrefs only. Changing the base URL or a prefix therefore leaves nothing stale behind.

Used by the API edges and below them (the event fan-out, the outbox channels), so it imports
nothing but the settings.
"""

import re
from typing import Any

from parley.settings import Settings

# Referred type -> (the settings attribute of the API prefix serving it, its collection).
COLLECTIONS: dict[str, tuple[str, str]] = {
    "Individual": ("party_api_prefix", "individual"),
    "Organization": ("party_api_prefix", "organization"),
    "Customer": ("customer_api_prefix", "customer"),
    "PartyInteraction": ("interaction_api_prefix", "partyInteraction"),
    "TroubleTicket": ("trouble_ticket_api_prefix", "troubleTicket"),
    "TroubleTicketSpecification": ("trouble_ticket_api_prefix", "troubleTicketSpecification"),
    "BillingAccount": ("account_api_prefix", "billingAccount"),
    "SalesLead": ("sales_api_prefix", "salesLead"),
    "CommunicationMessage": ("communication_api_prefix", "communicationMessage"),
    "UserRole": ("roles_api_prefix", "userRole"),
    "Approval": ("parley_api_prefix", "approvals"),
    "Task": ("parley_api_prefix", "tasks"),
    "Workflow": ("parley_api_prefix", "workflows"),
    "TaskQueue": ("parley_api_prefix", "task-queues"),
    "Attachment": ("parley_api_prefix", "attachments"),
    "BulkImport": ("parley_api_prefix", "imports"),
}
# A reference to a file Parley keeps also gets its ``url``: where its content is downloaded.
CONTENT_URLS = {"Attachment": "content"}
# Parley's parties, customers and files have UUID ids: a reference to one by another id names
# another system's (an external reference, parties/external.py) and is served as sent.
UUID_KEYED = frozenset({"Individual", "Organization", "Customer", "Attachment"})
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# What references name but Parley serves no resource for (a lead's owner is a user, a v4
# interaction's channel a channel): their href is a URN, ``urn:parley:<kind>:<id>``, stable
# wherever Parley runs and recognised as Parley's own when it comes back.
URN_KINDS = {"User": "user", "Channel": "channel"}


def urn(kind: str, ref_id: str) -> str:
    return f"urn:parley:{URN_KINDS[kind]}:{ref_id}"


# References that say what they refer to by their own @type rather than @referredType.
REFERENCE_TYPES = {
    "BillingAccountRef": "BillingAccount",
    "TroubleTicketSpecificationRef": "TroubleTicketSpecification",
}

# Where a kind is served besides, in another TMF version's shapes (the v4 APIs over the same
# resources): an href there is Parley's own too, recognised when it comes back. Answers link
# to the collections of COLLECTIONS.
ALSO_SERVED: dict[str, tuple[str, str]] = {
    "Individual": ("party_v4_api_prefix", "individual"),
    "Organization": ("party_v4_api_prefix", "organization"),
    "Customer": ("customer_v4_api_prefix", "customer"),
    "PartyInteraction": ("interaction_v4_api_prefix", "partyInteraction"),
}


def referred_type(ref: dict) -> str | None:
    """What a reference refers to, if it says so."""
    kind = ref.get("@referredType")
    if isinstance(kind, str):
        return kind
    return REFERENCE_TYPES.get(ref.get("@type"))  # type: ignore[arg-type]


class Links:
    def __init__(self, settings: Settings, base_url: str | None = None):
        """``base_url``: another than PARLEY_BASE_URL (an answer's that follows its request)."""
        base = (base_url or settings.base_url).rstrip("/")
        self.collections = {
            kind: f"{base}{getattr(settings, prefix)}/{name}"
            for kind, (prefix, name) in COLLECTIONS.items()
        }
        self.also = {
            kind: f"{base}{getattr(settings, prefix)}/{name}"
            for kind, (prefix, name) in ALSO_SERVED.items()
        }
        self.parley_api = settings.parley_api_prefix  # the path of Parley's own operations

    @classmethod
    def from_settings(cls, settings: Settings) -> "Links":
        """As ``Links(settings)``: what ``uow.options(Links)`` makes, once per unit of work,
        for code below the edges that fills hrefs (the outbox's outbound payloads)."""
        return cls(settings)

    def collection(self, kind: str) -> str:
        """The URL of the collection serving resources of ``kind`` (a referred type)."""
        return self.collections[kind]

    def href(self, kind: str, resource_id: str) -> str:
        return f"{self.collections[kind]}/{resource_id}"

    def own(self, ref: dict) -> bool:
        """Whether the reference's href is the one Parley serves its resource at (for its
        referred type, or, when it names none, for any of Parley's collections)."""
        href, ref_id = ref.get("href"), ref.get("id")
        if not isinstance(href, str) or not isinstance(ref_id, str) or not ref_id:
            return False
        kind = referred_type(ref)
        if kind in URN_KINDS:
            return href == urn(kind, ref_id)
        if kind in self.collections:
            also = self.also.get(kind)
            return href == self.href(kind, ref_id) or (
                also is not None and href == f"{also}/{ref_id}"
            )
        if not href.endswith("/" + ref_id):
            return False
        collection = href[: -len(ref_id) - 1]
        return collection in self.collections.values() or collection in self.also.values()

    def fill(self, document: Any) -> Any:
        """A copy of ``document`` with the href of every reference to a Parley resource that
        has none (inserted after its id); the document itself is left as it is."""
        if isinstance(document, dict):
            return self._filled(document)
        if isinstance(document, list):
            return self._filled_list(document)
        return document

    # Every list answer fills each of its documents: the walk copies only the containers and
    # looks at a dict's keys only where it has a string id (a reference), which most don't.
    def _filled_list(self, items: list) -> list:
        return [
            self._filled(item)
            if isinstance(item, dict)
            else self._filled_list(item)
            if isinstance(item, list)
            else item
            for item in items
        ]

    def _filled(self, document: dict) -> dict:
        filled = dict(document)
        for key, value in document.items():
            if isinstance(value, dict):
                filled[key] = self._filled(value)
            elif isinstance(value, list):
                filled[key] = self._filled_list(value)
        ref_id = filled.get("id")
        if "href" in filled or not isinstance(ref_id, str):
            return filled
        kind = referred_type(filled)
        if kind in URN_KINDS:
            return _with_href(filled, urn(kind, ref_id))
        if kind not in self.collections:
            return filled
        if kind in UUID_KEYED and not _UUID.fullmatch(ref_id):
            return filled
        href = self.href(kind, ref_id)
        if kind in CONTENT_URLS and "url" not in filled:
            filled["url"] = f"{href}/{CONTENT_URLS[kind]}"
        return _with_href(filled, href)

    def served(self, kind: str, document: dict, refs: dict[str, str] | None = None) -> dict:
        """A resource of ``kind`` as served: ``fill``ed, with its own href after its id, and
        the href of each untyped reference ``refs`` names (key -> referred type)."""
        body = self.fill(document)
        for key, referred in (refs or {}).items():
            ref = body.get(key)
            if isinstance(ref, dict) and isinstance(ref.get("id"), str) and "href" not in ref:
                body[key] = _with_href(ref, self.href(referred, ref["id"]))
        if "href" in body or not isinstance(body.get("id"), str):
            return body
        return _with_href(body, self.href(kind, body["id"]))

    def strip(self, document: Any) -> Any:
        """Remove, in place, the hrefs of references that are Parley's own; returns it."""
        if isinstance(document, list):
            for item in document:
                self.strip(item)
        elif isinstance(document, dict):
            for value in document.values():
                self.strip(value)
            if "href" in document and self.own(document):
                kind = referred_type(document)
                content = f"{document['href']}/{CONTENT_URLS.get(kind, '')}"
                if kind in CONTENT_URLS and document.get("url") == content:
                    del document["url"]
                del document["href"]
        return document


def _with_href(ref: dict, href: str) -> dict:
    """The reference with ``href`` after its id, where TMF documents show it."""
    linked = {}
    for key, value in ref.items():
        linked[key] = value
        if key == "id":
            linked["href"] = href
    return linked
