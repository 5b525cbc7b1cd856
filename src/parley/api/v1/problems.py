"""Problems over HTTP: read with ``report:read``, opened by hand and closed (closing their
linked requests) with ``problem:write``. Detected problems are opened by the workers."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from parley.analytics.notices import AUDIENCES, LONGEST_MESSAGE, ProblemNotices, document
from parley.analytics.problems import Problems
from parley.api.deps import AppLinks, RequestWork
from parley.api.security import require
from parley.api.v1.kit import Page, listed, paging
from parley.auth.permissions import PROBLEM_WRITE, REPORT_READ


class Opening(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reasonCode: str = Field(min_length=1, max_length=64, examples=["fault.report"])
    area: str = Field(min_length=1, max_length=32, examples=["10115"])
    note: str | None = Field(None, max_length=500, examples=["Mast 17 down after the storm"])


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audience: str = Field(
        pattern="^(contacted|area)$",
        description="contacted: customers in the area with contacts on the reason; "
        "area: every customer in the area",
        examples=["contacted"],
    )
    message: str | None = Field(
        None, max_length=LONGEST_MESSAGE, examples=["Engineers are on site; back by 18:00."]
    )


class Closing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resolution: str = Field(min_length=1, max_length=500, examples=["Mast 17 repaired"])


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["analytics"])

    @api.get("/problems", summary="Problems, newest first", dependencies=[require(REPORT_READ)])
    def list_problems(
        response: Response,
        uow: RequestWork,
        page: Annotated[Page, paging(50, 500)],
        status: str | None = Query(None, description="open or closed"),
    ):
        problems = Problems(uow)
        rows, total = problems.find(status, page.offset, page.limit)
        return listed(response, problems.documents(rows), total)

    @api.post(
        "/problems",
        status_code=201,
        summary="Open a problem by hand (one open problem per reason and area)",
        dependencies=[require(PROBLEM_WRITE)],
    )
    def open_problem(body: Opening, uow: RequestWork):
        problems = Problems(uow)
        return problems.document(problems.open(body.reasonCode, body.area, body.note), {})

    @api.get(
        "/problems/{problem_id}",
        summary="One problem with the contacts and requests linked to it",
        dependencies=[require(REPORT_READ)],
    )
    def get_problem(problem_id: str, uow: RequestWork, links: AppLinks):
        problems = Problems(uow)
        row = problems.get(problem_id)
        return {
            **problems.document(row),
            "linked": [_link(links, link) for link in problems.links(row.id)],
        }

    @api.post(
        "/problems/{problem_id}/close",
        summary="Close a problem and its linked requests still open (their customers told)",
        dependencies=[require(PROBLEM_WRITE)],
    )
    def close_problem(problem_id: str, body: Closing, uow: RequestWork):
        problems = Problems(uow)
        row, closed, left = problems.close(problem_id, body.resolution)
        return {**problems.document(row), "requestsClosed": closed, "requestsLeftOpen": left}

    @api.get(
        "/problems/{problem_id}/notices/preview",
        summary="How many customers a notice would reach (those in the audience not told yet)",
        dependencies=[require(REPORT_READ)],
    )
    def preview_notice(
        problem_id: str,
        uow: RequestWork,
        audience: str = Query(
            "contacted", max_length=16, description=f"one of {', '.join(AUDIENCES)}"
        ),
    ):
        problem = Problems(uow).get(problem_id)
        return ProblemNotices(uow).preview(problem, audience)

    @api.get(
        "/problems/{problem_id}/notices",
        summary="The notices sent about a problem, and how many customers each reached",
        dependencies=[require(REPORT_READ)],
    )
    def list_notices(problem_id: str, uow: RequestWork):
        Problems(uow).get(problem_id)
        return [document(row) for row in ProblemNotices(uow).of_problem(problem_id)]

    @api.post(
        "/problems/{problem_id}/notices",
        status_code=202,
        summary="Tell the customers a problem affects (consent, preferences and quiet hours "
        "apply; sent by the workers)",
        dependencies=[require(PROBLEM_WRITE)],
    )
    def send_notice(problem_id: str, body: Notice, uow: RequestWork):
        problem = Problems(uow).get(problem_id)
        return document(ProblemNotices(uow).send(problem, body.audience, body.message))

    return api


def _link(links: AppLinks, link) -> dict:
    kind = "TroubleTicket" if link.entity_type == "request" else "PartyInteraction"
    return {
        "type": link.entity_type,
        "id": link.entity_id,
        "href": links.href(kind, link.entity_id),
        "customerId": link.customer_id,
        "linkedAt": link.linked_at,
    }
