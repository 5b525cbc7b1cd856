"""A change of a customer's contact details: a new email, phone number or postal address takes
the place of the current one of its kind on the customer's engaged party.

The old medium is kept with its validity ended (``validFor.endDateTime``) and no longer
preferred: identification still finds it (as former) and notices no longer use it. New details
are checked with the rules of party contact media and written through ``PartyService`` (which
validates the whole document again, re-indexes the keys, audits and emits the event).
"""

import copy
from datetime import datetime

from parley.changes import UnitOfWork
from parley.db.base import iso
from parley.errors import InvalidInput
from parley.parties.normalize import email_key, email_normalized, phone_e164
from parley.parties.service import PartyService

EMAIL, PHONE = "EmailContactMedium", "PhoneContactMedium"
ADDRESS = "GeographicAddressContactMedium"
ADDRESS_FIELDS = ("street1", "street2", "postCode", "city", "stateOrProvince", "country")
REQUIRED_ADDRESS_FIELDS = ("street1", "postCode", "city", "country")
DETAILS = ("emailAddress", "phoneNumber", *ADDRESS_FIELDS)


def new_media(details: dict[str, str], region: str, where: str) -> list[dict]:
    """Contact media from plain details (``DETAILS``), each checked as a party's would be;
    an invalid one raises InvalidInput naming ``<where>.<detail>``."""
    media = []
    if details.get("emailAddress"):
        field = f"{where}.emailAddress"
        media.append(
            {"@type": EMAIL, "emailAddress": email_normalized(details["emailAddress"], field)}
        )
    if details.get("phoneNumber"):
        field = f"{where}.phoneNumber"
        media.append(
            {"@type": PHONE, "phoneNumber": phone_e164(details["phoneNumber"], region, field)}
        )
    address = {name: details[name].strip() for name in ADDRESS_FIELDS if details.get(name)}
    if address:
        missing = [name for name in REQUIRED_ADDRESS_FIELDS if name not in address]
        if missing:
            raise InvalidInput(
                f"{where}: a new postal address needs {', '.join(missing)} too "
                f"({', '.join(REQUIRED_ADDRESS_FIELDS)})",
                f"{where}.{missing[0]}",
            )
        media.append({"@type": ADDRESS, **address})
    return media


class ContactChange:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.parties = PartyService(uow)

    def apply(self, customer_id: str, media: list[dict], now: datetime) -> list[str]:
        """Put ``media`` (from ``new_media``) on the customer's engaged party; say what changed."""
        now = now.replace(microsecond=0)
        customer = self.parties.get_customer(customer_id)
        party = self.parties.any_party(customer.party_id)
        document = copy.deepcopy(party.document)
        held = document.setdefault("contactMedium", [])
        said, changed = [], False
        for new in copy.deepcopy(media):
            current = [m for m in held if m.get("@type") == new["@type"] and _current(m, now)]
            if any(_same(m, new) for m in current):
                said.append(f"{_label(new)} {_shown(new)} was already on record")
                continue
            for old in current:
                old["validFor"] = {**(old.get("validFor") or {}), "endDateTime": iso(now)}
                old["preferred"] = False
            if current:
                new.update({k: current[0][k] for k in ("contactType",) if current[0].get(k)})
            new.update({"preferred": True, "validFor": {"startDateTime": iso(now)}})
            held.append(new)
            changed = True
            before = f"from {_shown(current[0])} " if current else ""
            said.append(f"{_label(new)} changed {before}to {_shown(new)}")
        if changed:
            self.parties.replace_party(party.kind, party.id, document)
        return said


def _current(medium: dict, now: datetime) -> bool:
    """Valid now (stored periods carry a time zone: the parties service checked them)."""
    period = medium.get("validFor") or {}
    starts, ends = period.get("startDateTime"), period.get("endDateTime")
    started = not starts or datetime.fromisoformat(starts) <= now
    return started and (not ends or datetime.fromisoformat(ends) > now)


def _same(held: dict, new: dict) -> bool:
    if new["@type"] == EMAIL:
        return email_key(held.get("emailAddress", "")) == email_key(new["emailAddress"])
    if new["@type"] == PHONE:
        return held.get("phoneNumber") == new["phoneNumber"]
    return all((held.get(k) or "") == (new.get(k) or "") for k in ADDRESS_FIELDS)


def _label(medium: dict) -> str:
    return {EMAIL: "email", PHONE: "phone"}.get(medium["@type"], "postal address")


def _shown(medium: dict) -> str:
    if medium["@type"] == EMAIL:
        return medium.get("emailAddress", "")
    if medium["@type"] == PHONE:
        return medium.get("phoneNumber", "")
    return ", ".join(medium[k] for k in ADDRESS_FIELDS if medium.get(k))
