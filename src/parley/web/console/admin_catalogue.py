"""Administering the catalogues agents choose from (administrators): request types with their
SLA targets (hours per priority, and the share of the target after which a request is at
risk), through ``RequestTypeCatalogue``; interaction reasons with their label, whether they
are offered, and their summary policy, through ``ReasonCatalogue``. As the API: audited, told
as events; a stale form is refused and overwrites nothing."""

import copy
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from parley.auth.permissions import REASON_WRITE, REQUEST_TYPE_WRITE
from parley.db.repository import Page
from parley.interactions.models import SUMMARY_POLICIES, InteractionReason
from parley.interactions.reasons import ReasonCatalogue
from parley.requests.catalogue import RequestTypeCatalogue
from parley.requests.lifecycle import PRIORITIES
from parley.requests.models import RequestType
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.console.freshness import check_fresh, stamp
from parley.web.forms import Form, read_form
from parley.web.i18n import N_
from parley.web.labels import label
from parley.web.site import Site

MAX_TYPES = 500
MAX_HOURS = 24 * 366
REASON_WORDING = Wording(fields={"code": "code", "label": "label", "category": "category"})
# A new reason's only conflict is its code, taken already (the service names no field).
NEW_REASON_WORDING = Wording(REASON_WORDING.fields, default_field="code")
SAVED = N_("Saved.")


async def _form(request: Request) -> dict[str, str]:
    return await read_form(request)


FormFields = Annotated[dict[str, str], Depends(_form)]


def router(site: Site) -> APIRouter:
    pages = APIRouter()

    @pages.get("/admin/request-types")
    def request_types(visitor: Annotated[Visitor, site.page(REQUEST_TYPE_WRITE)]):
        found, _ = RequestTypeCatalogue(visitor.uow).find(Page({}, 0, MAX_TYPES))
        context = {"types": found, "priorities": PRIORITIES, "current": "request-types"}
        return site.render(visitor, "console/request_types.html", context)

    @pages.get("/admin/request-types/{type_id}")
    def request_type(
        request: Request, type_id: str, visitor: Annotated[Visitor, site.page(REQUEST_TYPE_WRITE)]
    ):
        row = RequestTypeCatalogue(visitor.uow).get(type_id)
        saved = request.query_params.get("done") == "saved"
        return _type_page(site, visitor, row, _sla_form(row), saved=saved)

    @pages.post("/admin/request-types/{type_id}")
    def save_request_type(
        type_id: str, visitor: Annotated[Visitor, site.page(REQUEST_TYPE_WRITE)], form: FormFields
    ):
        catalogue = RequestTypeCatalogue(visitor.uow)
        row = catalogue.get(type_id)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            check_fresh(visitor, row, given)
            document = _sla_document(visitor, row, given)
            attempt(visitor, lambda: catalogue.replace(row.id, document), Wording())
        except Refused as refused:
            given.errors = refused.errors
            visitor.uow.session.expire_all()
            row = catalogue.get(row.id)
            return _type_page(site, visitor, row, given, status=422)
        return site.redirect(visitor, f"/admin/request-types/{row.id}?done=saved")

    @pages.get("/admin/reasons")
    def reasons(request: Request, visitor: Annotated[Visitor, site.page(REASON_WRITE)]):
        saved = request.query_params.get("done") == "saved"
        return _reasons_page(site, visitor, saved=saved)

    @pages.post("/admin/reasons")
    def create_reason(visitor: Annotated[Visitor, site.page(REASON_WRITE)], form: FormFields):
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        catalogue = ReasonCatalogue(visitor.uow)
        try:
            values = _reason_values(visitor, given, creating=True)
            attempt(
                visitor,
                lambda: catalogue.create(
                    values["code"], values["label"], values["category"], values["policy"]
                ),
                NEW_REASON_WORDING,
            )
        except Refused as refused:
            given.errors = refused.errors
            return _reasons_page(site, visitor, failed=("", given), status=422)
        return site.redirect(visitor, "/admin/reasons?done=saved")

    @pages.post("/admin/reasons/{code}")
    def save_reason(
        code: str, visitor: Annotated[Visitor, site.page(REASON_WRITE)], form: FormFields
    ):
        catalogue = ReasonCatalogue(visitor.uow)
        reason = catalogue.get(code)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            check_fresh(visitor, reason, given)
            values = _reason_values(visitor, given, creating=False)
            changes = {
                "label": values["label"],
                "summaryPolicy": values["policy"],
                "active": given.value("active") == "yes",
            }
            attempt(visitor, lambda: catalogue.update(reason.code, changes), REASON_WORDING)
        except Refused as refused:
            given.errors = refused.errors
            visitor.uow.session.expire_all()
            return _reasons_page(site, visitor, failed=(reason.code, given), status=422)
        return site.redirect(visitor, "/admin/reasons?done=saved")

    return pages


