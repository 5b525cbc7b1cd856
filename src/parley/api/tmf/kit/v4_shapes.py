"""The shapes TMF v4 and v5 give the same things differently, both ways (docs/api.md, "TMF v4
APIs"): related parties, a party reference, characteristics and contact media.

Each converter takes the value and where it is in the document (for the errors it raises) and
returns the value in the other version's shape; ``each`` applies one to every item of a list.
"""

from collections.abc import Callable
from typing import Any

from parley.errors import InvalidInput

# A value and where it is (``contactMedium[2]``) -> the other version's value.
Convert = Callable[[Any, str], Any]
REF_KEYS = ("id", "href", "name", "@referredType")


def each(convert: Convert) -> Convert:
    """The converter of a list whose items ``convert`` converts."""

    def converted(items: Any, where: str) -> Any:
        if not isinstance(items, list):
            return items
        return [convert(item, f"{where}[{index}]") for index, item in enumerate(items)]

    return converted


def pick(source: dict, keys=REF_KEYS) -> dict:
    return {key: source[key] for key in keys if key in source}


# -- references to parties -------------------------------------------------------------------

# What a v4 reference refers to where the v5 one does not say: v4 requires @referredType.
_REFERRED_BY_REF_TYPE = {"PartyRef": "Party", "PartyRoleRef": "PartyRole"}


def related_party_v5(party: dict, where: str = "") -> dict:
    """v4's flat ``RelatedParty`` -> v5's ``RelatedPartyOrPartyRole``: a customer is a party
    role, anything else a party."""
    ref_type = "PartyRoleRef" if party.get("@referredType") == "Customer" else "PartyRef"
    related: dict = {
        "@type": "RelatedPartyOrPartyRole",
        "partyOrPartyRole": {"@type": ref_type, **pick(party)},
    }
    if "role" in party:
        related["role"] = party["role"]
    return related


def related_party_v4(related: dict, where: str = "") -> dict:
    """v5's ``RelatedPartyOrPartyRole`` -> v4's flat ``RelatedParty``, with an
    ``@referredType`` always (the embedded party's type, or Party / PartyRole)."""
    target = related.get("partyOrPartyRole") or {}
    party = {"@type": "RelatedParty", **pick(target)}
    if "@referredType" not in party:
        declared = target.get("@type")
        party["@referredType"] = _REFERRED_BY_REF_TYPE.get(declared, declared or "Party")
    if "role" in related:
        party["role"] = related["role"]
    return party


def party_ref_v5(ref: dict, where: str = "") -> dict:
    """v4's ``RelatedParty`` as a party reference (a customer's engaged party) -> v5's
    ``PartyRef`` (which has no ``role``)."""
    return {"@type": "PartyRef", **pick(ref)}


def party_ref_v4(ref: dict, where: str = "") -> dict:
    """v5's ``PartyRef`` -> v4's ``RelatedParty`` (with its required ``@referredType``)."""
    party = {"@type": "RelatedParty", **pick(ref)}
    party.setdefault("@referredType", "Party")
    return party


# -- characteristics ---------------------------------------------------------------------------

# v5's characteristic subtypes and the valueType each stands for: v4 has one Characteristic
# with a value of any kind, v5 a subtype per kind of value.
CHARACTERISTIC_TYPES = {
    "StringCharacteristic": "string",
    "IntegerCharacteristic": "integer",
    "NumberCharacteristic": "number",
    "FloatCharacteristic": "float",
    "BooleanCharacteristic": "boolean",
    "ObjectCharacteristic": "object",
    "StringArrayCharacteristic": "array",
    "IntegerArrayCharacteristic": "array",
    "NumberArrayCharacteristic": "array",
    "BooleanArrayCharacteristic": "array",
    "ObjectArrayCharacteristic": "array",
}
_META = ("@baseType", "@schemaLocation")


def characteristic_v5(characteristic: dict, where: str) -> dict:
    """v4's ``Characteristic {name, valueType, value}`` -> the v5 subtype its value is of (the
    one it names, if it names one of v5's); ``valueType`` is kept as sent."""
    declared = characteristic.get("@type")
    if declared in CHARACTERISTIC_TYPES:
        kind = declared
    elif isinstance(declared, str) and declared != "Characteristic" and _META[1] in characteristic:
        kind = declared  # a client's own subclass, described at its @schemaLocation
    else:
        kind = _kind_of(characteristic.get("value"), f"{where}.value")
    keys = ("name", "valueType", "value", *_META)
    return {"@type": kind, **pick(characteristic, keys)}


