"""TMF632 v4 <-> v5 shapes of an individual and an organisation. The store holds v5; v4 is a
view of it.

The differences: related parties are flat references; contact media and characteristics have
v4's shapes (kit/v4_shapes.py); an ``externalReference`` is v4's ``{name,
externalReferenceType}`` for v5's ``{id, externalIdentifierType, owner}`` (v4 has no owner);
an individual's full name is ``fullName`` in v4 and ``name`` in v5, and v4 spells the status
``deceaded``; v4 requires an organisation's ``tradingName`` and v5 its ``name``: each is the
other where only one is given. An attachment v4 types as ``AttachmentRefOrValue`` is v5's
``AttachmentRef`` (a reference: an id and no content) or ``Attachment``.
"""

from functools import cache

from parley.api.tmf.kit.spec import Spec, load_spec
from parley.api.tmf.kit.v4_mapping import Attribute, DocumentMapping
from parley.api.tmf.kit.v4_shapes import (
    characteristic_v4,
    characteristic_v5,
    contact_medium_v4,
    contact_medium_v5,
    each,
    related_party_v4,
    related_party_v5,
)
from parley.errors import InvalidInput

SPEC_FILE = "TMF632-Party-v4.0.0.swagger.json"
V5_SPEC_FILE = "TMF632-PartyManagement-v5.0.0.oas.yaml"
_META = ("@baseType", "@schemaLocation")
# Where attachments are (identifications and tax exemptions): typed for v5 on the way in.
_WITH_ATTACHMENTS = ("individualIdentification", "organizationIdentification")


def external_reference_v5(ref: dict, where: str) -> dict:
    if not isinstance(ref.get("name"), str) or not ref["name"].strip():
        raise InvalidInput(
            f"{where}.name: is required (the party's identifier in the other system)",
            f"{where}.name",
        )
    converted = {"@type": "ExternalIdentifier", "id": ref["name"]}
    if "externalReferenceType" in ref:
        converted["externalIdentifierType"] = ref["externalReferenceType"]
    converted.update({key: ref[key] for key in _META if key in ref})
    return converted


def external_reference_v4(ref: dict, where: str = "") -> dict:
    shown = {"@type": "ExternalReference"}
    if "id" in ref:
        shown["name"] = ref["id"]
    if "externalIdentifierType" in ref:
        shown["externalReferenceType"] = ref["externalIdentifierType"]
    shown.update({key: ref[key] for key in _META if key in ref})
    return shown


COMMON = (
    Attribute("relatedParty", to_v4=each(related_party_v4), to_v5=each(related_party_v5)),
    Attribute("contactMedium", to_v4=each(contact_medium_v4), to_v5=each(contact_medium_v5)),
    Attribute("partyCharacteristic", to_v4=each(characteristic_v4), to_v5=each(characteristic_v5)),
    Attribute(
        "externalReference",
        to_v4=each(external_reference_v4),
        to_v5=each(external_reference_v5),
    ),
)
INDIVIDUAL = (
    *COMMON,
    Attribute("fullName", "name"),
    Attribute("status", values={"deceased": "deceaded"}),
)


def v4_spec() -> Spec:
    return load_spec(SPEC_FILE)


@cache
def party_mapping(kind: str) -> DocumentMapping:
    v4, v5 = v4_spec(), load_spec(V5_SPEC_FILE)
    if kind == "Individual":
        return DocumentMapping(kind, v4, v5, INDIVIDUAL, completed_v5=_attachments_typed)
    return DocumentMapping(
        kind,
        v4,
        v5,
        COMMON,
        completed_v4=_trading_name_shown,
        completed_v5=_organization_named,
    )


def _trading_name_shown(shown: dict) -> None:
    if "tradingName" not in shown and "name" in shown:
        shown["tradingName"] = shown["name"]


def _organization_named(document: dict) -> None:
    if "name" not in document and "tradingName" in document:
        document["name"] = document["tradingName"]
    _attachments_typed(document)


def _attachments_typed(document: dict) -> None:
    places = [document.get(key) or [] for key in _WITH_ATTACHMENTS]
    places.append(document.get("taxExemptionCertificate") or [])
    for items in places:
        for item in items:
            attachment = item.get("attachment") if isinstance(item, dict) else None
            if isinstance(attachment, dict) and attachment.get("@type") in (
                None,
                "AttachmentRefOrValue",
            ):
                reference = "id" in attachment and not attachment.keys() & {"content", "url"}
                attachment["@type"] = "AttachmentRef" if reference else "Attachment"
