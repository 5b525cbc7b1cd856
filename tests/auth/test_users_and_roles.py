"""Managing users and roles: rules, and an audit entry with before/after for every change
(never a password or secret)."""

import pytest

from parley.actor import Actor
from parley.auth.audit import AuditFilter, AuditTrail
from parley.auth.passwords import verify_secret
from parley.auth.roles import RoleService
from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.errors import Conflict, InvalidInput, NotFound
from tests.auth.helpers import PASSWORD, make_customer, make_user

ADMIN = Actor(name="root", channel="console", user_id="u-root", client_id="console")


def entries(session, **filters):
    found, _ = AuditTrail(session).query(AuditFilter(**filters))
    return list(reversed(found))


def test_creating_a_user_is_audited_without_the_password(session, settings):
    made = UserService(UnitOfWork(session, settings, ADMIN)).create_user(
        " Kim.Agent ", ["agent", "supervisor"], password=PASSWORD, display_name="Kim"
    )

    (entry,) = entries(session, resource_type="user")
    assert (entry.action, entry.resource_id) == ("create", made.user.id)
    assert (entry.actor_id, entry.actor_name, entry.channel, entry.client_id) == (
        "u-root",
        "root",
        "console",
        "console",
    )
    assert entry.before is None
    assert entry.after == {
        "username": "kim.agent",
        "kind": "staff",
        "displayName": "Kim",
        "customerId": None,
        "roles": ["agent", "supervisor"],
        "disabled": False,
        "extension": None,
        "email": None,
    }
    assert PASSWORD not in str(entry.after) and made.user.secret_hash not in str(entry.after)


def test_changing_roles_is_a_permission_change_with_before_and_after(session, settings):
    user = make_user(session, settings, "agent", username="kim").user
    service = UserService(UnitOfWork(session, settings, ADMIN))

    service.update_user(user.id, roles=["supervisor"])
    service.update_user(user.id, display_name="Kim K.", disabled=True)

    change, update = entries(session, resource_id=user.id)[1:]
    assert change.action == "permission_change"
    assert (change.before["roles"], change.after["roles"]) == (["agent"], ["supervisor"])
    assert update.action == "update"
    assert update.before["disabled"] is False and update.after["disabled"] is True
    assert update.after["displayName"] == "Kim K."


def test_a_password_change_is_audited_as_changed_only(session, settings):
    user = make_user(session, settings, "agent", username="kim").user

    UserService(UnitOfWork(session, settings, ADMIN)).set_password(user.id, "another-long-one")

    entry = entries(session, resource_id=user.id)[-1]
    assert (entry.action, entry.before, entry.after) == (
        "password_change",
        None,
        {"secret": "changed"},
    )
    assert verify_secret(user.secret_hash, "another-long-one")


def test_deleting_a_user_keeps_their_history(session, settings):
    user = make_user(session, settings, "agent", username="kim").user

    UserService(UnitOfWork(session, settings, ADMIN)).delete_user(user.id)

    assert [e.action for e in entries(session, resource_id=user.id)] == ["create", "delete"]
    assert entries(session, action="delete")[0].before["username"] == "kim"
    with pytest.raises(NotFound):
        UserService(UnitOfWork(session, settings, ADMIN)).get_user(user.id)


def test_the_last_user_who_can_manage_users_cannot_be_removed(session, settings):
    root = make_user(session, settings, "administrator", username="root").user
    service = UserService(UnitOfWork(session, settings, ADMIN))

    for change in (
        lambda: service.delete_user(root.id),
        lambda: service.update_user(root.id, disabled=True),
        lambda: service.update_user(root.id, roles=["agent"]),
        lambda: RoleService(UnitOfWork(session, settings, ADMIN)).update_role(
            "administrator", permissions=[]
        ),
    ):
        with pytest.raises(Conflict, match="manage users"):
            change()
        session.rollback()

    make_user(session, settings, "administrator", username="root2")
    service.update_user(root.id, disabled=True)


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"username": "x"}, "username"),
        ({"username": "has space"}, "username"),
        ({"roles": ["wizard"]}, "no role wizard"),
        ({"roles": []}, "at least one role"),
        ({"password": "short"}, "at least 10"),
        ({"password": "aaaaaaaaaaaa"}, "guess"),
        ({"password": "kim-rocks-123"}, "username"),
        ({"kind": "robot"}, "kind"),
        ({"kind": "customer"}, "customerId"),
        ({"customer_id": "nope"}, "customerId"),
    ],
)
def test_bad_user_input_is_refused_clearly(session, settings, options, says):
    arguments = {"username": "kim", "roles": ["agent"], "password": PASSWORD, **options}

    with pytest.raises(InvalidInput, match=says):
        UserService(UnitOfWork(session, settings, ADMIN)).create_user(**arguments)


