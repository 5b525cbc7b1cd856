"""Sales leads: create (after a duplicate check), work, qualify, reject or cancel.

A lead is about a prospect: a person or organisation (a party), with a source channel, an
interest, a rating and priority, an owner (an agent), notes, and the contacts an agent had with
the prospect, each logged as an interaction of that party (so the history follows the person
when they become a customer). Conversion is in ``conversion.py``. Every write is audited; the
service never commits.
"""

import copy

from sqlalchemy.orm import Session

from parley.auth.users import UserService
from parley.changes import UnitOfWork
from parley.changes.recorder import CREATE, DELETE, UPDATE, changed_attributes
from parley.db.base import new_id, storable_id, utcnow
from parley.db.listing import Attribute
from parley.db.repository import Page, Reader, conditions_for
from parley.errors import Conflict, DomainError, InvalidInput, NotFound
from parley.leads import document as doc
from parley.leads.models import PRIORITIES, RATINGS, STATUSES, SalesLead
from parley.leads.options import LeadOptions
from parley.leads.repository import LeadRepository
from parley.parties.duplicates import DuplicateCheck, DuplicateSuspected, Prospect, Suspect
from parley.parties.external import is_external
from parley.parties.models import Party
from parley.parties.service import PartyService

RESOURCE = "salesLead"
FORCED_CREATE = "create_forced"
TRANSITIONS = {
    "acknowledged": {"inProgress", "qualified", "rejected", "cancelled"},
    "inProgress": {"qualified", "rejected", "cancelled"},
    "qualified": {"inProgress", "rejected", "cancelled", "converted"},
    "rejected": set(),
    "converted": set(),
    "cancelled": set(),
}
NEEDS_REASON = ("rejected", "cancelled")
LIST_COLUMNS = {
    "id": SalesLead.id,
    "status": SalesLead.status,
    "name": SalesLead.name,
    "rating": SalesLead.rating,
    "priority": SalesLead.priority,
    "owner": SalesLead.owner_name,
    "channel.id": SalesLead.source_channel,
    "creationDate": Attribute(SalesLead.created_at, sortable=True),
    "statusChangeDate": SalesLead.status_changed_at,
    "relatedParty.id": Attribute(SalesLead.party_id, also=(SalesLead.customer_id,)),
}


class NotQualifiable(DomainError):
    status = 422
    code = "QUALIFICATION_INCOMPLETE"
    reason = "Unprocessable entity"


class ConvertedByConversion(Conflict):
    """A lead is converted by its conversion operation, which the edge names by its path."""

    def __init__(self, lead_id: str):
        self.lead_id = lead_id
        super().__init__(self.describe(None))

    def describe(self, links) -> str:
        where = f"{links.parley_api if links is not None else ''}/sales-leads/{self.lead_id}"
        return (
            f"status: a lead is converted with POST {where}/conversion (customer and billing "
            "account at once)"
        )


