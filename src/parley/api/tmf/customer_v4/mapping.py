"""TMF629 v4 <-> v5 shapes of a customer. The store holds v5; v4 is a view of it.

The differences: the engaged party is a v4 ``RelatedParty`` (v5's ``PartyRef`` has no role),
related parties are flat references, contact media and characteristics have v4's shapes
(kit/v4_shapes.py), and v4 requires an account reference's name (one v5 stored without shows
its id). v5's ``description``, ``role`` and ``partyRoleSpecification`` have no place in v4:
they are kept as stored when a v4 client changes the customer (kit/v4_mapping.py).
"""

from functools import cache

from parley.api.tmf.kit.spec import Spec, load_spec, load_spec_requiring
from parley.api.tmf.kit.v4_mapping import Attribute, DocumentMapping
from parley.api.tmf.kit.v4_shapes import (
    characteristic_v4,
    characteristic_v5,
    contact_medium_v4,
    contact_medium_v5,
    each,
    party_ref_v4,
    party_ref_v5,
    related_party_v4,
    related_party_v5,
)

SPEC_FILE = "TMF629-Customer-v4.0.0.swagger.json"
V5_SPEC_FILE = "TMF629-CustomerManagement-v5.0.1.oas.yaml"
# What v5 (the store) requires of a credit profile where v4's file asks for more (its date and
# period): a customer made on v5 may have one without, and is changed on v4 all the same.
AS_V5_REQUIRES = {"CreditProfile": []}
ATTRIBUTES = (
    Attribute("engagedParty", to_v4=party_ref_v4, to_v5=party_ref_v5),
    Attribute("relatedParty", to_v4=each(related_party_v4), to_v5=each(related_party_v5)),
    Attribute("contactMedium", to_v4=each(contact_medium_v4), to_v5=each(contact_medium_v5)),
    Attribute("characteristic", to_v4=each(characteristic_v4), to_v5=each(characteristic_v5)),
)


@cache
def v4_spec() -> Spec:
    return load_spec_requiring(SPEC_FILE, AS_V5_REQUIRES)


@cache
def customer_mapping() -> DocumentMapping:
    return DocumentMapping(
        "Customer",
        v4_spec(),
        load_spec(V5_SPEC_FILE),
        ATTRIBUTES,
        completed_v4=_accounts_named,
    )


def _accounts_named(shown: dict) -> None:
    for account in shown.get("account") or []:
        if isinstance(account, dict) and "name" not in account and "id" in account:
            account["name"] = account["id"]
