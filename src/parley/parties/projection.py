"""From a TMF party or customer document to the columns and keys Parley searches on.

Phone numbers are rewritten to E.164 and emails normalised in the document itself, so what is
stored is canonical; an invalid one is refused naming its place in the document.
"""

from datetime import datetime
from typing import Any

from parley.errors import InvalidInput
from parley.parties.models import Party, PartyKey
from parley.parties.normalize import (
    email_key,
    email_normalized,
    identifier_key,
    phone_e164,
    search_text,
)

PHONE_TYPES = ("PhoneContactMedium", "FaxContactMedium")


def normalize_contact_media(
    document: dict, region: str, prefix: str = "contactMedium"
) -> list[dict]:
    """Canonicalise the contact media in place and return their identification keys."""
    keys: list[dict] = []
    for index, medium in enumerate(document.get("contactMedium", [])):
        where = f"{prefix}[{index}]"
        kind = medium.get("@type")
        valid_from, valid_to = _validity(medium.get("validFor"), where)
        if kind in PHONE_TYPES and "phoneNumber" in medium:
            medium["phoneNumber"] = phone_e164(
                medium["phoneNumber"], region, f"{where}.phoneNumber"
            )
            if kind == "PhoneContactMedium":
                keys.append(_key("phone", medium["phoneNumber"], valid_from, valid_to))
        elif kind == "EmailContactMedium" and "emailAddress" in medium:
            medium["emailAddress"] = email_normalized(
                medium["emailAddress"], f"{where}.emailAddress"
            )
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
        fits(PartyKey.value, value, f"{list_name}[{index}].identificationId")
        valid_from, valid_to = _validity(ident.get("validFor"), f"{list_name}[{index}]")
        keys.append(_key("national_id", value, valid_from, valid_to))
    return keys


def external_keys(document: dict) -> list[dict]:
    """Identifiers of the party in other systems (``externalReference``): owner + id."""
    return [
        _key(
            "external_id",
            fits(
                PartyKey.value,
                external_key(ref.get("owner"), ref["id"]),
                f"externalReference[{index}]",
            ),
            None,
            None,
        )
        for index, ref in enumerate(document.get("externalReference", []))
        if ref.get("id")
    ]


def external_key(owner: str | None, identifier: str) -> str:
    return f"{(owner or '').strip()}|{identifier.strip()}"


def preferred_city(document: dict) -> str | None:
    addresses = [
        (index, m)
        for index, m in enumerate(document.get("contactMedium", []))
        if m.get("@type") == "GeographicAddressContactMedium" and m.get("city")
    ]
    addresses.sort(key=lambda pair: not pair[1].get("preferred", False))
    if not addresses:
        return None
    index, address = addresses[0]
    return fits(Party.city, address["city"].strip(), f"contactMedium[{index}].city")


def individual_names(document: dict) -> tuple[str, str, str]:
    given = fits(Party.given_name, _required_text(document, "givenName"), "givenName")
    family = fits(Party.family_name, _required_text(document, "familyName"), "familyName")
    if "formattedName" in document:
        display, field = _required_text(document, "formattedName"), "formattedName"
    else:
        display = " ".join(p for p in (given, document.get("middleName"), family) if p)
        field = "givenName, middleName and familyName together"
    return given, family, fits(Party.display_name, display.strip(), field)


def organization_name(document: dict) -> str:
    return fits(Party.display_name, _required_text(document, "name"), "name")


def name_search_text(display_name: str, city: str | None) -> str:
    # Only trigram matching reads it: a cut-off tail (rare ligature-heavy names) is harmless.
    return search_text(display_name, city)[: Party.search_text.type.length]


def fits(column, value: str, field: str) -> str:
    """``value`` if it fits the column it is projected onto; otherwise a 400 naming ``field``."""
    limit = column.type.length
    if len(value) > limit:
        raise InvalidInput(f"{field}: must be at most {limit} characters", field)
    return value


def _required_text(document: dict, field: str) -> str:
    value = document.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field}: is required and must not be blank", field)
    document[field] = value.strip()
    return document[field]


def check_period(document: dict, attribute: str) -> None:
    """A period of the resource itself (``validFor``, ``existsDuring``) must not end before
    it starts."""
    _period(document.get(attribute), attribute)


def _validity(period: Any, where: str) -> tuple[datetime | None, datetime | None]:
    return _period(period, f"{where}.validFor")


def _period(period: Any, field: str) -> tuple[datetime | None, datetime | None]:
    if not period:
        return None, None
    start = _instant(period.get("startDateTime"), f"{field}.startDateTime")
    end = _instant(period.get("endDateTime"), f"{field}.endDateTime")
    if start and end and end < start:
        raise InvalidInput(f"{field}: ends before it starts", field)
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
