"""Partner message profiles as administrators manage them: saved only when they check (a bad
JSONata expression or stylesheet, an unknown command: InvalidInput naming where), every
change audited; and the dry run, what a sample message would become, without writing."""

import copy
from dataclasses import dataclass, field

from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import iso, new_id, utcnow
from parley.db.repository import Page
from parley.errors import Conflict, DomainError, InvalidInput
from parley.mediation.commands import as_json, resolve, validated
from parley.mediation.models import MessageProfile
from parley.mediation.options import MediationOptions
from parley.mediation.profile import Compiled, compile_profile, compiled_of
from parley.mediation.repository import ProfileRepository

RESOURCE = "messageProfile"


def label(profile: MessageProfile | Compiled) -> str:
    """``acme-networks/trouble-report v1``."""
    if isinstance(profile, Compiled):
        doc = profile.document
        return f"{doc.partner}/{doc.transactionType} v{doc.version}"
    return f"{profile.partner}/{profile.transaction_type} v{profile.version}"


@dataclass
class Sample:
    """A message to try a profile on (a dry run), or one being parsed."""

    content: bytes
    content_type: str | None
    headers: dict[str, str] = field(default_factory=dict)
    source: str = "partner"
    partner: str | None = None
    transaction_type: str | None = None
    message_id: str | None = None
    received_at: str | None = None

    def bindings(self) -> dict:
        """``$message`` in a profile's JSONata."""
        return {
            "partner": self.partner,
            "transactionType": self.transaction_type,
            "contentType": self.content_type,
            "headers": dict(self.headers),
            "receivedAt": self.received_at,
            "messageId": self.message_id,
        }


def read_sample(compiled: Compiled, sample: Sample) -> list:
    """The commands the sample becomes, each checked against its shape."""
    raw = compiled.read(sample.content, sample.content_type, sample.bindings())
    return validated(compiled.document.command, raw)


class ProfileService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.repo = ProfileRepository(uow.session)

    # -- reading ---------------------------------------------------------------------------

    def get(self, profile_id: str) -> MessageProfile:
        missing = f"No message profile with id {profile_id}"
        return self.repo.found(MessageProfile, profile_id, None, missing)

    def find(self, page: Page, partner: str | None = None, transaction_type: str | None = None):
        conditions = []
        if partner is not None:
            conditions.append(MessageProfile.partner == partner.strip().lower())
        if transaction_type is not None:
            conditions.append(MessageProfile.transaction_type == transaction_type.strip().lower())
        return self.repo.listed(conditions, page)

    def compiled(self, profile: MessageProfile) -> Compiled:
        return compiled_of(profile.id, iso(profile.updated_at), profile.document)

    def active(self, partner: str, transaction_type: str | None) -> list[MessageProfile]:
        rows = self.repo.active_of_partner(partner)
        if transaction_type is not None:
            rows = [row for row in rows if row.transaction_type == transaction_type]
        return rows

    # -- managing ----------------------------------------------------------------------------

    def create(self, document: dict) -> MessageProfile:
        self.uow.writer()  # audited: fail before changing anything
        compiled = compile_profile(document)
        self._identity_free(compiled, None)
        now = utcnow()
        row = MessageProfile(id=new_id(), created_at=now)
        self._apply(row, compiled, now)
        self.repo.add(row)
        self.uow.record(RESOURCE, CREATE, row.id, after=row.document)
        return row

    def replace(self, profile_id: str, document: dict) -> MessageProfile:
        self.uow.writer()
        row = self.get(profile_id)
        compiled = compile_profile(document)
        self._identity_free(compiled, row.id)
        before = copy.deepcopy(row.document)
        self._apply(row, compiled, utcnow())
        self.repo.add(row)
        self.uow.record(RESOURCE, UPDATE, row.id, before=before, after=row.document)
        return row

    def delete(self, profile_id: str) -> None:
        self.uow.writer()
        row = self.get(profile_id)
        before = copy.deepcopy(row.document)
        self.repo.delete(row)
        self.uow.record(RESOURCE, DELETE, profile_id, before=before)

    def _identity_free(self, compiled: Compiled, own_id: str | None) -> None:
        doc = compiled.document
        holder = self.repo.by_identity(doc.partner, doc.transactionType, doc.version)
        if holder is not None and holder.id != own_id:
            raise Conflict(
                f"version: {label(compiled)} exists already (profile {holder.id}); "
                "change that one or give another version"
            )

    @staticmethod
    def _apply(row: MessageProfile, compiled: Compiled, now) -> None:
        doc = compiled.document
        row.partner, row.transaction_type, row.version = (
            doc.partner,
            doc.transactionType,
            doc.version,
        )
        row.name = doc.name or label(compiled)
        row.active, row.command = doc.active, doc.command
        row.document = doc.model_dump(mode="json", exclude_none=True)
        row.updated_at = now

    # -- trying ------------------------------------------------------------------------------

    def dry_run(self, profile: dict | MessageProfile, sample: Sample) -> dict:
        """What the worker would make of ``sample`` with this profile (a stored one, or a
        document not saved): whether the profile recognises it, the commands it becomes and
        the ids of what they name, or why it would be rejected. Nothing is written."""
        if isinstance(profile, MessageProfile):
            compiled, shown = self.compiled(profile), {"id": profile.id}
        else:
            compiled, shown = compile_profile(profile), {}
        doc = compiled.document
        shown.update(partner=doc.partner, transactionType=doc.transactionType, version=doc.version)
        sample.partner = sample.partner or doc.partner
        sample.transaction_type = sample.transaction_type or doc.transactionType
        mismatches = compiled.mismatches(sample.content, sample.content_type, sample.headers)
        answer = {
            "profile": shown,
            "recognised": not mismatches,
            "mismatches": mismatches,
            "command": doc.command,
            "items": [],
            "resolved": [],
            "wouldBe": "applied",
            "reason": None,
        }
        region = self.uow.options(MediationOptions).phone_region
        try:
            items = read_sample(compiled, sample)
            answer["items"] = [as_json(item) for item in items]
            for index, item in enumerate(items):
                answer["resolved"].append(_resolved(self.uow, item, region, index, len(items)))
        except DomainError as refusal:
            answer["wouldBe"], answer["reason"] = "rejected", reason_of(refusal)
        return answer


def _resolved(uow: UnitOfWork, item, region: str, index: int, count: int) -> dict:
    try:
        return resolve(uow, item, region)
    except DomainError as refusal:
        if count > 1:
            raise InvalidInput(f"command[{index}]: {reason_of(refusal)}", refusal.field) from None
        raise


def reason_of(refusal: DomainError) -> str:
    """A refusal as a message's reason: its message, which names where."""
    return refusal.message


def profile_view(row: MessageProfile) -> dict:
    return {
        "id": row.id,
        **copy.deepcopy(row.document),
        "creationDate": iso(row.created_at),
        "lastUpdate": iso(row.updated_at),
    }
