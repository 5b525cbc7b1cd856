"""The permission catalogue and the built-in roles: the one place that names what can be granted.

A permission is "resource:action". Every protected route declares the one it needs
(``parley.api.security.require``); a role grants a set of them plus limits (numbers such as the
largest adjustment the role may make on its own). The built-in roles are seeded by migration
0003; a later change to them here needs a migration too (a test compares the two).
"""

from dataclasses import dataclass, field

CUSTOMER_READ = "customer:read"
CUSTOMER_WRITE = "customer:write"
PARTY_READ = "party:read"
PARTY_WRITE = "party:write"
CONTACT_WRITE = "contact:write"
IDENTIFY_USE = "identify:use"
VERIFICATION_USE = "verification:use"
SECURITY_READ = "security:read"
SECURITY_WRITE = "security:write"
NOTE_READ = "note:read"
NOTE_WRITE = "note:write"
INTERACTION_READ = "interaction:read"
INTERACTION_WRITE = "interaction:write"
INTERACTION_DELETE = "interaction:delete"
REASON_WRITE = "reason:write"
TEMPLATE_READ = "template:read"
TEMPLATE_WRITE = "template:write"
PREFERENCE_READ = "preference:read"
PREFERENCE_WRITE = "preference:write"
COMMUNICATION_READ = "communication:read"
COMMUNICATION_WRITE = "communication:write"
LEAD_READ = "lead:read"
LEAD_WRITE = "lead:write"
ACCOUNT_READ = "account:read"
ACCOUNT_WRITE = "account:write"
REQUEST_READ = "request:read"
REQUEST_WRITE = "request:write"
REQUEST_CANCEL = "request:cancel"
REQUEST_RAISE = "request:raise"
REQUEST_DELETE = "request:delete"
REQUEST_TYPE_WRITE = "requesttype:write"
REQUEST_APPROVE = "request:approve"
APPROVAL_READ = "approval:read"
USER_ADMIN = "user:admin"
AUDIT_READ = "audit:read"
OUTBOX_READ = "outbox:read"
OUTBOX_RETRY = "outbox:retry"
EVENT_SUBSCRIBE = "event:subscribe"
EVENT_READ = "event:read"
TASK_READ = "task:read"
TASK_WORK = "task:work"
TASK_ASSIGN = "task:assign"
WORKFLOW_WRITE = "workflow:write"
MENU_WRITE = "menu:write"
REPORT_READ = "report:read"
PROBLEM_WRITE = "problem:write"
REPORT_WRITE = "report:write"
CALL_READ = "call:read"
CALL_WRITE = "call:write"
OFFER_READ = "offer:read"
OFFER_WRITE = "offer:write"
HANDOFF_ACKNOWLEDGE = "handoff:acknowledge"
INBOUND_READ = "inbound:read"
INBOUND_REPLAY = "inbound:replay"
INBOUND_RECEIVE = "inbound:receive"
PROFILE_WRITE = "messageprofile:write"
UPSELL_READ = "upsell:read"
UPSELL_ANSWER = "upsell:answer"
UPSELL_WRITE = "upsell:write"
IMPORT_WRITE = "import:write"

