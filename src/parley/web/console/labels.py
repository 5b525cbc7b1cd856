"""How the console shows Parley's codes: words for roles, customer statuses, what a caller
was identified by, kinds of contact details (msgids, translated when shown; a code without
one here, such as a role an administrator made, is shown as it is), and phone numbers."""

import phonenumbers

from parley.web.i18n import N_

ROLE_NAMES = {
    "agent": N_("Agent"),
    "supervisor": N_("Supervisor"),
    "administrator": N_("Administrator"),
    "integration": N_("Integration"),
    "customer": N_("Customer"),
}
CUSTOMER_STATUSES = {
    "prospective": N_("Prospective"),
    "active": N_("Active"),
    "suspended": N_("Suspended"),
    "disconnected": N_("Disconnected"),
    "closed": N_("Closed"),
}
MATCHED_FIELDS = {
    "customerNumber": N_("Customer number"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "nationalId": N_("National ID"),
    "account": N_("Account"),
    "name": N_("Name"),
    "city": N_("City"),
}
PARTY_KINDS = {"Individual": N_("Person"), "Organization": N_("Organisation")}
SEGMENTS = {"residential": N_("Residential"), "business": N_("Business")}
CONTACT_KINDS = {
    "PhoneContactMedium": N_("Phone"),
    "EmailContactMedium": N_("Email"),
    "GeographicAddressContactMedium": N_("Address"),
}
CONTACT_TYPES = {
    "mobile": N_("mobile"),
    "home": N_("home"),
    "work": N_("work"),
    "business": N_("business"),
    "private": N_("private"),
    "fax": N_("fax"),
}
USER_KINDS = {"staff": N_("Staff"), "client": N_("Client"), "customer": N_("Customer")}
LABELS = {
    "role": ROLE_NAMES,
    "status": CUSTOMER_STATUSES,
    "field": MATCHED_FIELDS,
    "party": PARTY_KINDS,
    "segment": SEGMENTS,
    "contact": CONTACT_KINDS,
    "contact_type": CONTACT_TYPES,
    "user_kind": USER_KINDS,
}


def label(kind: str, code: str | None) -> str:
    """The msgid for ``code`` among the ``kind`` labels, or the code itself."""
    return LABELS[kind].get(code or "", code or "")


def readable_phone(e164: str) -> str:
    """+4917112345678 as people read it: +49 171 12345678."""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
