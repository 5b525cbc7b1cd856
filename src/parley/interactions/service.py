"""Logging interactions and reading them back: the rules of the interaction log.

An interaction concerns at most one customer (and through it the person or organisation, whose
timeline it joins). Open interactions (opened, inProgress) grow as the customer gets back in
touch: items, notes and attachments are added and the status moves forward. Once completed, an
interaction is history: only notes, attachments and relationships (to a corrective interaction)
may be appended. Every change is audited. The service never commits.
"""

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy.exc import IntegrityError

from parley.changes import CREATE, DELETE, UPDATE, UnitOfWork
from parley.db.base import ID_LENGTH, iso, new_id, storable_id, utcnow
from parley.db.listing import Attribute
from parley.db.repository import Page, Reader, conditions_for
from parley.db.together import NewRow
from parley.errors import Conflict, InvalidInput, NotFound
from parley.interactions import projection
from parley.interactions.cursor import decode_cursor, encode_cursor
from parley.interactions.models import COMPLETED, DIRECTIONS, STATUSES, Interaction
from parley.interactions.repository import (
    INSERT_INTERACTION,
    INSERT_REFERENCE,
    InteractionRepository,
    TimelineQuery,
    reason_code,
    reason_params,
)
from parley.parties.external import is_external
from parley.parties.service import PartyService, engaged_party_id, party_exists

RESOURCE = "partyInteraction"
# Columns a TMF list filter reads directly (the rest from the JSON document).
_CUSTOMER_OR_PERSON = Attribute(Interaction.customer_id, also=(Interaction.party_id,))
# What TMF683 lists filter on and sort by (db.listing), each backed by an index (0022).
LIST_COLUMNS = {
    "id": Interaction.id,
    "status": Interaction.status,
    "creationDate": Attribute(Interaction.created_at, sortable=True),
    "lastUpdate": Interaction.updated_at,
    "statusChangeDate": Interaction.status_changed_at,
    "interactionDate.startDateTime": Attribute(Interaction.started_at, sortable=True),
    "interactionDate.endDateTime": Interaction.ended_at,
    # The customer (or, before it was one, the person): by either id.
    "relatedParty.id": _CUSTOMER_OR_PERSON,
    "relatedParty.partyOrPartyRole.id": _CUSTOMER_OR_PERSON,
    "relatedChannel.channel.id": Interaction.channel,
    "relatedChannel.channel.name": Interaction.channel,
    # v4's flat channel references (find serves both versions).
    "channel.id": Interaction.channel,
    "channel.name": Interaction.channel,
}
# What the v4 API offers of them (its other attributes are those of the v5 documents stored).
V4_LIST_COLUMNS = {
    name: LIST_COLUMNS[name]
    for name in (
        *("id", "status", "relatedParty.id", "creationDate", "statusChangeDate"),
        *("interactionDate.startDateTime", "interactionDate.endDateTime"),
        *("channel.id", "channel.name"),
    )
}
# Once completed, these lists may still grow (appended to, never rewritten).
APPENDABLE = ("note", "attachment", "interactionRelationship")
# Served from columns (projection.present), not stored in the document.
SERVER_FIELDS = ("creationDate", "lastUpdate", "statusChangeDate")
# A clock a little ahead of ours is not an interaction in the future.
CLOCK_SKEW = timedelta(minutes=5)
STATUS_ORDER = {status: rank for rank, status in enumerate(STATUSES)}
MAX_TIMELINE_PAGE = 200
COLUMNS = frozenset(Interaction.__table__.columns.keys())  # a set: looked up per write


@dataclass
class TimelinePage:
    items: list  # rows with the timeline columns, newest first
    next_cursor: str | None


@dataclass
class _Subject:
    customer_id: str | None
    party_id: str | None
    where: str = "relatedParty"

    def unknown_customer(self) -> InvalidInput:
        return InvalidInput(f"{self.where}: no customer with id {self.customer_id}", self.where)


@dataclass
class NewInteraction:
    rows: list[NewRow]  # the interaction, its references, audit line and event
    # The columns as stored, as a plain record: building an ORM instance costs more than the
    # INSERT on the busiest write, and the answer needs only to read them.
    record: SimpleNamespace
    subject: _Subject

    @property
    def row(self) -> Interaction:
        return Interaction(**vars(self.record))