# Permission -> what it allows; the order is the order of the documentation.
CATALOGUE: dict[str, str] = {
    CUSTOMER_READ: "read customers (TMF629)",
    CUSTOMER_WRITE: "create, change and delete customers",
    PARTY_READ: "read individuals and organisations (TMF632)",
    PARTY_WRITE: "create, change and delete individuals and organisations",
    CONTACT_WRITE: "change contact details (contact media) only: self-service",
    IDENTIFY_USE: "search for who is calling (identification)",
    VERIFICATION_USE: "check a caller's PIN or security answer, see past checks",
    SECURITY_READ: "see whether a customer has a PIN and which security questions",
    SECURITY_WRITE: "set a customer's PIN and security questions",
    NOTE_READ: "read notes on customers",
    NOTE_WRITE: "add notes to customers",
    INTERACTION_READ: "read interactions and customers' timelines (TMF683)",
    INTERACTION_WRITE: "log interactions, add notes and items, complete them",
    INTERACTION_DELETE: "delete an interaction (audited; history is otherwise kept)",
    REASON_WRITE: "manage the catalogue of interaction reasons",
    TEMPLATE_READ: "read message templates and preview them",
    TEMPLATE_WRITE: "create and change message templates",
    PREFERENCE_READ: "read a customer's contact preferences and consent",
    PREFERENCE_WRITE: "change a customer's contact preferences and consent",
    COMMUNICATION_READ: "read messages sent to customers and others (TMF681); a customer "
    "log-in: those sent to it",
    COMMUNICATION_WRITE: "send messages (TMF681), change or withdraw them before they go",
    LEAD_READ: "read sales leads and their contacts (TMF699)",
    LEAD_WRITE: "create, work, qualify and convert sales leads",
    ACCOUNT_READ: "read billing accounts (TMF666); a customer log-in: its own",
    ACCOUNT_WRITE: "create and change billing accounts; a customer log-in: its own, contacts only",
    REQUEST_READ: "read requests (TMF621 troubleTicket), their status and the request types; "
    "a customer log-in: its own requests",
    REQUEST_WRITE: "raise requests, work them through their statuses, close and reopen them",
    REQUEST_CANCEL: "cancel a request before completion; a customer log-in: its own",
    REQUEST_RAISE: "a customer log-in: raise requests of the self-service types for its own "
    "customer, add notes to its own and reopen them",
    REQUEST_DELETE: "delete a request (audited; history is otherwise kept)",
    REQUEST_TYPE_WRITE: "manage the request type catalogue (troubleTicketSpecification)",
    REQUEST_APPROVE: "approve requests above the requester's limit (e.g. adjustments)",
    APPROVAL_READ: "read approvals of adjustments (awaiting or past a decision)",
    USER_ADMIN: "manage users, roles, permissions and limits",
    AUDIT_READ: "read the audit trail",
    OUTBOX_READ: "list and inspect outgoing messages (outbox), dead letters included",
    OUTBOX_RETRY: "send a dead letter again",
    EVENT_SUBSCRIBE: "subscribe to a TMF API's events (hub); the API's read permission too",
    EVENT_READ: "read the event store (TMF688): the events of the APIs one may read",
    TASK_READ: "read request tasks, task queues and workflows",
    TASK_WORK: "claim, complete and hand back tasks in the queues one's roles work",
    TASK_ASSIGN: "assign tasks to agents; complete or hand back tasks claimed by others",
    WORKFLOW_WRITE: "manage workflows and task queues",
    MENU_WRITE: "manage the USSD, IVR and SMS self-service menus",
    REPORT_READ: "read KPIs, the closed-request analysis and reports (analytics)",
    PROBLEM_WRITE: "open and close problems (outages) and close their linked requests; tell "
    "the customers a problem affects",
    REPORT_WRITE: "define, change and remove reports (what those with report:read read) and "
    "schedule their delivery by email",
    CALL_READ: "see the call journal and the screen pops of calls ringing for oneself",
    CALL_WRITE: "report telephone calls (CTI: new call, answer, hang-up)",
    OFFER_READ: "read the offer catalogue (TMF620 productOffering); a customer log-in: the "
    "offerings of its segment",
    OFFER_WRITE: "manage the offer catalogue: create, change, retire and import offerings",
    HANDOFF_ACKNOWLEDGE: "tell Parley the outcome of an order or adjustment it handed over "
    "(the ordering and billing systems' acknowledgements)",
    INBOUND_READ: "list and inspect inbound messages (mediation): raw content, state, history",
    INBOUND_REPLAY: "put a rejected or dead inbound message back to be applied again",
    INBOUND_RECEIVE: "send partner messages to Parley (stored raw, applied by the workers)",
    PROFILE_WRITE: "manage partner message profiles (mediation) and try them on samples",
    UPSELL_READ: "see a customer's next best offer with its score and reason, their offers and "
    "the up-sell rules (staff only: customers never see scores)",
    UPSELL_ANSWER: "record a customer's answer to an offer; an acceptance raises the add-on "
    "request",
    UPSELL_WRITE: "manage the up-sell rules",
    IMPORT_WRITE: "bulk-import customers and interactions from files, follow the imports and "
    "read their error reports",
}
ALL_PERMISSIONS: frozenset[str] = frozenset(CATALOGUE)

ADJUSTMENT_LIMIT = "adjustmentLimit"
CURRENCY = "currency"
# Limit -> what it bounds. Numeric limits merge by taking the highest over a user's roles.
LIMITS: dict[str, str] = {
    ADJUSTMENT_LIMIT: "largest monetary adjustment the role may make without approval",
    CURRENCY: "ISO 4217 code the monetary limits are in",
}

# Kinds of user: staff log in with a password, clients (other systems) with a client secret,
# customers (self-service) with a password and act only for their own customer record.
STAFF, CLIENT, CUSTOMER = "staff", "client", "customer"
USER_KINDS = (STAFF, CLIENT, CUSTOMER)


@dataclass(frozen=True)
class RoleSpec:
    name: str
    description: str
    permissions: frozenset[str]
    limits: dict = field(default_factory=dict)


