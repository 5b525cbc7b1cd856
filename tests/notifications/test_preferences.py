"""Contact preferences and consent: set by staff or by the customer for themselves, audited,
and deciding where, whether and when a message goes."""

from datetime import UTC, datetime

import pytest

from parley.actor import Actor
from parley.changes import UnitOfWork
from parley.notifications.preferences import NotDeliverable, PreferenceService
from tests.auth.helpers import bearer, login, make_user
from tests.factories import assert_tmf_error, create_customer, create_individual

DEFAULTS = {
    "preferredChannel": None,
    "language": None,
    "marketingOptOut": False,
    "quietHours": None,
    "timeZone": "UTC",
}
CHOSEN = {
    "preferredChannel": "sms",
    "language": "de",
    "marketingOptOut": True,
    "quietHours": {"start": "21:00", "end": "08:00"},
    "timeZone": "Europe/Berlin",
}


def _url(customer: dict) -> str:
    return f"/api/v1/customers/{customer['id']}/preferences"


def test_a_customer_without_preferences_has_the_defaults(client):
    customer = create_customer(client)
    answer = client.get(_url(customer))
    assert answer.status_code == 200, answer.text
    assert answer.json() == DEFAULTS


def test_preferences_are_kept_and_every_change_is_audited(client):
    customer = create_customer(client)
    assert client.put(_url(customer), json=CHOSEN).json() == CHOSEN
    assert client.get(_url(customer)).json() == CHOSEN

    trail = client.get(
        "/api/v1/audit", params={"resourceType": "contactPreference", "resourceId": customer["id"]}
    ).json()
    (entry,) = trail
    assert entry["before"]["marketingOptOut"] is False
    assert entry["after"]["marketingOptOut"] is True


def test_customers_set_their_own_preferences_only(client, session, settings):
    mine, theirs = create_customer(client), create_customer(client)
    user = make_user(session, settings, "customer", kind="customer", customer_id=mine["id"])
    headers = bearer(login(client, user.user.username)["access_token"])

    opted_out = {**DEFAULTS, "marketingOptOut": True}
    assert client.put(_url(mine), json=opted_out, headers=headers).status_code == 200
    assert_tmf_error(client.put(_url(theirs), json=opted_out, headers=headers), 404)
    assert_tmf_error(client.get(_url(theirs), headers=headers), 404)
    assert client.get(_url(theirs)).json() == DEFAULTS


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"preferredChannel": "pigeon"}, "preferredChannel"),
        ({"language": "German"}, "language"),
        ({"marketingOptOut": "yes"}, "marketingOptOut"),
        ({"quietHours": {"start": "25:00", "end": "08:00"}}, "quietHours"),
        ({"quietHours": {"start": "08:00", "end": "08:00"}}, "quietHours"),
        ({"quietHours": {"start": "21:00"}}, "quietHours"),
        ({"timeZone": "Mars/Olympus"}, "timeZone"),
        ({"favouriteColour": "blue"}, "favouriteColour"),
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(client, change, named):
    customer = create_customer(client)
    assert_tmf_error(client.put(_url(customer), json={**CHOSEN, **change}), 400, named)
    assert client.get(_url(customer)).json() == DEFAULTS


def test_preferences_of_an_unknown_customer_are_404(client):
    assert_tmf_error(client.get("/api/v1/customers/nobody/preferences"), 404)
    assert_tmf_error(client.put("/api/v1/customers/nobody/preferences", json=DEFAULTS), 404)


def _service(session, settings) -> PreferenceService:
    return PreferenceService(UnitOfWork(session, settings, Actor("test", "test")))


def test_the_preferred_channel_is_chosen_and_marketing_respects_the_opt_out(
    client, session, settings
):
    customer = create_customer(client)  # a German mobile number and an email address
    service = _service(session, settings)

    assert service.delivery(customer["id"], "service").channel == "email"
    service.replace(customer["id"], {"preferredChannel": "sms", "marketingOptOut": True})
    chosen = service.delivery(customer["id"], "service")
    assert chosen.channel == "sms" and chosen.address.startswith("+49171")
    assert chosen.language is None
    with pytest.raises(NotDeliverable, match="opted out of marketing"):
        service.delivery(customer["id"], "marketing")


def test_no_sms_to_a_landline_and_a_clear_reason_without_address(client, session, settings):
    person = create_individual(
        client,
        contactMedium=[{"@type": "PhoneContactMedium", "phoneNumber": "+49 40 1234567"}],
    )
    customer = create_customer(client, person)

    with pytest.raises(NotDeliverable, match="no sms address"):
        _service(session, settings).delivery(customer["id"], "service", "sms")
    with pytest.raises(NotDeliverable, match="no email or SMS address"):
        _service(session, settings).delivery(customer["id"], "service")


@pytest.mark.parametrize(
    ("utc_now", "waits_until"),
    [
        ("2026-11-25T21:30:00+00:00", "2026-11-26T07:00:00+00:00"),  # 22:30 in Berlin
        ("2026-11-26T05:00:00+00:00", "2026-11-26T07:00:00+00:00"),  # 06:00 in Berlin
        ("2026-11-25T12:00:00+00:00", None),  # 13:00 in Berlin: not quiet
        ("2026-11-26T07:00:00+00:00", None),  # 08:00 in Berlin: the window has just opened
    ],
)
def test_an_sms_in_quiet_hours_waits_until_they_end(
    client, session, settings, utc_now, waits_until
):
    customer = create_customer(client)
    service = _service(session, settings)
    service.replace(customer["id"], {**CHOSEN, "marketingOptOut": False})

    now = datetime.fromisoformat(utc_now)
    sms = service.delivery(customer["id"], "service", "sms", now=now)
    email = service.delivery(customer["id"], "service", "email", now=now)

    expected = datetime.fromisoformat(waits_until) if waits_until else None
    assert sms.not_before == expected
    assert sms.not_before is None or sms.not_before.tzinfo == UTC
    assert email.not_before is None  # quiet hours hold SMS only