class LeadService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = LeadRepository(uow.session)
        self.parties = PartyService(uow)
        self.options = uow.options(LeadOptions)

    # -- reading -------------------------------------------------------------------------

    def get(self, lead_id: str, reader: Reader | None = None) -> SalesLead:
        readable = self.repo.readable_by(reader)
        return self.repo.found(SalesLead, lead_id, readable, f"No sales lead with id {lead_id}")

    def find(self, page: Page, reader: Reader | None = None):
        conditions = conditions_for(LIST_COLUMNS, SalesLead.document, page)
        return self.repo.list_leads([*conditions, self.repo.readable_by(reader)], page)

    def prospect(self, lead: SalesLead) -> Party:
        return self.parties.any_party(lead.party_id)

    def duplicates(self, lead: SalesLead) -> list[Suspect]:
        return DuplicateCheck(self.uow).suspects(
            self.prospect_keys(lead.document, self.prospect(lead)), exclude_lead=lead.id
        )

    # -- writing -------------------------------------------------------------------------

    def create(self, document: dict, force: bool = False) -> SalesLead:
        now = utcnow()
        for key in doc.SERVER_FIELDS:
            document.pop(key, None)
        if document.get("status", "acknowledged") != "acknowledged":
            raise InvalidInput("status: a new lead is acknowledged", "status")
        lead = SalesLead(id=new_id(), status="acknowledged", created_at=now, status_changed_at=now)
        lead.verified_contacts = []
        document["status"] = lead.status
        self._apply(lead, document, before=None)
        suspects = DuplicateCheck(self.uow).suspects(
            self.prospect_keys(document, self.prospect(lead))
        )
        if suspects and not force:
            what = f"The prospect {self.prospect(lead).display_name}"
            raise DuplicateSuspected(suspects, what)
        lead.forced_duplicates = [s.as_dict() for s in suspects] or None
        self.repo.add(lead)
        self.uow.record(RESOURCE, CREATE, lead.id, after=lead.document, event=doc.present(lead))
        if suspects:
            overridden = {"suspects": lead.forced_duplicates}
            self.uow.record(RESOURCE, FORCED_CREATE, lead.id, after=overridden)
        return lead

    def replace(self, lead_id: str, document: dict) -> SalesLead:
        lead = self.repo.get(lead_id, for_update=True) if storable_id(lead_id, 36) else None
        if lead is None:
            raise NotFound(f"No sales lead with id {lead_id}")
        before = copy.deepcopy(lead.document)
        for key in doc.SERVER_FIELDS:
            document.pop(key, None)
        if not TRANSITIONS[lead.status]:
            raise Conflict(f"status: a {lead.status} lead is closed and is not changed")
        status = document.get("status") or lead.status
        if status != lead.status:
            self._check_transition(lead, status, document)
        if doc.prospect_ref(document)[1] != doc.prospect_ref(before)[1]:
            raise Conflict("relatedParty: a lead keeps its prospect; create another lead")
        doc.only_appended_notes(before, document)
        self._apply(lead, document, before)
        if status == "qualified" and lead.status != "qualified":
            self.check_qualified(lead)
        if status != lead.status:
            lead.status, lead.status_changed_at = status, utcnow()
        self.repo.add(lead)
        self.record_update(lead, before)
        return lead

    def delete(self, lead_id: str) -> None:
        lead = self.get(lead_id)
        if lead.status == "converted":
            raise Conflict("a converted lead is the record of a customer's acquisition: kept")
        self.uow.record(RESOURCE, DELETE, lead.id, before=lead.document, event=doc.present(lead))
        self.repo.delete(lead)

    def mark_reached(self, lead: SalesLead, medium: str) -> None:
        """The prospect was reached on ``medium`` (a canonical phone or email): verified."""
        before = lead.document  # replaced below, never changed in place
        if medium not in lead.verified_contacts:
            lead.verified_contacts = [*lead.verified_contacts, medium]
        if lead.status == "acknowledged":
            lead.status, lead.status_changed_at = "inProgress", utcnow()
            lead.document = {**lead.document, "status": "inProgress"}
        lead.updated_at = utcnow()
        self.repo.add(lead)
        # The audit line says what was reached; the event names what the document changed
        # (reached for the first time: acknowledged -> inProgress, a state change).
        self.uow.record(
            RESOURCE,
            UPDATE,
            lead.id,
            after={"verifiedContact": medium, "status": lead.status},
            event=doc.present(lead),
            changed=changed_attributes(before, lead.document),
        )

    # -- rules -----------------------------------------------------------------------------

    def check_qualified(self, lead: SalesLead) -> None:
        """Everything a lead needs to be qualified, all missing items named at once."""
        prospect = self.prospect(lead)
        missing = []
        if not lead.verified_contacts:
            missing.append(
                "a verified contact medium (log a contact that reached the prospect by phone "
                "or email)"
            )
        if not doc.has_address(lead.document, prospect.document):
            missing.append("a postal address (street1, postCode, city, country) of the prospect")
        if not doc.has_interest(lead.document):
            missing.append("an interest (productOffering, productSpecification or description)")
        if prospect.kind == "Organization" and lead.contact_party_id is None:
            missing.append(
                "a contact person (relatedParty with role 'contact') for an organization"
            )
        if missing:
            raise NotQualifiable("cannot qualify the lead; missing: " + "; ".join(missing))

    def _check_transition(self, lead: SalesLead, status: str, document: dict) -> None:
        if status not in STATUSES:
            raise InvalidInput(f"status: one of {', '.join(STATUSES)}", "status")
        if status == "converted":
            raise ConvertedByConversion(lead.id)
        if status not in TRANSITIONS[lead.status]:
            raise Conflict(f"status: a lead cannot go from {lead.status} to {status}")
        if status in NEEDS_REASON and not (document.get("statusChangeReason") or "").strip():
            raise InvalidInput(
                f"statusChangeReason: say why the lead is {status}", "statusChangeReason"
            )

    def _apply(self, lead: SalesLead, document: dict, before: dict | None) -> None:
        document["@type"] = "SalesLead"
        lead.name = doc.required_name(document)
        index, _ = doc.prospect_ref(document)
        lead.party_id = self._referred(document["relatedParty"][index], index).id
        contact = doc.contact_ref(document)
        lead.contact_party_id = None
        if contact is not None:
            index, _ = contact
            lead.contact_party_id = self._referred(document["relatedParty"][index], index).id
        lead.source_channel = doc.source_channel(document)
        lead.rating = doc.choice(document, "rating", RATINGS)
        lead.priority = doc.choice(document, "priority", PRIORITIES)
        lead.owner_user_id, lead.owner_name = self._owner(document)
        doc.normalize_prospect_contact(document, self.options.phone_region)
        doc.fill_notes(document, self.uow.writer().name, utcnow())
        lead.document = document
        lead.updated_at = utcnow()

    def _owner(self, document: dict) -> tuple[str | None, str | None]:
        """The agent who works the lead: the one named, else the staff member creating it."""
        index, wanted = doc.owner_ref(document)
        users = UserService(self.uow)
        if wanted is None:
            actor = self.uow.writer()
            if actor.user_id is None or actor.self_service:
                return None, None
            user = _user(users.get_user, actor.user_id)
            if user is None or user.kind != "staff":
                return None, None
            document.setdefault("relatedParty", []).append(doc.owner_entry(user))
            return user.id, user.username
        user = _user(users.get_user, wanted) or _user(users.get_by_username, wanted)
        if user is None or user.kind != "staff":
            where = f"relatedParty[{index}].id"
            raise InvalidInput(f"{where}: the owner is a staff user; no staff user {wanted}", where)
        document["relatedParty"][index].update(doc.owner_entry(user))
        return user.id, user.username

    def _referred(self, ref: dict, index: int) -> Party:
        """The party a ``relatedParty`` entry names: one of Parley's (checked strictly, and
        its reference completed), or another system's (an external reference, kept as sent:
        the placeholder the party replaces when it is created here, parties/external.py)."""
        where = f"relatedParty[{index}]"
        if is_external(ref) and not self.parties.party_held(str(ref.get("id") or "")):
            return self.parties.external_party(ref, where)
        party = self._party(ref["id"], where)
        doc.fill_party_ref(ref, party)
        return party

    def _party(self, party_id: str, where: str) -> Party:
        try:
            return self.parties.any_party(party_id)
        except NotFound:
            raise InvalidInput(
                f"{where}.id: no individual or organization {party_id}", where
            ) from None

    def prospect_keys(self, document: dict, party: Party) -> Prospect:
        prospect = Prospect.of_party(party)
        phones, emails = doc.prospect_contact_keys(document)
        prospect.phones += [p for p in phones if p not in prospect.phones]
        prospect.emails += [e for e in emails if e not in prospect.emails]
        return prospect

    def record_update(self, lead: SalesLead, before: dict) -> None:
        """Record a changed lead, audit line and event (conversion changes a lead too)."""
        self.uow.record(
            RESOURCE, UPDATE, lead.id, before=before, after=lead.document, event=doc.present(lead)
        )


def _user(lookup, key: str):
    try:
        return lookup(key)
    except NotFound:
        return None


def open_leads_of_parties(session: Session, party_ids: list[str]) -> list[tuple[str, str]]:
    """(lead id, party id) of the leads still being worked on these parties, oldest first:
    what the duplicate check (parties.duplicates) reports beside customers."""
    leads = LeadRepository(session).open_leads_of_parties(party_ids)
    return [(lead.id, lead.party_id) for lead in leads]
