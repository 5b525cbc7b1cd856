"""The only place that queries the request tables."""

from sqlalchemy import ColumnElement, func, select

from parley.db.repository import Page, Reader, Repository, owned_by_reader
from parley.requests.models import (
    CustomerRequest,
    RequestAttachment,
    RequestStatusChange,
    RequestType,
    SatisfactionSurvey,
)


class RequestRepository(Repository):
    # -- request types ---------------------------------------------------------------------

    def type_by_id(self, type_id: str) -> RequestType | None:
        return self.session.get(RequestType, type_id)

    def type_by_code(self, code: str) -> RequestType | None:
        return self.session.scalar(select(RequestType).where(RequestType.code == code))

    def active_types(self) -> list[RequestType]:
        query = select(RequestType).where(RequestType.lifecycle_status == "active")
        return list(self.session.scalars(query.order_by(RequestType.code)))

    def types_readable_by(self, _reader: Reader | None) -> None:
        """The catalogue is public: whoever may read requests reads every type."""
        return None

    def list_types(self, conditions: list[ColumnElement], page: Page) -> tuple[list, int]:
        order = ((RequestType.code, False),)
        return self.page(RequestType, conditions, page, *order)

    def type_in_use(self, type_id: str) -> bool:
        query = select(CustomerRequest.id).where(CustomerRequest.type_id == type_id).limit(1)
        return self.session.scalar(query) is not None

    # -- requests --------------------------------------------------------------------------

    def get(self, request_id: str, for_update: bool = False) -> CustomerRequest | None:
        query = select(CustomerRequest).where(CustomerRequest.id == request_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def reference_taken(self, reference: str) -> bool:
        query = select(CustomerRequest.id).where(CustomerRequest.reference == reference)
        return self.session.scalar(query) is not None

    def readable_by(self, reader: Reader | None) -> ColumnElement[bool] | None:
        """A customer's log-in reads its own customer's requests only."""
        return owned_by_reader(CustomerRequest.customer_id, reader)

    def list_requests(
        self, conditions: list[ColumnElement], page: Page
    ) -> tuple[list[CustomerRequest], int]:
        order = ((CustomerRequest.created_at, True),)
        return self.page(CustomerRequest, conditions, page, *order)

    def attachment(self, attachment_id: str) -> RequestAttachment | None:
        return self.session.get(RequestAttachment, attachment_id)

    def named_files(self, checksums: list[str]) -> set[str]:
        """Which of ``checksums`` some attachment's file is."""
        query = select(RequestAttachment.sha256).where(RequestAttachment.sha256.in_(checksums))
        return set(self.session.scalars(query.distinct()))

    def attachments_of(self, request_id: str) -> list[RequestAttachment]:
        query = select(RequestAttachment).where(RequestAttachment.request_id == request_id)
        order = (RequestAttachment.created_at, RequestAttachment.id)
        return list(self.session.scalars(query.order_by(*order)))

    def survey_of(self, request_id: str) -> SatisfactionSurvey | None:
        query = select(SatisfactionSurvey).where(SatisfactionSurvey.request_id == request_id)
        return self.session.scalars(query).first()

    def surveys_of_customer(
        self, customer_id: str, offset: int, limit: int, answered_only: bool
    ) -> tuple[list[tuple[SatisfactionSurvey, str]], int]:
        """The customer's surveys with their request's reference, newest first (answered
        ones by when they were answered), and how many there are."""
        conditions = [SatisfactionSurvey.customer_id == customer_id]
        if answered_only:
            conditions.append(SatisfactionSurvey.answered_at.is_not(None))
        total = self.session.scalar(
            select(func.count()).select_from(SatisfactionSurvey).where(*conditions)
        )
        newest = func.coalesce(SatisfactionSurvey.answered_at, SatisfactionSurvey.created_at)
        query = (
            select(SatisfactionSurvey, CustomerRequest.reference)
            .join(CustomerRequest, CustomerRequest.id == SatisfactionSurvey.request_id)
            .where(*conditions)
            .order_by(newest.desc(), SatisfactionSurvey.id)
            .offset(offset)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in self.session.execute(query)], total or 0

    def survey_by_token(self, token_hash: str) -> SatisfactionSurvey | None:
        query = select(SatisfactionSurvey).where(SatisfactionSurvey.token_hash == token_hash)
        return self.session.scalars(query.with_for_update()).first()

    def survey_ratings(self, start, end) -> list[tuple[str, int, int]]:
        """(type code, rating, surveys) of the surveys answered in [start, end)."""
        survey = SatisfactionSurvey
        query = (
            select(RequestType.code, survey.rating, func.count())
            .join(CustomerRequest, CustomerRequest.id == survey.request_id)
            .join(RequestType, RequestType.id == CustomerRequest.type_id)
            .where(survey.answered_at >= start, survey.answered_at < end)
            .group_by(RequestType.code, survey.rating)
        )
        return [tuple(row) for row in self.session.execute(query)]

    def surveys_asked(self, start, end) -> tuple[int, int]:
        """(asked, answered by now) of the surveys asked in [start, end)."""
        survey = SatisfactionSurvey
        query = select(func.count(), func.count(survey.answered_at)).where(
            survey.created_at >= start, survey.created_at < end
        )
        asked, answered = self.session.execute(query).one()
        return asked, answered

    def history(self, request_id: str) -> list[RequestStatusChange]:
        query = select(RequestStatusChange).where(RequestStatusChange.request_id == request_id)
        return list(self.session.scalars(query.order_by(RequestStatusChange.id)))

    def histories(self, request_ids: list[str]) -> dict[str, list[RequestStatusChange]]:
        found: dict[str, list[RequestStatusChange]] = {rid: [] for rid in request_ids}
        if request_ids:
            query = select(RequestStatusChange).where(
                RequestStatusChange.request_id.in_(request_ids)
            )
            for change in self.session.scalars(query.order_by(RequestStatusChange.id)):
                found[change.request_id].append(change)
        return found
