"""The satisfaction survey after a request closed: reached from the one-time link in the
message that asked (no log-in needed; ``requests/surveys.py``), answered once, 1 to 5 with an
optional comment."""

from typing import Annotated

from fastapi import APIRouter
from starlette.responses import Response

from parley.requests.surveys import LONGEST_COMMENT, SurveyClosed, SurveyService
from parley.web.access import Visitor
from parley.web.actions import text_block, too_long
from parley.web.forms import Form, FormFields
from parley.web.site import Site

SURVEY = "portal/survey.html"


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Anyone = Annotated[Visitor, site.public_page()]

    @pages.get("/survey/{token}")
    def survey_page(visitor: Anyone, token: str):
        try:
            SurveyService(visitor.uow).open_survey(token)
        except SurveyClosed:
            return _page(site, visitor, token, "closed", status=404)
        return _page(site, visitor, token, "open")

    @pages.post("/survey/{token}")
    def answer(visitor: Anyone, token: str, form: FormFields):
        given = Form(
            {"rating": form.get("rating", ""), "comment": text_block(form.get("comment", ""))}
        )
        gettext = visitor.locale.gettext
        if given.value("rating") not in {"1", "2", "3", "4", "5"}:
            given.errors["rating"] = gettext("Choose a rating from 1 to 5.")
        if message := too_long(visitor, given.value("comment"), LONGEST_COMMENT):
            given.errors["comment"] = message
        service = SurveyService(visitor.uow)
        try:
            if given.errors:
                service.open_survey(token)
                return _page(site, visitor, token, "open", given, status=422)
            service.answer(token, int(given.value("rating")), given.value("comment"))
        except SurveyClosed:
            return _page(site, visitor, token, "closed", status=404)
        return _page(site, visitor, token, "thanks")

    return pages


def _page(
    site: Site, visitor: Visitor, token: str, state: str, given: Form | None = None, status=200
) -> Response:
    context = {"token": token, "state": state, "form": given or Form()}
    return site.render(visitor, SURVEY, context, status=status)