def characteristic_v4(characteristic: dict, where: str = "") -> dict:
    """A v5 characteristic -> v4's ``Characteristic``, its ``valueType`` said where v5 left it
    to the subtype."""
    declared = characteristic.get("@type")
    own = declared not in CHARACTERISTIC_TYPES and declared not in (None, "Characteristic")
    shown = {"@type": declared if own else "Characteristic"}
    shown.update(pick(characteristic, ("name", "valueType", "value", *_META)))
    if "valueType" not in shown and declared in CHARACTERISTIC_TYPES:
        shown["valueType"] = CHARACTERISTIC_TYPES[declared]
    return shown


def _kind_of(value: Any, where: str) -> str:
    if isinstance(value, list):
        kinds = {_scalar_kind(item) for item in value}
        if len(kinds) > 1 and kinds <= {"Integer", "Number"}:
            kinds = {"Number"}
        if len(kinds) > 1:
            raise InvalidInput(
                f"{where}: a list of values of one kind (strings, numbers, booleans or objects)",
                where,
            )
        return f"{kinds.pop() if kinds else 'String'}ArrayCharacteristic"
    return f"{_scalar_kind(value)}Characteristic"


def _scalar_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Number"
    if isinstance(value, dict):
        return "Object"
    return "String"


# -- contact media -----------------------------------------------------------------------------

# v5's contact medium subtypes: the mediumType v4 shows for each, and its contact details
# (v4 keeps them in the medium's ``characteristic``).
MEDIUM_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "EmailContactMedium": ("email", ("emailAddress",)),
    "PhoneContactMedium": ("telephoneNumber", ("phoneNumber",)),
    "FaxContactMedium": ("faxNumber", ("faxNumber",)),
    "SocialContactMedium": ("socialNetwork", ("socialNetworkId",)),
    "GeographicAddressContactMedium": (
        "postalAddress",
        ("street1", "street2", "city", "postCode", "stateOrProvince", "country"),
    ),
}
# A v4 mediumType, lower-cased without spaces, that names a kind where no detail does.
_MEDIUM_TYPES = {
    **dict.fromkeys(("email", "emailaddress", "e-mail", "mail"), "EmailContactMedium"),
    **dict.fromkeys(
        ("phone", "telephone", "telephonenumber", "phonenumber", "mobile", "sms"),
        "PhoneContactMedium",
    ),
    **dict.fromkeys(("fax", "faxnumber"), "FaxContactMedium"),
    **dict.fromkeys(("social", "socialnetwork", "socialnetworkid"), "SocialContactMedium"),
    **dict.fromkeys(
        ("postaladdress", "postal", "address", "geographicaddress"),
        "GeographicAddressContactMedium",
    ),
}
_MEDIUM_KEYS = ("preferred", "validFor", *_META)


def contact_medium_v5(medium: dict, where: str) -> dict:
    """v4's ``ContactMedium {mediumType, characteristic}`` -> the v5 subtype of the contact
    detail its characteristic holds (an email address, a phone number, ...). v5 keeps kinds
    apart: a characteristic holding two kinds is refused, naming them."""
    details = medium.get("characteristic") or {}
    kinds = [k for k, (_, fields) in MEDIUM_KINDS.items() if any(f in details for f in fields)]
    if len(kinds) > 1:
        found = " and ".join(f for k in kinds for f in MEDIUM_KINDS[k][1] if f in details)
        raise InvalidInput(
            f"{where}.characteristic: one kind of contact detail per contact medium, not "
            f"{found} (give each its own)",
            f"{where}.characteristic",
        )
    named = str(medium.get("mediumType") or "").replace(" ", "").lower()
    kind = kinds[0] if kinds else _MEDIUM_TYPES.get(named)
    if kind is None:
        every = ", ".join(f for _, fields in MEDIUM_KINDS.values() for f in fields)
        raise InvalidInput(
            f"{where}.characteristic: holds no contact detail ({every}) and mediumType "
            f"'{medium.get('mediumType')}' names no kind of contact medium",
            f"{where}.characteristic",
        )
    converted = {"@type": kind, **pick(medium, _MEDIUM_KEYS)}
    converted.update(pick(details, ("contactType", *MEDIUM_KINDS[kind][1])))
    return converted


def contact_medium_v4(medium: dict, where: str = "") -> dict:
    """A v5 contact medium -> v4's, its mediumType said by its kind."""
    medium_type, fields = MEDIUM_KINDS.get(medium.get("@type"), ("other", ()))
    shown: dict = {"@type": "ContactMedium", "mediumType": medium_type}
    shown.update(pick(medium, ("preferred",)))
    shown["characteristic"] = pick(medium, ("contactType", *fields))
    shown.update(pick(medium, ("validFor", *_META)))
    return shown