def _sla_form(row: RequestType) -> Form:
    targets = {t["priority"]: t["hours"] for t in row.document.get("slaTarget") or []}
    values = {f"hours_{p}": _number(targets.get(p)) for p in PRIORITIES}
    warning = row.document.get("slaWarningPercent")
    values["warning"] = "" if warning is None else str(warning)
    return Form(values)


def _sla_document(visitor: Visitor, row: RequestType, form: Form) -> dict:
    gettext = visitor.locale.gettext
    errors, targets = {}, []
    for priority in PRIORITIES:
        text = form.value(f"hours_{priority}").strip().replace(",", ".")
        hours = _hours(text)
        if hours is None:
            errors[f"hours_{priority}"] = gettext("A number of hours above 0, e.g. 4 or 0.5.")
        else:
            targets.append({"priority": priority, "hours": hours})
    warning = form.value("warning").strip()
    if warning and not (warning.isdigit() and 1 <= int(warning) <= 99):
        errors["warning"] = gettext("A whole percentage from 1 to 99, or empty for the default.")
    if errors:
        raise Refused(errors)
    document = copy.deepcopy(row.document)
    document["slaTarget"] = targets
    if warning:
        document["slaWarningPercent"] = int(warning)
    else:
        document.pop("slaWarningPercent", None)
    return document


def _hours(text: str) -> int | float | None:
    if not text or len(text) > 12:
        return None
    try:
        hours = float(text)
    except ValueError:
        return None
    if not 0 < hours <= MAX_HOURS or hours != hours:
        return None
    return int(hours) if hours.is_integer() else round(hours, 2)


def _number(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _reason_values(visitor: Visitor, form: Form, creating: bool) -> dict:
    gettext = visitor.locale.gettext
    values = {
        "code": printable(form.value("code")),
        "label": printable(form.value("label")),
        "category": printable(form.value("category")),
        "policy": form.value("policy"),
    }
    errors = {}
    if creating and not values["code"]:
        errors["code"] = gettext("Required.")
    if not values["label"]:
        errors["label"] = gettext("Required.")
    if creating and not values["category"]:
        errors["category"] = gettext("Required.")
    if values["policy"] not in SUMMARY_POLICIES:
        errors["policy"] = gettext("Choose when a summary is sent.")
    if errors:
        raise Refused(errors)
    return values


def _type_page(
    site: Site, visitor: Visitor, row: RequestType, form: Form, *, saved=False, status=200
) -> Response:
    context = {
        "type": row,
        "form": form,
        "stamp": stamp(row),
        "priorities": PRIORITIES,
        "notice": visitor.locale.gettext(SAVED) if saved else None,
        "current": "request-types",
    }
    return site.render(visitor, "console/request_type.html", context, status=status)


def _reasons_page(
    site: Site,
    visitor: Visitor,
    *,
    failed: tuple[str, Form] | None = None,
    saved: bool = False,
    status: int = 200,
) -> Response:
    gettext = visitor.locale.gettext
    found: list[InteractionReason] = ReasonCatalogue(visitor.uow).list_reasons()
    context = {
        "reasons": found,
        "stamps": {r.code: stamp(r) for r in found},
        "policies": [(p, gettext(label("summary_policy", p))) for p in SUMMARY_POLICIES],
        "failed_code": failed[0] if failed else None,
        "failed_form": failed[1] if failed else Form(),
        "new_form": failed[1] if failed and failed[0] == "" else Form({"policy": "never"}),
        "empty_form": Form(),
        "notice": gettext(SAVED) if saved else None,
        "current": "reasons",
    }
    return site.render(visitor, "console/reasons.html", context, status=status)
