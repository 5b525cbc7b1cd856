"""The only place that queries the request tables."""

from sqlalchemy import ColumnElement, func, select

from parley.db.repository import Repository
from parley.requests.models import CustomerRequest, RequestStatusChange, RequestType


class RequestRepository(Repository):
    # -- request types ---------------------------------------------------------------------

    def type_by_id(self, type_id: str) -> RequestType | None:
        return self.session.get(RequestType, type_id)

    def type_by_code(self, code: str) -> RequestType | None:
        return self.session.scalar(select(RequestType).where(RequestType.code == code))

    def active_types(self) -> list[RequestType]:
        query = select(RequestType).where(RequestType.lifecycle_status == "active")
        return list(self.session.scalars(query.order_by(RequestType.code)))

    def list_types(
        self, conditions: list[ColumnElement], offset: int, limit: int
    ) -> tuple[list[RequestType], int]:
        return self._page(RequestType, conditions, offset, limit, RequestType.code)

    def type_in_use(self, type_id: str) -> bool:
        query = select(CustomerRequest.id).where(CustomerRequest.type_id == type_id).limit(1)
        return self.session.scalar(query) is not None

    # -- requests --------------------------------------------------------------------------

    def get(self, request_id: str, for_update: bool = False) -> CustomerRequest | None:
        query = select(CustomerRequest).where(CustomerRequest.id == request_id)
        if for_update:
            query = query.with_for_update()
        return self.session.scalar(query)

    def list_requests(
        self, conditions: list[ColumnElement], offset: int, limit: int
    ) -> tuple[list[CustomerRequest], int]:
        order = CustomerRequest.created_at.desc()
        return self._page(CustomerRequest, conditions, offset, limit, order)

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

    def _page(self, model, conditions, offset: int, limit: int, order):
        total = self.session.scalar(select(func.count()).select_from(model).where(*conditions))
        rows = self.session.scalars(
            select(model).where(*conditions).order_by(order, model.id).offset(offset).limit(limit)
        ).all()
        return list(rows), total or 0
