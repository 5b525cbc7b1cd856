"""The shapes v4 and v5 give the same things differently (api/tmf/kit/v4_shapes.py), and the
pruning that keeps a document to what one version knows (Spec.pruned)."""

import pytest

from parley.api.tmf.kit.spec import load_spec
from parley.api.tmf.kit.v4_shapes import (
    MEDIUM_KINDS,
    characteristic_v4,
    characteristic_v5,
    contact_medium_v4,
    contact_medium_v5,
    related_party_v4,
    related_party_v5,
)
from parley.errors import InvalidInput

V4_PARTY = "TMF632-Party-v4.0.0.swagger.json"
V5_PARTY = "TMF632-PartyManagement-v5.0.0.oas.yaml"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("gold", "StringCharacteristic"),
        (True, "BooleanCharacteristic"),
        (40, "IntegerCharacteristic"),
        (0.5, "NumberCharacteristic"),
        ({"a": 1}, "ObjectCharacteristic"),
        (["de", "en"], "StringArrayCharacteristic"),
        ([1, 2], "IntegerArrayCharacteristic"),
        ([1, 2.5], "NumberArrayCharacteristic"),
        ([{"a": 1}], "ObjectArrayCharacteristic"),
        ([], "StringArrayCharacteristic"),
    ],
)
def test_a_v4_characteristic_is_the_v5_subtype_of_its_value(value, kind):
    v4 = {"@type": "Characteristic", "name": "c", "value": value}

    v5 = characteristic_v5(v4, "characteristic[0]")

    assert v5 == {"@type": kind, "name": "c", "value": value}
    assert characteristic_v4(v5) == {**v4, "valueType": characteristic_v4(v5)["valueType"]}


def test_a_characteristic_keeps_the_type_and_value_type_it_names():
    named = {"@type": "FloatCharacteristic", "name": "c", "value": 1.5, "valueType": "decimal"}
    own = {"@type": "Colour", "@schemaLocation": "https://x.example/c.json", "name": "c"}
    own["value"] = "red"

    assert characteristic_v5(named, "c")["@type"] == "FloatCharacteristic"
    assert characteristic_v4(named)["valueType"] == "decimal"  # as sent, not derived
    assert characteristic_v5(own, "c") == own  # a client's subclass, described elsewhere
    assert characteristic_v4(own)["@type"] == "Colour"


def test_a_list_of_mixed_values_has_no_v5_subtype():
    with pytest.raises(InvalidInput) as refused:
        characteristic_v5({"name": "c", "value": [1, "a", True]}, "characteristic[3]")
    assert refused.value.message.startswith("characteristic[3].value: a list of values")


@pytest.mark.parametrize("kind", sorted(MEDIUM_KINDS))
def test_each_kind_of_contact_medium_goes_both_ways(kind):
    medium_type, fields = MEDIUM_KINDS[kind]
    details = {field: f"{field}-value" for field in fields}
    v4 = {
        "@type": "ContactMedium",
        "mediumType": medium_type,
        "preferred": True,
        "characteristic": {"contactType": "work", **details},
        "validFor": {"startDateTime": "2024-01-01T00:00:00Z"},
    }

    v5 = contact_medium_v5(v4, "contactMedium[0]")

    assert v5 == {
        "@type": kind,
        "preferred": True,
        "validFor": v4["validFor"],
        "contactType": "work",
        **details,
    }
    assert contact_medium_v4(v5) == v4


def test_the_detail_decides_the_kind_and_the_medium_type_where_there_is_none():
    fax = {"mediumType": "telephoneNumber", "characteristic": {"faxNumber": "+4930123"}}
    bare = {"mediumType": "Mobile", "characteristic": {"contactType": "private"}}

    assert contact_medium_v5(fax, "m")["@type"] == "FaxContactMedium"
    assert contact_medium_v5(bare, "m") == {"@type": "PhoneContactMedium", "contactType": "private"}


@pytest.mark.parametrize(
    ("medium", "named"),
    [
        ({"characteristic": {"emailAddress": "a@b.de", "phoneNumber": "+49"}}, "emailAddress and"),
        ({"mediumType": "pigeon", "characteristic": {}}, "'pigeon'"),
    ],
)
def test_a_medium_v5_cannot_hold_is_refused_naming_why(medium, named):
    with pytest.raises(InvalidInput) as refused:
        contact_medium_v5(medium, "contactMedium[1]")
    assert refused.value.field == "contactMedium[1].characteristic"
    assert named in refused.value.message


def test_related_parties_flat_in_v4_wrapped_in_v5():
    customer = {"id": "c1", "role": "owner", "@referredType": "Customer"}
    person = {"id": "p1", "role": "contact", "@referredType": "Individual", "name": "Ann"}

    assert related_party_v5(customer)["partyOrPartyRole"]["@type"] == "PartyRoleRef"
    assert related_party_v4(related_party_v5(person)) == {"@type": "RelatedParty", **person}
    bare_ref = {"role": "r", "partyOrPartyRole": {"@type": "PartyRef", "id": "x"}}
    bare_role = {"role": "r", "partyOrPartyRole": {"@type": "PartyRoleRef", "id": "y"}}
    assert related_party_v4(bare_ref)["@referredType"] == "Party"  # v4 requires one
    assert related_party_v4(bare_role)["@referredType"] == "PartyRole"


def test_pruning_keeps_what_the_schema_knows_at_every_level():
    v5_individual = {
        "@type": "Individual",
        "givenName": "Ann",
        "name": "Ann Lee",  # v5 only: v4 says fullName
        "contactMedium": [{"@type": "EmailContactMedium", "id": "m1", "emailAddress": "a@b.de"}],
        "taxExemptionCertificate": [{"@type": "TaxExemptionCertificate", "reason": "charity"}],
        "skill": [{"skillCode": "x", "@schemaLocation": "https://x.example/s", "level": 3}],
    }

    v4 = load_spec(V4_PARTY).pruned(v5_individual, "Individual")

    assert v4 == {
        "@type": "Individual",
        "givenName": "Ann",
        "contactMedium": [{"@type": "EmailContactMedium"}],  # v4's ContactMedium knows neither
        "taxExemptionCertificate": [{"@type": "TaxExemptionCertificate"}],
        "skill": v5_individual["skill"],  # an extension, kept whole
    }
    assert "name" in v5_individual  # a copy: the document itself is left as it is
    # In v5, a polymorphic item is pruned by the subtype its @type names.
    medium = {"@type": "EmailContactMedium", "emailAddress": "a@b.de", "mediumType": "email"}
    kept = load_spec(V5_PARTY).pruned({"contactMedium": [medium]}, "Individual_FVO")
    assert kept == {"contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "a@b.de"}]}
