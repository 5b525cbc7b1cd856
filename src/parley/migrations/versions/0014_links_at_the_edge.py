"""Links at the edge: stored documents no longer hold Parley's own hrefs.

Hrefs are made when a document is served (parley.links) from PARLEY_BASE_URL and the API
prefixes. This removes from every stored document the href of each reference to a Parley
resource: the href built from the base URL and prefixes configured now, and, so that documents
written under an earlier base URL are cleaned too, any href whose path is
``<a known prefix>/<collection>/<the reference's id>`` for an id Parley makes (a UUID).
References to other systems keep their hrefs. The downgrade puts the hrefs back (made from the
settings of the moment) into every reference to a Parley resource that has none.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import copy
import uuid
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

from parley.db.base import JSONDocument
from parley.settings import get_settings

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Written out, not imported, so that this migration keeps meaning what it meant.
# Referred type -> (settings attribute of the API prefix, its default, the collection).
COLLECTIONS = {
    "Individual": ("party_api_prefix", "/tmf-api/partyManagement/v5", "individual"),
    "Organization": ("party_api_prefix", "/tmf-api/partyManagement/v5", "organization"),
    "Customer": ("customer_api_prefix", "/tmf-api/customerManagement/v5", "customer"),
    "PartyInteraction": (
        "interaction_api_prefix",
        "/tmf-api/partyInteractionManagement/v5",
        "partyInteraction",
    ),
    "TroubleTicket": ("trouble_ticket_api_prefix", "/tmf-api/troubleTicket/v5", "troubleTicket"),
    "TroubleTicketSpecification": (
        "trouble_ticket_api_prefix",
        "/tmf-api/troubleTicket/v5",
        "troubleTicketSpecification",
    ),
    "BillingAccount": ("account_api_prefix", "/tmf-api/accountManagement/v5", "billingAccount"),
    "SalesLead": ("sales_api_prefix", "/tmf-api/salesManagement/v4", "salesLead"),
    "CommunicationMessage": (
        "communication_api_prefix",
        "/tmf-api/communicationManagement/v4",
        "communicationMessage",
    ),
    "UserRole": ("roles_api_prefix", "/tmf-api/userRolesAndPermissions/v4", "userRole"),
    "Approval": ("parley_api_prefix", "/api/v1", "approvals"),
    "Task": ("parley_api_prefix", "/api/v1", "tasks"),
}
REFERENCE_TYPES = {
    "BillingAccountRef": "BillingAccount",
    "TroubleTicketSpecificationRef": "TroubleTicketSpecification",
}
# Every table keeping a TMF document whole in ``document``.
TABLES = (
    "party",
    "customer",
    "billing_account",
    "party_interaction",
    "sales_lead",
    "communication_message",
    "request_type",
    "customer_request",
)
BATCH = 500


class _Links:
    def __init__(self):
        settings = get_settings()
        base = settings.base_url.rstrip("/")
        self.current = {}  # referred type -> the collection URL configured now
        self.paths = {}  # referred type -> the collection paths it may have been served at
        for kind, (attribute, default, name) in COLLECTIONS.items():
            prefix = getattr(settings, attribute, default)
            self.current[kind] = f"{base}{prefix}/{name}"
            self.paths[kind] = {f"{prefix}/{name}", f"{default}/{name}"}

    @staticmethod
    def kind(ref: dict) -> str | None:
        kind = ref.get("@referredType")
        return kind if isinstance(kind, str) else REFERENCE_TYPES.get(ref.get("@type"))

    def own(self, ref: dict) -> bool:
        href, ref_id = ref.get("href"), ref.get("id")
        if not isinstance(href, str) or not isinstance(ref_id, str) or not ref_id:
            return False
        kind = self.kind(ref)
        kinds = [kind] if kind in COLLECTIONS else list(COLLECTIONS)
        if any(href == f"{self.current[k]}/{ref_id}" for k in kinds):
            return True
        if not _made_by_parley(ref_id):
            return False
        path = urlsplit(href).path
        return any(path == f"{p}/{ref_id}" for k in kinds for p in self.paths[k])

    def strip(self, value, top: bool = True) -> bool:
        """Remove Parley's own hrefs from the references in ``value``; True if any was."""
        changed = False
        if isinstance(value, list):
            for item in value:
                changed |= self.strip(item, False)
        elif isinstance(value, dict):
            for item in value.values():
                changed |= self.strip(item, False)
            if not top and "href" in value and self.own(value):
                del value["href"]
                changed = True
        return changed

    def fill(self, value, top: bool = True):
        """``value`` with the href of every reference to a Parley resource that has none."""
        if isinstance(value, list):
            return [self.fill(item, False) for item in value]
        if not isinstance(value, dict):
            return value
        filled = {key: self.fill(item, False) for key, item in value.items()}
        ref_id, kind = filled.get("id"), self.kind(filled)
        if top or "href" in filled or not isinstance(ref_id, str) or kind not in COLLECTIONS:
            return filled
        linked = {}
        for key, item in filled.items():
            linked[key] = item
            if key == "id":
                linked["href"] = f"{self.current[kind]}/{ref_id}"
        return linked


def _made_by_parley(ref_id: str) -> bool:
    try:
        uuid.UUID(ref_id)
    except ValueError:
        return False
    return True


def _table(name: str) -> sa.TableClause:
    return sa.table(name, sa.column("id", sa.String(36)), sa.column("document", JSONDocument))


def _rewrite(change, only_with_href: bool) -> None:
    """Apply ``change`` (document -> new document, or None: unchanged) to every document."""
    bind = op.get_bind()
    for name in TABLES:
        table = _table(name)
        last = ""
        while True:
            query = sa.select(table.c.id, table.c.document).where(table.c.id > last)
            if only_with_href:
                query = query.where(sa.cast(table.c.document, sa.Text).like('%"href"%'))
            rows = bind.execute(query.order_by(table.c.id).limit(BATCH)).all()
            if not rows:
                break
            for row in rows:
                document = change(row.document)
                if document is not None:
                    bind.execute(
                        sa.update(table).where(table.c.id == row.id).values(document=document)
                    )
            last = rows[-1].id


def upgrade() -> None:
    links = _Links()

    def stripped(document):
        if not isinstance(document, dict):
            return None
        document = copy.deepcopy(document)
        return document if links.strip(document) else None

    _rewrite(stripped, only_with_href=True)


def downgrade() -> None:
    links = _Links()

    def filled(document):
        if not isinstance(document, dict):
            return None
        linked = links.fill(document)
        return linked if linked != document else None

    _rewrite(filled, only_with_href=False)
