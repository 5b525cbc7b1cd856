"""Getting in without a log-in: registering, and setting a new password when it is forgotten
(one flow for both, ``auth/one_time_codes.py``).

The customer gives their customer number (or account) and a phone number or email on file;
the page then says the same whatever was given: if the details are ours, a code went to that
number or address. With the code they choose a password and are signed in. Nothing here says
whether a number or an email belongs to a customer.
"""

from typing import Annotated

from fastapi import APIRouter, Request
from starlette.responses import Response

from parley.auth.one_time_codes import REGISTER, RESET, CodeRefused, OneTimeCodes, Wording
from parley.errors import InvalidInput, TooManyRequests
from parley.ratelimit.addresses import address_of
from parley.web.access import SESSION_COOKIE, Visitor
from parley.web.actions import printable
from parley.web.forms import Form, FormFields
from parley.web.i18n import N_
from parley.web.site import Site

ASK, CONFIRM = "portal/enrol.html", "portal/enrol_code.html"
TITLES = {REGISTER: N_("Register for your account"), RESET: N_("Set a new password")}
PATHS = {REGISTER: "/register", RESET: "/reset"}
REFUSED = N_(
    "This code is not right, has expired or was already used. Check it, or ask for a new one."
)
PASSWORD_RULE = N_(
    "Choose a password of at least 10 characters that is hard to guess and does not contain "
    "your customer number."
)
TOO_MANY = N_("Too many attempts. Please wait %(minutes)s minutes, then try again.")


def router(site: Site) -> APIRouter:
    pages = APIRouter()
    Anyone = Annotated[Visitor, site.public_page()]

    for purpose in (REGISTER, RESET):
        _routes(site, pages, Anyone, purpose)
    return pages


def _routes(site: Site, pages: APIRouter, anyone, purpose: str) -> None:
    path = PATHS[purpose]

    @pages.get(path, name=f"{purpose}_page")
    def ask_page(visitor: anyone):  # type: ignore[valid-type]
        if visitor.signed_in is not None:
            return site.redirect(visitor, "/")
        return _ask(site, visitor, purpose, Form())

    @pages.post(path, name=f"{purpose}_send")
    def send(request: Request, visitor: anyone, form: FormFields):  # type: ignore[valid-type]
        given = Form({k: printable(form.get(k, ""))[:100] for k in ("number", "contact")})
        gettext = visitor.locale.gettext
        if not given.value("number"):
            given.errors["number"] = gettext("Enter your customer number or account number.")
        if not given.value("contact"):
            given.errors["contact"] = gettext("Enter your mobile number or email address.")
        if given.errors:
            return _ask(site, visitor, purpose, given, status=422)
        codes = OneTimeCodes(visitor.uow, _source(request))
        try:
            sent = codes.send(
                purpose, given.value("number"), given.value("contact"), _wording(visitor)
            )
        except TooManyRequests as limit:
            given.errors[""] = _too_many(visitor, limit)
            return _ask(site, visitor, purpose, given, status=429)
        context = {"challenge": sent.challenge_id, "channel": sent.channel}
        return _confirm(site, visitor, purpose, Form(), context)

    @pages.post(f"{path}/code", name=f"{purpose}_confirm")
    def confirm(request: Request, visitor: anyone, form: FormFields):  # type: ignore[valid-type]
        challenge = form.get("challenge", "")[:36]
        channel = "email" if form.get("channel") == "email" else "sms"
        context = {"challenge": challenge, "channel": channel}
        given = Form({"code": printable(form.get("code", ""))[:12]})
        password = form.get("password", "")
        gettext = visitor.locale.gettext
        if not given.value("code"):
            given.errors["code"] = gettext("Enter the code we sent you.")
        if not password:
            given.errors["password"] = gettext("Choose a password.")
        if given.errors:
            return _confirm(site, visitor, purpose, given, context, status=422)
        codes = OneTimeCodes(visitor.uow, _source(request))
        try:
            username = codes.complete(challenge, given.value("code"), password)
        except CodeRefused:
            given.errors["code"] = gettext(REFUSED)
        except InvalidInput:
            given.errors["password"] = gettext(PASSWORD_RULE)
        except TooManyRequests as limit:
            given.errors["code"] = _too_many(visitor, limit)
        if given.errors:
            return _confirm(site, visitor, purpose, given, context, status=422)
        started = visitor.sessions().sign_in(
            username, password, request.cookies.get(SESSION_COOKIE)
        )
        visitor.keep_cookie(SESSION_COOKIE, started.token)
        return site.redirect(visitor, "/?welcome" if purpose == REGISTER else "/")


def _ask(site: Site, visitor: Visitor, purpose: str, given: Form, status: int = 200) -> Response:
    context = {
        "purpose": purpose,
        "title": TITLES[purpose],
        "action": PATHS[purpose],
        "form": given,
    }
    return site.render(visitor, ASK, context, status=status)


def _confirm(
    site: Site, visitor: Visitor, purpose: str, given: Form, context: dict, status: int = 200
) -> Response:
    context = {
        **context,
        "purpose": purpose,
        "title": TITLES[purpose],
        "action": f"{PATHS[purpose]}/code",
        "again": PATHS[purpose],
        "form": given,
    }
    return site.render(visitor, CONFIRM, context, status=status)


def _wording(visitor: Visitor) -> Wording:
    gettext = visitor.locale.gettext
    return Wording(
        sms=gettext(
            "Your Parley code is %(code)s. It is valid for %(minutes)s minutes. "
            "We never ask you for it."
        ),
        email_subject=gettext("Your Parley code: %(code)s"),
        email_body=gettext(
            "Hello,\n\nyour code is %(code)s. Enter it on the page where you asked for it; it "
            "is valid for %(minutes)s minutes.\n\nIf you did not ask for a code, you need not "
            "do anything: nothing changes without it. We never ask you for this code."
        ),
    )


def _too_many(visitor: Visitor, limit: TooManyRequests) -> str:
    minutes = max(1, -(-limit.retry_after // 60))
    return visitor.locale.gettext(TOO_MANY) % {"minutes": minutes}


def _source(request: Request) -> str:
    return address_of(request.client.host if request.client is not None else None)
