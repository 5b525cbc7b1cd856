"""From a TMF party or customer document to the columns and keys Parley searches on.

Phone numbers are rewritten to E.164 and emails normalised in the document itself, so what is
stored is canonical; an invalid one is refused naming its place in the document.
"""

from datetime import datetime
from typing import Any

from parley.errors import InvalidInput
from parley.parties.normalize import (
    email_key,
    email_normalized,
    identifier_key,
    phone_e164,
    search_text,
)

PHONE_TYPES = ("PhoneContactMedium", "FaxContactMedium")


def normalize_contact_media(document: dict, region: str, prefix: str = "contactMedium") -> list[dict]:
    """Canonicalise the contact media in place and return their identification keys."""
    keys: list[dict] = []
    for index, medium in enumerate(document.get("contactMedium", [])):
        where = f"{prefix}[{index}]"
        kind = medium.get("@type")
        valid_from, valid_to = _validity(medium.get("validFor"), where)
        if kind in PHONE_TYPES and "phoneNumber" in medium:
            medium["phoneNumber"] = phone_e164(medium["phoneNumber"], region, f"{where}.phoneNumber")
            if kind == "PhoneContactMedium":
                keys.append(_key("phone", medium["phoneNumber"], valid_from, valid_to))
        elif kind == "EmailContactMedium" and "emailAddress" in medium:
            medium["emailAddress"] = email_normalized(medium["emailAddress"], f"{where}.emailAddress")
            keys.append(_key("email", email_key(medium["emailAddress"]), valid_from, valid_to))
        elif kind == "PhoneContactMedium" or kind == "EmailContactMedium":
            field = "phoneNumber" if kind == "PhoneContactMedium" else "emailAddress"
            raise InvalidInput(f"{where}.{field}: is required for a {kind}", f"{where}.{field}")
    return keys


def identification_keys(document: dict, list_name: str) -> list[dict]:
    keys = []
    for index, ident in enumerate(document.get(list_name, [])):
        raw = ident.get("identificationId", "")
        value = identifier_key(raw)
        if not value:
            raise InvalidInput(
                f"{list_name}[{index}].identificationId: must not be empty",
                f"{list_name}[{index}].identificationId",
            )
        valid_from, valid_to = _validity(ident.get("validFor"), f"{list_name}[{index}]")
        keys.append(_key("national_id", value, valid_from, valid_to))
    return keys


def external_keys(document: dict) -> list[dict]:
    """Identifiers of the party in other systems (``externalReference``): owner + id."""
    return [
        _key("external_id", external_key(ref.get("owner"), ref["id"]), None, None)
        for ref in document.get("externalReference", [])
        if ref.get("id")
    ]


def external_key(owner: str | None, identifier: str) -> str:
    return f"{(owner or '').strip()}|{identifier.strip()}"


def preferred_city(document: dict) -> str | None:
    addresses = [
        m for m in document.get("contactMedium", [])
        if m.get("@type") == "GeographicAddressContactMedium" and m.get("city")
    ]
    addresses.sort(key=lambda m: not m.get("preferred", False))
    return addresses[0]["city"].strip() if addresses else None


def individual_names(document: dict) -> tuple[str, str, str]:
    given = _required_text(document, "givenName")
    family = _required_text(document, "familyName")
    display = document.get("formattedName") or " ".join(
        p for p in (given, document.get("middleName"), family) if p
    )
    return given, family, display.strip()


def organization_name(document: dict) -> str:
    return _required_text(document, "name")


def name_search_text(display_name: str, city: str | None) -> str:
    return search_text(display_name, city)


def _required_text(document: dict, field: str) -> str:
    value = document.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}: is required and must not be blank", field)
    document[field] = value.strip()
    return document[field]


def _validity(period: Any, where: str) -> tuple[datetime | None, datetime | None]:
    if not period:
        return None, None
    start = _instant(period.get("startDateTime"), f"{where}.validFor.startDateTime")
    end = _instant(period.get("endDateTime"), f"{where}.validFor.endDateTime")
    if start and end and end < start:
        raise InvalidInput(f"{where}.validFor: ends before it starts", f"{where}.validFor")
    return start, end


def _instant(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise InvalidInput(f"{field}: needs a time zone offset (e.g. Z)", field)
    return moment


def _key(kind: str, value: str, valid_from, valid_to) -> dict:
    return {"kind": kind, "value": value, "valid_from": valid_from, "valid_to": valid_to}