def needs_look_ups(document: dict) -> bool:
    """Whether logging ``document`` reads the database before writing: it names a person or
    organisation, another system's customer (an external reference), or other interactions,
    besides its customer."""
    if document.get("interactionRelationship"):
        return True
    for _index, _role, kind, _ref, target in projection.party_targets(document):
        if kind in projection.PARTY_TYPES or (kind == "Customer" and is_external(target)):
            return True
    return False


class InteractionService:
    def __init__(self, uow: UnitOfWork):
        self.uow = uow
        self.session = uow.session  # for the parties' front door (engaged party, existence)
        self.repo = InteractionRepository(uow.session)

    # -- reading -------------------------------------------------------------------------

    def get(self, interaction_id: str, reader: Reader | None = None) -> Interaction:
        """The interaction, if ``reader`` (None: the system) may read it; else not found."""
        readable = self.repo.readable_by(reader)
        return self.repo.found(
            Interaction, interaction_id, readable, f"No party interaction with id {interaction_id}"
        )

    def find(self, page: Page, reader: Reader | None = None):
        columns = self.repo.narrowed(LIST_COLUMNS, page)
        conditions = conditions_for(columns, Interaction.document, page)
        return self.repo.list_interactions([*conditions, self.repo.readable_by(reader)], page)

    def timeline(
        self,
        customer_id: str,
        limit: int = 20,
        cursor: str | None = None,
        own_only: bool = False,
        **filters,
    ) -> TimelinePage:
        """A customer's history, newest first, a page at a time.

        It covers everything logged for the customer's engaged party: this customer account,
        the person's other accounts (former, disconnected ones included) and what was logged
        before they became a customer. ``own_only`` keeps to this customer account (a
        customer's own log-in). The cursor is the position after the last entry of the
        previous page, so entries logged meanwhile neither shift nor repeat the pages that
        follow.
        """
        if not 1 <= limit <= MAX_TIMELINE_PAGE:
            raise InvalidInput(f"limit: between 1 and {MAX_TIMELINE_PAGE}", "limit")
        known = storable_id(customer_id)
        party_id = engaged_party_id(self.uow.session, customer_id) if known else None
        if party_id is None:
            raise NotFound(f"No customer with id {customer_id}")
        query = TimelineQuery(
            party_id=None if own_only else party_id,
            customer_id=customer_id if own_only else None,
            before=decode_cursor(cursor) if cursor else None,
            limit=limit + 1,
            **filters,
        )
        rows = self.repo.timeline(query)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].started_at, rows[-1].id) if more else None
        return TimelinePage(rows, next_cursor)

    def documents(self, interaction_ids: list[str]) -> dict[str, dict]:
        """The documents of these interactions (ids a timeline page gave), by id."""
        wanted = [i for i in interaction_ids[:MAX_TIMELINE_PAGE] if storable_id(i)]
        return self.repo.documents(wanted)

    def open_of_customer(self, customer_id: str, limit: int = 10) -> list[Interaction]:
        """The customer's interactions still open (opened or in progress), newest first."""
        if not storable_id(customer_id):
            return []
        return self.repo.open_of_customer(customer_id, limit)

    def about_entity(self, party_id: str, entity_id: str, limit: int = MAX_TIMELINE_PAGE):
        """What was logged with a person or organisation about one entity (a sales lead, a
        request), newest first, as timeline rows."""
        query = TimelineQuery(
            party_id=party_id, customer_id=None, before=None, limit=limit, related_entity=entity_id
        )
        return self.repo.timeline(query)

    # -- writing -------------------------------------------------------------------------

    def create(self, document: dict, lenient: bool = False) -> Interaction:
        """Log an interaction from a TMF683 v5 document (already checked against the spec).

        ``lenient`` accepts what the v4 conformance kit sends (e.g. "inbounds"). The document
        becomes the stored one (the edge hands over the copy it checked): no copy is made.
        """
        new = self.new_interaction(document, lenient)
        try:
            self.repo.insert_logged(new.rows)
        except IntegrityError:
            # The one reference left to the database: the customer (the rest is checked).
            raise new.subject.unknown_customer() from None
        return new.row

    def create_many(self, new: list["NewInteraction"]) -> None:
        """Store interactions built by ``new_interaction`` together (a bulk import's batch):
        each statement sent once for all of them. A customer that does not exist fails the
        whole call with IntegrityError; the caller checked them first."""
        self.repo.insert_many([row for interaction in new for row in interaction.rows])

    def new_interaction(self, document: dict, lenient: bool = False) -> "NewInteraction":
        """What ``create`` stores: the interaction's rows with its audit line and event, built
        without writing. It reads the database only for what the document refers to besides
        its customer (``needs_look_ups``)."""
        now = utcnow()
        document.pop("id", None)
        document.pop("href", None)
        interaction_id = new_id()
        direction = _direction(document.get("direction"), lenient)
        if not document.get("relatedChannel"):
            raise InvalidInput("relatedChannel: name the channel it took place on", "channel")
        status = document.get("status") or (
            COMPLETED if (document.get("interactionDate") or {}).get("endDateTime") else "opened"
        )
        _check_status(status)
        document["status"] = status
        started, ended = self._period(document, status, now)
        subject = self._subject(document, resolve=False)
        self._check_relationships(document, interaction_id)
        author = self.uow.writer().name
        projection.fill_server_parts(document, author, now)
        for key in SERVER_FIELDS:
            document.pop(key, None)
        document["@type"] = document.get("@type") or "PartyInteraction"
        values = {
            "id": interaction_id,
            "customer_id": subject.customer_id,
            "given_party_id": subject.party_id,
            "of_customer_id": subject.customer_id,
            "direction": direction,
            "channel": projection.channel_of(document),
            **reason_params(document.get("reason")),
            "reason": (document.get("reason") or None) and document["reason"][:500],
            "status": status,
            "started_at": started,
            "ended_at": ended,
            "description": projection.short_description(document),
            "logged_by": author[:150],
            "document": document,
            "created_at": now,
            "updated_at": now,
            "status_changed_at": now,
        }
        rows = [NewRow(INSERT_INTERACTION, values)]
        references = _references(interaction_id, document)
        if references:
            rows += [NewRow(INSERT_REFERENCE, reference) for reference in references]
        # What is stored, without reading it back (this is the hot path of logging).
        stored = {k: v for k, v in values.items() if k in COLUMNS}
        record = SimpleNamespace(**stored, party_id=subject.party_id)
        shown = projection.present(record)
        rows += self.uow.change_rows(RESOURCE, CREATE, interaction_id, event=shown)
        return NewInteraction(rows, record, subject)

    def replace(self, interaction_id: str, document: dict) -> Interaction:
        """Apply a merge-patched document: what may change depends on the status."""
        if not storable_id(interaction_id):
            raise NotFound(f"No party interaction with id {interaction_id}")
        row = self.repo.get(interaction_id, for_update=True)
        if row is None:
            raise NotFound(f"No party interaction with id {interaction_id}")
        now = utcnow()
        before = copy.deepcopy(row.document)
        document = copy.deepcopy(document)
        for key in ("id", "href", *SERVER_FIELDS):
            document.pop(key, None)
        _unchanged(before, document, "direction")
        _unchanged(
            before.get("interactionDate") or {},
            document.get("interactionDate") or {},
            "startDateTime",
            "interactionDate.",
        )
        status = document.get("status") or row.status
        _check_status(status)
        if STATUS_ORDER[status] < STATUS_ORDER[row.status]:
            raise Conflict(f"status: an interaction moves forward only ({row.status} -> {status})")
        if not document.get("relatedChannel"):
            raise InvalidInput("relatedChannel: name the channel it took place on", "channel")
        projection.fill_server_parts(document, self.uow.writer().name, now)
        if row.status == COMPLETED:
            _only_appended(before, document)
        self._check_relationships(document, interaction_id)
        started, ended = self._period(document, status, now, started=row.started_at)
        subject = self._subject(document, resolve=True)
        if row.status == COMPLETED and (subject.customer_id, subject.party_id) != (
            row.customer_id,
            row.party_id,
        ):
            raise Conflict("relatedParty: a completed interaction keeps its customer")
        if status != row.status:
            row.status, row.status_changed_at = status, now
        document["status"] = status
        row.customer_id, row.party_id = subject.customer_id, subject.party_id
        row.channel = projection.channel_of(document)
        row.reason_code = reason_code(document.get("reason"))
        row.reason = (document.get("reason") or None) and document["reason"][:500]
        row.started_at, row.ended_at = started, ended
        row.description = projection.short_description(document)
        row.document, row.updated_at = document, now
        self.repo.add(row)
        self.repo.replace_references(row.id, _references(row.id, document))
        self.uow.record(
            RESOURCE, UPDATE, row.id, before=before, after=document, event=projection.present(row)
        )
        return row

    def complete(
        self,
        interaction_id: str,
        items: list[dict],
        note: str | None = None,
        said_after: str = "",
    ) -> Interaction | None:
        """Complete an open interaction, ``items`` (and ``note``) appended, ``said_after``
        appended to its description: what ``replace`` does for such a change, without its
        general checks (nothing else in the document changes, so its customer, channel and
        references stay) and in three statements: the row read and locked, its update, and
        its audit line with its event (one statement on PostgreSQL). None if there is no such
        interaction or it was completed already."""
        row = self.repo.get(interaction_id, for_update=True)
        if row is None or row.status == COMPLETED:
            return None
        now = utcnow()
        before = row.document
        document = {**before, "interactionItem": [*(before.get("interactionItem") or []), *items]}
        if note:
            document["note"] = [*(before.get("note") or []), {"@type": "Note", "text": note}]
        if said_after:
            document["description"] = f"{before.get('description', '')}{said_after}"[:500]
        document["status"] = COMPLETED
        dates = before.get("interactionDate") or {}
        document["interactionDate"] = {**dates, "endDateTime": iso(now)}
        projection.fill_server_parts(document, self.uow.writer().name, now)
        row.started_at, row.ended_at = self._period(document, COMPLETED, now, row.started_at)
        row.status, row.status_changed_at = COMPLETED, now
        row.description = projection.short_description(document)
        row.document, row.updated_at = document, now
        self.session.flush()
        appended = _references(row.id, {"interactionItem": items})
        if appended:
            self.session.execute(INSERT_REFERENCE, appended)
        rows = self.uow.change_rows(
            RESOURCE, UPDATE, row.id, before=before, after=document, event=projection.present(row)
        )
        self.repo.insert_logged(rows)
        return row

    def delete(self, interaction_id: str) -> None:
        row = self.get(interaction_id)
        before = copy.deepcopy(row.document)
        presented = projection.present(row)
        self.repo.delete_interaction(row)
        self.uow.record(RESOURCE, DELETE, interaction_id, before=before, event=presented)

    # -- rules -----------------------------------------------------------------------------

    def _period(self, document: dict, status: str, now: datetime, started=None):
        try:
            start, end = projection.period(document)
        except ValueError:
            raise InvalidInput("interactionDate: not a date-time", "interactionDate") from None
        for name, moment in (("startDateTime", start), ("endDateTime", end)):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput(
                    f"interactionDate.{name}: needs a time zone offset (e.g. Z)", "interactionDate"
                )
            if moment is not None and moment > now + CLOCK_SKEW:
                raise InvalidInput(f"interactionDate.{name}: is in the future", "interactionDate")
        # A momentary interaction (a message) may give only one of the two.
        start = started or start or end or now
        if status == COMPLETED and end is None:
            end = max(start, now)
        if status != COMPLETED and end is not None:
            raise InvalidInput(
                "interactionDate.endDateTime: only a completed interaction has an end",
                "interactionDate",
            )
        if end is not None and end < start:
            raise InvalidInput("interactionDate: ends before it starts", "interactionDate")
        period = document.setdefault("interactionDate", {})
        period["startDateTime"] = period.get("startDateTime") or iso(start)
        if end is not None:
            period["endDateTime"] = period.get("endDateTime") or iso(end)
        return start, end

    def _subject(self, document: dict, resolve: bool) -> _Subject:
        """The customer or, failing one, the party the interaction concerns.

        A reference to another system's customer or party (an external reference, kept in the
        document as sent) stands for the party behind it: the placeholder that the party
        itself replaces when it is created here (parties/external.py). Parley's own ids are
        checked strictly. With ``resolve`` the customer's engaged party is looked up here;
        without it the INSERT takes it from the customer (one round trip less; its foreign
        key refuses an unknown customer).
        """
        subject = _Subject(None, None)
        for index, _role, kind, ref_id, target in projection.party_targets(document):
            where = f"relatedParty[{index}]"
            if kind != "Customer" and kind not in projection.PARTY_TYPES:
                continue  # a reference to something else: kept as sent
            if is_external(target) and not self._held(kind, ref_id):
                if subject.party_id is None:
                    parties = PartyService(self.uow)
                    subject.party_id = parties.external_party(target, where).id
            elif kind == "Customer":
                if subject.customer_id is not None and ref_id != subject.customer_id:
                    raise InvalidInput(f"{where}: an interaction concerns one customer", where)
                if not storable_id(ref_id, ID_LENGTH):
                    raise InvalidInput(f"{where}: no customer with id {ref_id}", where)
                subject.customer_id, subject.where = ref_id, where
            elif subject.party_id is None:
                if not (storable_id(ref_id, ID_LENGTH) and party_exists(self.uow.session, ref_id)):
                    raise InvalidInput(f"{where}: no {kind.lower()} with id {ref_id}", where)
                subject.party_id = ref_id
        if subject.customer_id is not None:
            subject.party_id = None  # the customer's engaged party, whoever else is named
            if resolve:
                subject.party_id = engaged_party_id(self.uow.session, subject.customer_id)
                if subject.party_id is None:
                    raise subject.unknown_customer()
        return subject

    def _held(self, kind: str, ref_id: str) -> bool:
        """Whether Parley holds the customer (or party) an external-looking reference names."""
        parties = PartyService(self.uow)
        return parties.customer_exists(ref_id) if kind == "Customer" else parties.party_held(ref_id)

    def _check_relationships(self, document: dict, own_id: str) -> None:
        related = [r.get("id") for r in document.get("interactionRelationship") or []]
        if own_id in related:
            raise InvalidInput("interactionRelationship: an interaction cannot relate to itself")
        unknown = set(filter(None, related)) - self.repo.existing_ids(
            r for r in related if r and storable_id(r)
        )
        if unknown:
            raise InvalidInput(
                f"interactionRelationship: no party interaction with id {sorted(unknown)[0]}",
                "interactionRelationship",
            )