def test_usernames_are_unique_whatever_their_case(session, settings):
    make_user(session, settings, "agent", username="kim")

    with pytest.raises(Conflict):
        UserService(UnitOfWork(session, settings, ADMIN)).create_user(
            "KIM", ["agent"], password=PASSWORD
        )


def test_a_customer_log_in_needs_an_existing_customer(session, settings):
    customer = make_customer(session, settings)

    made = make_user(
        session, settings, "customer", username="anna", kind="customer", customer_id=customer.id
    )

    assert made.user.customer_id == customer.id and made.roles == ["customer"]


def test_a_client_gets_a_generated_secret_stored_only_hashed(session, settings):
    service = UserService(UnitOfWork(session, settings, ADMIN))
    made = service.create_user("crm", ["integration"], kind="client")

    renewed = service.new_client_secret(made.user.id)

    assert len(made.client_secret) >= 40 and renewed != made.client_secret
    assert verify_secret(made.user.secret_hash, renewed)
    assert made.client_secret not in str([e.after for e in entries(session)])
    with pytest.raises(InvalidInput, match="secret"):
        service.set_password(made.user.id, PASSWORD)


def test_creating_and_changing_a_role_is_audited(session, settings):
    roles = RoleService(UnitOfWork(session, settings, ADMIN))

    created = roles.create_role(
        "Billing", ["customer:read"], {"adjustmentLimit": 50, "currency": "EUR"}, "Billing"
    )
    roles.update_role("billing", permissions=["customer:read", "note:read"])
    roles.update_role(created.role.id, description="Billing team")

    create, change, update = entries(session, resource_type="role")
    assert create.action == "create" and create.after["limits"]["adjustmentLimit"] == 50.0
    assert change.action == "permission_change"
    assert change.before["permissions"] == ["customer:read"]
    assert change.after["permissions"] == ["customer:read", "note:read"]
    assert update.action == "update" and update.after["description"] == "Billing team"
    assert update.before["description"] == "Billing"


def test_roles_refuse_unknown_permissions_and_limits_and_builtin_ones_stay(session, settings):
    roles = RoleService(UnitOfWork(session, settings, ADMIN))

    with pytest.raises(InvalidInput, match="customer:reed"):
        roles.create_role("typo", ["customer:reed"])
    with pytest.raises(InvalidInput, match="unknown limit"):
        roles.create_role("typo", [], {"maxRefund": 5})
    with pytest.raises(InvalidInput, match="number"):
        roles.create_role("typo", [], {"adjustmentLimit": -1})
    with pytest.raises(Conflict, match="built-in"):
        roles.delete_role("agent")
    with pytest.raises(Conflict, match="exists"):
        roles.create_role("agent", [])


def test_a_role_in_use_cannot_be_deleted_until_nobody_holds_it(session, settings):
    roles = RoleService(UnitOfWork(session, settings, ADMIN))
    roles.create_role("billing", ["customer:read"])
    user = make_user(session, settings, "billing", username="bea").user

    with pytest.raises(Conflict, match="held by users"):
        roles.delete_role("billing")
    UserService(UnitOfWork(session, settings, ADMIN)).update_user(user.id, roles=["agent"])
    roles.delete_role("billing")

    assert entries(session, resource_type="role")[-1].action == "delete"
