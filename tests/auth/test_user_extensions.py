"""A staff user's telephone extension (where the phone system's calls pop up): 2 to 10
digits, staff only, and no two enabled users share one, set on creation or changed later."""

import pytest

from parley.actor import Actor
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.errors import Conflict, InvalidInput
from tests.auth.helpers import PASSWORD

ADMIN = Actor(name="root", channel="console", user_id="u-root", client_id="console")


@pytest.fixture
def users(session, settings):
    return UserService(UnitOfWork(session, settings, ADMIN))


def test_an_extension_is_set_on_creation_changed_and_removed(users, session):
    kim = users.create_user("kim", ["agent"], password=PASSWORD, extension=" 101 ").user
    assert kim.extension == "101"
    assert [u.username for u in users.staff_reached_by(["101"])] == ["kim"]

    users.update_user(kim.id, extension="2040")
    assert users.get_user(kim.id).extension == "2040"
    users.update_user(kim.id, extension="")
    assert users.get_user(kim.id).extension is None


@pytest.mark.parametrize("wrong", ["1", "12345678901", "10a", "*21", "+49301", "1 2"])
def test_an_extension_is_2_to_10_digits(users, wrong):
    kim = users.create_user("kim", ["agent"], password=PASSWORD).user
    with pytest.raises(InvalidInput) as refused:
        users.update_user(kim.id, extension=wrong)
    assert refused.value.field == "extension"
    with pytest.raises(InvalidInput):
        users.create_user("lea", ["agent"], password=PASSWORD, extension=wrong)


def test_only_staff_have_an_extension(users):
    with pytest.raises(InvalidInput, match="only staff"):
        users.create_user("crm-bridge", ["agent"], kind="client", extension="101")


def test_two_enabled_users_never_share_an_extension(users, session):
    kim = users.create_user("kim", ["agent"], password=PASSWORD, extension="101").user
    lea = users.create_user("lea", ["agent"], password=PASSWORD).user

    with pytest.raises(Conflict) as taken:
        users.update_user(lea.id, extension="101")
    assert taken.value.field == "extension" and "kim" in taken.value.message
    with pytest.raises(Conflict):
        users.create_user("ben", ["agent"], password=PASSWORD, extension="101")
    users.update_user(kim.id, extension="101")  # keeping one's own is no clash

    # A disabled user's extension is free for another; enabling them again would clash.
    users.update_user(kim.id, disabled=True)
    users.update_user(lea.id, extension="101")
    with pytest.raises(Conflict):
        users.update_user(kim.id, disabled=False)
    session.rollback()


def test_a_phone_system_may_name_an_agent_by_display_name(users):
    kim = users.create_user(
        "kim", ["agent"], password=PASSWORD, display_name="Kim Berger", extension="101"
    ).user
    users.create_user("lea", ["agent"], password=PASSWORD, display_name="Lea Roth")
    gone = users.create_user("old", ["agent"], password=PASSWORD, display_name="Kim Old").user
    users.update_user(gone.id, disabled=True)

    assert [u.id for u in users.staff_reached_by(["kim berger"])] == [kim.id]
    assert users.staff_reached_by(["Kim Old"]) == []  # disabled
    assert users.staff_reached_by(["Berger"]) == []  # a part of a name is nobody
