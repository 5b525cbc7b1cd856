"""Menus as data: checked when saved (400 naming where), managed by administrators."""

import copy

import pytest

from parley.channels.defaults import SELFCARE_MENU
from parley.channels.menus import ACTIONS, check_menu
from parley.errors import InvalidInput
from tests.channels.helpers import CHANNELS
from tests.factories import assert_tmf_error


def _menu(**changes):
    menu = copy.deepcopy(SELFCARE_MENU)
    menu["code"] = "trial"
    menu.update(changes)
    return menu


def test_the_shipped_menu_passes_its_own_check():
    assert check_menu(copy.deepcopy(SELFCARE_MENU))["start"] == "home"


def test_every_action_a_menu_may_name_is_carried_out():
    from parley.channels.actions import _ACTIONS

    assert set(_ACTIONS) == set(ACTIONS)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda m: m["screens"]["status"].update(action="bill.pay"), "screens.status"),
        (lambda m: m["screens"]["home"]["options"][0].update(next="nowhere"), "options[0].next"),
        (lambda m: m["screens"].update(orphan={"text": {"en": "a", "de": "b"}}), "screens.orphan"),
        (lambda m: m["screens"]["home"]["text"].update(en="x" * 200), "screens.home"),
        (lambda m: m["screens"]["home"]["text"].update(en="Привет " * 12), "screens.home"),
        (lambda m: m["screens"]["fault"]["text"].pop("de"), "screens.fault.text"),
        (lambda m: m.update(start="missing"), "start"),
        (lambda m: m["screens"]["agent"].pop("params"), "screens.agent"),
    ],
)
def test_a_bad_menu_is_refused_naming_where(change, where):
    menu = _menu()
    change(menu)
    with pytest.raises(InvalidInput) as refused:
        check_menu(menu)
    assert where in str(refused.value)


def test_a_loop_with_no_exit_is_refused():
    loop = {
        "code": "loop",
        "name": "Loop",
        "start": "a",
        "screens": {
            "a": {
                "text": {"en": "A", "de": "A"},
                "options": [{"label": {"en": "B", "de": "B"}, "next": "b"}],
            },
            "b": {
                "text": {"en": "B", "de": "B"},
                "options": [{"label": {"en": "A", "de": "A"}, "next": "a"}],
            },
        },
    }
    with pytest.raises(InvalidInput, match="screens.a: a loop with no exit"):
        check_menu(loop)


def test_administrators_manage_menus_through_the_api(client, as_user):
    created = client.post(f"{CHANNELS}/menus", json=_menu())
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 1
    changed = _menu(name="Trial menu")
    replaced = client.put(f"{CHANNELS}/menus/trial", json=changed)
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    bad = _menu()
    bad["screens"]["home"]["options"][0]["next"] = "gone"
    refused = client.put(f"{CHANNELS}/menus/trial", json=bad)
    error = assert_tmf_error(refused, 400)
    assert "screens.home.options[0].next" in error["message"]
    codes = [m["code"] for m in client.get(f"{CHANNELS}/menus").json()]
    assert {"selfcare", "trial"} <= set(codes)
    assert client.post(f"{CHANNELS}/menus", json=_menu()).status_code == 409
    agent = client.get(f"{CHANNELS}/menus", headers=as_user("agent.menu"))
    assert agent.status_code == 403
    assert client.delete(f"{CHANNELS}/menus/trial").status_code == 204
    assert client.get(f"{CHANNELS}/menus/trial").status_code == 404
