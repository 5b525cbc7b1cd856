"""Satisfaction surveys (CSAT) as agents and other systems read them: the survey of one
request (asked, answered with its rating and comment, or expired unanswered), and a
customer's surveys, newest first. Whoever may read the request (a customer's log-in: its
own) may read its survey; the answers themselves are the customer's (portal/survey.py)."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from parley.api.deps import AppLinks, RequestWork
from parley.api.security import Caller, require
from parley.api.v1.kit import Page, VisibleCustomer, listed, paging
from parley.auth.permissions import REQUEST_READ
from parley.errors import NotFound
from parley.requests.service import RequestService
from parley.requests.surveys import SurveyService, survey_document


def router(prefix: str) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["requests"])

    @api.get(
        "/requests/{request_id}/survey",
        summary="The satisfaction survey of a request: asked, answered (rating 1-5, comment) "
        "or expired",
        dependencies=[require(REQUEST_READ)],
    )
    def request_survey(request_id: str, uow: RequestWork, principal: Caller, links: AppLinks):
        row = RequestService(uow).get_readable(request_id, principal)
        found = SurveyService(uow).of_request(row.id)
        if found is None:
            raise NotFound(f"No satisfaction survey of trouble ticket {request_id}: none asked")
        return links.fill(survey_document(found, row.reference))

    @api.get(
        "/customers/{customer_id}/surveys",
        summary="A customer's satisfaction surveys, newest first",
        dependencies=[require(REQUEST_READ)],
    )
    def customer_surveys(
        customer_id: VisibleCustomer,
        uow: RequestWork,
        links: AppLinks,
        response: Response,
        page: Annotated[Page, paging(20, 200)],
        answered: bool = Query(False, description="only those the customer answered"),
    ):
        found, total = SurveyService(uow).of_customer(
            customer_id, page.offset, page.limit, answered
        )
        items = [links.fill(survey_document(survey, ref)) for survey, ref in found]
        return listed(response, items, total)

    return api
