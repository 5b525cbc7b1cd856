"""Message templates: worded per kind, channel and language by administrators, rendered in a
sandbox, and a missing variable is an error before anything is sent."""

import pytest
from sqlalchemy.orm import Session

from parley.changes import UnitOfWork
from parley.db.engine import build_engine
from parley.db.migrate import upgrade
from parley.errors import InvalidInput
from parley.notifications.defaults import DEFAULT_TEMPLATES
from parley.notifications.templates import TemplateCatalogue
from tests.factories import assert_tmf_error

TEMPLATES = "/api/v1/message-templates"
OFFER = {
    "kind": "offer.roaming",
    "channel": "email",
    "language": "en",
    "category": "marketing",
    "subject": "Travelling, {{ name }}?",
    "body": "Hello {{ name }}, {{ pack }} for {{ price }} a week.",
}


def test_the_migration_seeds_the_default_templates(scratch_database_url, settings):
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            seeded = {
                (t.kind, t.channel, t.language, t.subject, t.body)
                for t in TemplateCatalogue(UnitOfWork(session, settings)).list_templates()
            }
    finally:
        engine.dispose()

    assert seeded == set(DEFAULT_TEMPLATES)


def test_administrators_add_templates_that_list_their_variables(client, as_user):
    created = client.post(TEMPLATES, json=OFFER)

    assert created.status_code == 201, created.text
    template = created.json()
    assert template["variables"] == ["name", "pack", "price"]
    assert template["active"] is True
    assert client.get(f"{TEMPLATES}/{template['id']}").json() == template
    listed = client.get(TEMPLATES, params={"kind": "offer.roaming"}).json()
    assert [t["id"] for t in listed] == [template["id"]]
    agent = as_user("agent.lou")
    assert client.get(TEMPLATES, headers=agent).status_code == 200
    assert_tmf_error(client.post(TEMPLATES, json={**OFFER, "language": "de"}, headers=agent), 403)


def test_preview_renders_and_names_a_missing_variable(client):
    template = client.post(TEMPLATES, json=OFFER).json()
    preview = f"{TEMPLATES}/{template['id']}/preview"

    given = {"name": "Ana", "pack": "EU Travel 5 GB", "price": "4.99 EUR"}
    shown = client.post(preview, json={"variables": given})
    assert shown.status_code == 200, shown.text
    assert shown.json() == {
        "channel": "email",
        "subject": "Travelling, Ana?",
        "body": "Hello Ana, EU Travel 5 GB for 4.99 EUR a week.",
    }
    missing = client.post(preview, json={"variables": {"name": "Ana"}})
    assert_tmf_error(missing, 400, "pack", "price")


def test_a_draft_is_previewed_before_it_is_saved(client):
    draft = {"channel": "sms", "body": "Hi {{ name | upper }}", "variables": {"name": "ana"}}
    assert client.post(f"{TEMPLATES}/preview", json=draft).json()["body"] == "Hi ANA"
    broken = {**draft, "body": "Hi {{ name "}
    assert_tmf_error(client.post(f"{TEMPLATES}/preview", json=broken), 400, "body")
    with_subject = {**draft, "subject": "Hello"}
    assert_tmf_error(client.post(f"{TEMPLATES}/preview", json=with_subject), 400, "subject")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"channel": "fax"}, "channel"),
        ({"language": "english"}, "language"),
        ({"category": "spam"}, "category"),
        ({"kind": "Has Spaces"}, "kind"),
        ({"body": ""}, "body"),
        ({"body": "{% for %}"}, "body"),
        ({"subject": None}, "subject"),
        ({"body": "nul \x00 inside"}, "body"),
    ],
)
def test_bad_templates_are_refused_and_nothing_is_stored(client, change, named):
    response = client.post(TEMPLATES, json={**OFFER, **change})

    assert_tmf_error(response, 400, named)
    assert client.get(TEMPLATES, params={"kind": OFFER["kind"]}).json() == []


def test_one_template_per_kind_channel_and_language(client):
    assert client.post(TEMPLATES, json=OFFER).status_code == 201
    assert_tmf_error(client.post(TEMPLATES, json=OFFER), 409, "offer.roaming")


def test_the_sandbox_keeps_templates_away_from_python_internals(client):
    escape = {**OFFER, "body": "{{ name.__class__.__mro__[1].__subclasses__() }}"}
    template = client.post(TEMPLATES, json=escape).json()

    response = client.post(
        f"{TEMPLATES}/{template['id']}/preview", json={"variables": {"name": "x"}}
    )

    assert_tmf_error(response, 400, "not allowed in a template", "__class__")


def test_rewording_is_audited_and_a_deactivated_template_is_not_chosen(client, uow):
    template = client.post(TEMPLATES, json={**OFFER, "category": "service"}).json()
    changed = client.patch(
        f"{TEMPLATES}/{template['id']}", json={"body": "Hi {{ name }}", "active": False}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["variables"] == ["name"]
    assert_tmf_error(client.patch(f"{TEMPLATES}/{template['id']}", json={"kind": "x"}), 400, "kind")

    with pytest.raises(InvalidInput, match="no active email template"):
        TemplateCatalogue(uow).choose("offer.roaming", "email", "en")


def test_the_language_falls_back_to_the_base_then_the_default(uow):
    catalogue = TemplateCatalogue(uow)  # the default language: en

    assert catalogue.choose("bill.issued", "sms", "de-AT").language == "de"
    assert catalogue.choose("bill.issued", "sms", "fr").language == "en"
    assert catalogue.choose("bill.issued", "sms", None).language == "en"


@pytest.mark.parametrize(
    ("fits", "too_long"),
    [("x" * 1530, "x" * 1531), ("ж" * 670, "ж" * 671)],  # 153 GSM or 67 UCS-2 characters a part
)
def test_an_sms_longer_than_ten_segments_is_refused(client, fits, too_long):
    draft = {"channel": "sms", "body": "{{ text }}", "variables": {"text": fits}}
    assert client.post(f"{TEMPLATES}/preview", json=draft).status_code == 200
    draft["variables"]["text"] = too_long
    assert_tmf_error(client.post(f"{TEMPLATES}/preview", json=draft), 400, "11 SMS")