def _direction(value, lenient: bool) -> str:
    text = (value or "").strip()
    if text in DIRECTIONS:
        return text
    if lenient and text.lower().startswith(("in", "out")):
        return "inbound" if text.lower().startswith("in") else "outbound"
    raise InvalidInput("direction: inbound or outbound", "direction")


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise InvalidInput(f"status: one of {', '.join(STATUSES)}", "status")


def _unchanged(before: dict, after: dict, key: str, prefix: str = "") -> None:
    if key in after and after.get(key) != before.get(key):
        raise InvalidInput(f"{prefix}{key}: cannot be changed once logged", f"{prefix}{key}")
    if key in before:
        after[key] = before[key]


def _only_appended(before: dict, after: dict) -> None:
    """A completed interaction: the same content, with entries only added to the end of the
    appendable lists."""
    for key in set(before) | set(after):
        if key in SERVER_FIELDS:
            continue
        old, new = before.get(key), after.get(key)
        if key in APPENDABLE:
            old, new = old or [], new or []
            if new[: len(old)] == old:
                continue
        elif old == new:
            continue
        raise Conflict(
            f"{key}: a completed interaction is history and is not rewritten; "
            "append a note, or log a corrective interaction and relate it"
        )


def _references(interaction_id: str, document: dict) -> list[dict]:
    return [
        {"interaction_id": interaction_id, "entity_type": kind, "entity_id": ref, "role": role}
        for kind, ref, role in projection.entity_references(document)
    ]
