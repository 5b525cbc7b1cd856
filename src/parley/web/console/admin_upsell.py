"""Administering the up-sell rules (``upsell:write``): the list, one rule's form and a new
rule's, through ``UpsellRules`` as the API does (checked, audited, told as events). A stale
form is refused and overwrites nothing; what the service refuses is said beside its field."""

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from parley.analytics.upsell import UpsellRules
from parley.analytics.upsell.engine import SIGNAL_KINDS
from parley.analytics.upsell.models import UpsellRule
from parley.auth.permissions import UPSELL_WRITE
from parley.db.repository import Page
from parley.offers import OfferCatalogue
from parley.web.access import Visitor
from parley.web.actions import Refused, Wording, attempt, printable
from parley.web.console.freshness import check_fresh, stamp
from parley.web.forms import Form, FormFields
from parley.web.i18n import N_
from parley.web.site import Site

SIGNAL_ROWS = 4  # signals a rule's form offers (the rest of the 20 a rule may have: the API)
MAX_OFFERINGS = 500
NUMBERS = {
    "window": "windowDays",
    "half_life": "halfLifeDays",
    "threshold": "threshold",
    "suppression": "suppressionDays",
}
WORDING = Wording(
    fields={
        "code": "code",
        "name": "name",
        "description": "description",
        "productOffering": "offering",
        "signals": "signals",
        **{api: form for form, api in NUMBERS.items()},
    }
)
SIGNAL_KIND_NAMES = {
    "interaction": N_("Contacts on the reason"),
    "request": N_("Requests of the type"),
    "product": N_("Add-on selected (offering id)"),
}
SAVED = N_("Saved.")


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Admin = Annotated[Visitor, site.page(UPSELL_WRITE)]

    @pages.get("/admin/upsell-rules")
    def rules(request: Request, visitor: Admin):
        service = UpsellRules(visitor.uow)
        found = service.find()
        offerings = {row.id: service.offering_of(row) for row in found}
        context = {
            "rules": found,
            "offerings": offerings,
            "saved": request.query_params.get("done") == "saved",
            "current": "upsell-rules",
        }
        return site.render(visitor, "console/upsell_rules.html", context)

    @pages.get("/admin/upsell-rules/new")
    def new_rule(visitor: Admin):
        defaults = {"window": "30", "half_life": "14", "threshold": "1.5", "suppression": "90"}
        return _page(site, visitor, None, Form({**defaults, "active": "yes"}))

    @pages.post("/admin/upsell-rules/new")
    def create_rule(visitor: Admin, form: FormFields):
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        service = UpsellRules(visitor.uow)
        try:
            document = _document(visitor, given, None)
            attempt(visitor, lambda: service.create(document), WORDING)
        except Refused as refused:
            given.errors = refused.errors
            return _page(site, visitor, None, given, status=422)
        return site.redirect(visitor, "/admin/upsell-rules?done=saved")

    @pages.get("/admin/upsell-rules/{rule_id}")
    def rule(visitor: Admin, rule_id: str):
        row = UpsellRules(visitor.uow).get(rule_id)
        return _page(site, visitor, row, _form_of(row))

    @pages.post("/admin/upsell-rules/{rule_id}")
    def save_rule(visitor: Admin, rule_id: str, form: FormFields):
        service = UpsellRules(visitor.uow)
        row = service.get(rule_id)
        given = Form({k: v for k, v in form.items() if k != "csrf_token"})
        try:
            check_fresh(visitor, row, given)
            document = _document(visitor, given, row)
            attempt(visitor, lambda: service.replace(row.id, document), WORDING)
        except Refused as refused:
            given.errors = refused.errors
            visitor.uow.session.expire_all()
            return _page(site, visitor, service.get(rule_id), given, status=422)
        return site.redirect(visitor, "/admin/upsell-rules?done=saved")

    return pages


def _form_of(row: UpsellRule) -> Form:
    document = row.document
    reference = document["productOffering"]
    values = {
        "name": row.name,
        "description": document.get("description") or "",
        "active": "yes" if row.active else "",
        "offering": reference.get("id") or f"external:{reference.get('externalId')}",
        **{form: _number(document[api]) for form, api in NUMBERS.items()},
    }
    for index, signal in enumerate(document["signals"][:SIGNAL_ROWS]):
        values[f"kind_{index}"] = signal["kind"]
        values[f"code_{index}"] = signal["code"]
        values[f"weight_{index}"] = _number(signal["weight"])
    return Form(values)


def _document(visitor: Visitor, form: Form, row: UpsellRule | None) -> dict:
    """The rule as the form says; what is not a number is refused here, the rest by the
    service."""
    gettext, errors = visitor.locale.gettext, {}
    chosen = form.value("offering")
    if chosen.startswith("external:"):
        offering = {"externalId": chosen.removeprefix("external:")}
    else:
        offering = {"id": chosen}
    document = {
        "code": row.code if row is not None else printable(form.value("code")),
        "name": printable(form.value("name")),
        "description": printable(form.value("description")) or None,
        "active": form.value("active") == "yes",
        "productOffering": offering,
        "signals": [],
    }
    if row is not None and len(row.document["signals"]) > SIGNAL_ROWS:
        document["signals"] = row.document["signals"][SIGNAL_ROWS:]  # kept as they are
    for index in reversed(range(SIGNAL_ROWS)):
        code = printable(form.value(f"code_{index}"))
        if not code:
            continue
        weight = _parse(form.value(f"weight_{index}") or "1")
        if weight is None:
            errors["signals"] = gettext("Each weight is a number, e.g. 1 or 0.5.")
        signal = {"kind": form.value(f"kind_{index}"), "code": code, "weight": weight}
        document["signals"].insert(0, signal)
    for field, api in NUMBERS.items():
        number = _parse(form.value(field))
        if number is None:
            errors[field] = gettext("A number, e.g. 30 or 1.5.")
        document[api] = number
    if errors:
        raise Refused(errors)
    return document


def _page(
    site: Site, visitor: Visitor, row: UpsellRule | None, form: Form, status: int = 200
) -> Response:
    gettext = visitor.locale.gettext
    found, _ = OfferCatalogue(visitor.uow).find(Page({}, 0, MAX_OFFERINGS))
    offerings = [(o.id, f"{o.name} ({gettext(o.lifecycle_status)})") for o in found]
    chosen = form.value("offering")
    if chosen.startswith("external:"):  # a shipped rule's offering, named by its BSS id
        offerings.insert(0, (chosen, gettext("BSS id %(id)s (not in the catalogue)") % {
            "id": chosen.removeprefix("external:")
        }))  # fmt: skip
    context = {
        "rule": row,
        "form": form,
        "stamp": stamp(row) if row is not None else "",
        "offerings": offerings,
        "kinds": [(kind, gettext(SIGNAL_KIND_NAMES[kind])) for kind in SIGNAL_KINDS],
        "rows": range(SIGNAL_ROWS),
        "current": "upsell-rules",
    }
    return site.render(visitor, "console/upsell_rule.html", context, status=status)


def _parse(text: str) -> float | int | None:
    text = text.strip().replace(",", ".")
    if not text or len(text) > 12:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def _number(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