_AGENT = frozenset(
    {
        CUSTOMER_READ,
        CUSTOMER_WRITE,
        PARTY_READ,
        PARTY_WRITE,
        CONTACT_WRITE,
        IDENTIFY_USE,
        VERIFICATION_USE,
        SECURITY_READ,
        SECURITY_WRITE,
        NOTE_READ,
        NOTE_WRITE,
        INTERACTION_READ,
        INTERACTION_WRITE,
        TEMPLATE_READ,
        PREFERENCE_READ,
        PREFERENCE_WRITE,
        COMMUNICATION_READ,
        COMMUNICATION_WRITE,
        LEAD_READ,
        LEAD_WRITE,
        ACCOUNT_READ,
        ACCOUNT_WRITE,
        REQUEST_READ,
        REQUEST_WRITE,
        REQUEST_CANCEL,
        TASK_READ,
        TASK_WORK,
        APPROVAL_READ,
        CALL_READ,
        OFFER_READ,
        UPSELL_READ,
        UPSELL_ANSWER,
    }
)

BUILTIN_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "agent",
        "Customer service agent: identifies and verifies callers, keeps their records and notes",
        _AGENT,
        {ADJUSTMENT_LIMIT: 100.0, CURRENCY: "EUR"},
    ),
    RoleSpec(
        "supervisor",
        "Team supervisor: an agent with a higher adjustment limit who approves requests",
        _AGENT | {REQUEST_APPROVE, TASK_ASSIGN, REPORT_READ, PROBLEM_WRITE},
        {ADJUSTMENT_LIMIT: 1000.0, CURRENCY: "EUR"},
    ),
    RoleSpec(
        "administrator",
        "Administrator: everything, including users, roles and the audit trail",
        ALL_PERMISSIONS,
        {ADJUSTMENT_LIMIT: 1000.0, CURRENCY: "EUR"},
    ),
    RoleSpec(
        "integration",
        "Another system (client credentials): reads and writes parties and customers, identifies",
        frozenset(
            {
                CUSTOMER_READ,
                CUSTOMER_WRITE,
                PARTY_READ,
                PARTY_WRITE,
                IDENTIFY_USE,
                INTERACTION_READ,
                INTERACTION_WRITE,
                LEAD_READ,
                LEAD_WRITE,
                ACCOUNT_READ,
                ACCOUNT_WRITE,
                COMMUNICATION_READ,
                COMMUNICATION_WRITE,
                EVENT_SUBSCRIBE,
                EVENT_READ,
                REQUEST_READ,
                REQUEST_WRITE,
                CALL_WRITE,
                OFFER_READ,
                HANDOFF_ACKNOWLEDGE,
                INBOUND_RECEIVE,
            }
        ),
    ),
    RoleSpec(
        "customer",
        "Self-service customer: reads their own record, changes their contact details and PIN",
        frozenset(
            {
                CUSTOMER_READ,
                PARTY_READ,
                CONTACT_WRITE,
                SECURITY_READ,
                SECURITY_WRITE,
                INTERACTION_READ,
                PREFERENCE_READ,
                PREFERENCE_WRITE,
                ACCOUNT_READ,
                ACCOUNT_WRITE,
                REQUEST_READ,
                REQUEST_CANCEL,
                REQUEST_RAISE,
                COMMUNICATION_READ,
                OFFER_READ,
            }
        ),
    ),
)
BUILTIN_ROLE_NAMES = frozenset(role.name for role in BUILTIN_ROLES)


def unknown_permissions(permissions: set[str] | frozenset[str]) -> list[str]:
    return sorted(set(permissions) - ALL_PERMISSIONS)


def merge_limits(limits: list[dict]) -> dict:
    """The limits of a user: the highest of each numeric limit over their roles.

    A non-numeric value (the currency) is taken from the first role that sets it; a deployment
    keeps its monetary limits in one currency.
    """
    merged: dict = {}
    for role_limits in limits:
        for key, value in role_limits.items():
            if key not in merged:
                merged[key] = value
            elif _is_number(value) and _is_number(merged[key]):
                merged[key] = max(merged[key], value)
    return merged


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def markdown_tables() -> str:
    """The permission-by-role and limit tables of docs/auth.md (a test keeps them in sync).

    Regenerate with ``python -c "from parley.auth.permissions import markdown_tables as t;
    print(t())"``.
    """
    names = [role.name for role in BUILTIN_ROLES]
    lines = [
        "| permission | allows | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for permission, allows in CATALOGUE.items():
        marks = ["✓" if permission in role.permissions else "" for role in BUILTIN_ROLES]
        lines.append(f"| `{permission}` | {allows} | " + " | ".join(marks) + " |")
    lines += ["", "| role | " + " | ".join(f"`{k}`" for k in LIMITS) + " | who it is for |"]
    lines.append("|---|" + "---|" * (len(LIMITS) + 1))
    for role in BUILTIN_ROLES:
        values = [str(role.limits.get(key, "—")) for key in LIMITS]
        lines.append(f"| {role.name} | " + " | ".join(values) + f" | {role.description} |")
    return "\n".join(lines)
