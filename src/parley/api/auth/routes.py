"""OAuth2 token endpoint (RFC 6749), log-out (RFC 7009 revocation) and "who am I".

The token and revoke endpoints take application/x-www-form-urlencoded bodies and answer
errors in the RFC 6749 shape ``{"error", "error_description"}``, not the TMF one: OAuth
clients and libraries expect it.
"""

import base64
import binascii
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response

from parley.api.deps import RequestWork, get_channel
from parley.api.json_response import JSONResponse
from parley.api.security import TOKEN_URL, authenticated, oauth2_scheme, public
from parley.api.throttling import client_address
from parley.auth.principal import Principal
from parley.auth.schemas import MeOut, OAuthErrorOut, TokenOut
from parley.auth.service import AuthService, LoginFailed, LoginThrottled, TokenPair
from parley.auth.users import UserService
from parley.settings import Settings

FORM = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 16 * 1024
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
GRANT_TYPES = ("password", "client_credentials", "refresh_token")


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


def oauth_error_response(
    error: str, description: str, status: int = 400, retry_after: int | None = None
) -> JSONResponse:
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="parley"'
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers=headers)


def install_oauth_errors(app: FastAPI) -> None:
    @app.exception_handler(OAuthError)
    def _oauth(_: Request, exc: OAuthError):
        return oauth_error_response(exc.error, exc.description, exc.status)


async def read_form(request: Request) -> dict[str, str]:
    """The form parameters; each may appear once (RFC 6749 section 3.2)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", "the request body is too large")
    body = await request.body()
    if not body:
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise OAuthError("invalid_request", f"send the parameters as {FORM}")
    if len(body) > MAX_FORM_BYTES:
        raise OAuthError("invalid_request", "the request body is too large")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError):
        raise OAuthError("invalid_request", "the request body is not a valid form") from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        if "\x00" in key or "\x00" in value:  # no name, secret or token holds one
            raise OAuthError("invalid_request", "the parameters must not contain NUL characters")
        if key in fields:
            raise OAuthError("invalid_request", f"the parameter {key} is given more than once")
        fields[key] = value
    return fields


def client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """Client id and secret from HTTP Basic (RFC 6749 2.3.1) or the form, not both."""
    header = request.headers.get("authorization", "")
    from_form = form.get("client_id") or None, form.get("client_secret") or None
    if not header.lower().startswith("basic "):
        return from_form
    if from_form[1]:
        raise OAuthError("invalid_request", "give the client secret once: header or form")
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        client_id, secret = (unquote(part) for part in decoded.split(":", 1))
        if "\x00" in client_id or "\x00" in secret:
            raise ValueError("NUL")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise OAuthError(
            "invalid_client", "the Basic authorization header is malformed", 401
        ) from None
    return client_id or None, secret or None


def _needed(form: dict[str, str], *names: str) -> list[str]:
    missing = [name for name in names if not form.get(name)]
    if missing:
        raise OAuthError("invalid_request", f"missing parameter: {', '.join(missing)}")
    return [form[name] for name in names]


def _token_response(pair: TokenPair) -> JSONResponse:
    body = TokenOut(
        access_token=pair.access.token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        scope=pair.access.scope,
    ).model_dump(exclude_none=True)
    return JSONResponse(body, headers=NO_STORE)


TOKEN_FORM_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["grant_type"],
                    "properties": {
                        "grant_type": {"type": "string", "enum": list(GRANT_TYPES)},
                        "username": {"type": "string", "description": "password grant"},
                        "password": {"type": "string", "format": "password"},
                        "client_id": {"type": "string"},
                        "client_secret": {"type": "string", "format": "password"},
                        "refresh_token": {"type": "string", "description": "refresh grant"},
                        "scope": {"type": "string", "description": "ignored: roles decide"},
                    },
                }
            }
        },
    }
}
REVOKE_FORM_SCHEMA = {
    "requestBody": {
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "token": {"type": "string", "description": "refresh or access token"},
                        "token_type_hint": {"type": "string"},
                    },
                }
            }
        }
    }
}
OAUTH_ERRORS = {400: {"model": OAuthErrorOut}, 401: {"model": OAuthErrorOut}}
TOKEN_ERRORS = {
    **OAUTH_ERRORS,
    429: {"model": OAuthErrorOut, "description": "Too many failed log-ins: see Retry-After"},
}


def router(settings: Settings) -> APIRouter:
    api = APIRouter(tags=["log-in"])

    @api.post(
        TOKEN_URL,
        dependencies=[public()],
        response_model=TokenOut,
        responses=TOKEN_ERRORS,
        openapi_extra=TOKEN_FORM_SCHEMA,
        summary="Log in: get an access token (password, client_credentials, refresh_token)",
    )
    def token(
        request: Request,
        *,
        form: dict[str, str] = Depends(read_form),
        uow: RequestWork,  # after the form: no connection is held while it is read
    ):
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", "missing parameter: grant_type")
        if grant_type not in GRANT_TYPES:
            raise OAuthError(
                "unsupported_grant_type", f"grant_type must be one of {', '.join(GRANT_TYPES)}"
            )
        client_id, client_secret = client_credentials(request, form)
        if client_secret and grant_type != "client_credentials":
            raise OAuthError("invalid_request", "a client secret is only for client_credentials")
        channel = get_channel(request)
        service = AuthService(uow, source=client_address(request))
        try:
            if grant_type == "password":
                username, password = _needed(form, "username", "password")
                pair = service.password_grant(username, password, channel, client_id)
            elif grant_type == "client_credentials":
                if not (client_id and client_secret):
                    raise OAuthError("invalid_client", "client_id and client_secret needed", 401)
                pair = service.client_credentials_grant(client_id, client_secret, channel)
            else:
                (refresh,) = _needed(form, "refresh_token")
                pair = service.refresh_grant(refresh, channel, client_id)
        except LoginThrottled as held:
            # slow_down: the token endpoint's error code for "too fast" (RFC 8628 3.5).
            return oauth_error_response("slow_down", held.message, 429, held.retry_after)
        except LoginFailed as failure:
            # Answer, don't raise: the unit of work commits the failure count and audit entry.
            status = 401 if failure.oauth_error == "invalid_client" else 400
            return oauth_error_response(failure.oauth_error, failure.message, status)
        return _token_response(pair)

    @api.post(
        "/oauth/revoke",
        dependencies=[public()],
        status_code=200,
        # RFC 7009 2.2: an empty 200, the same whether or not the token was valid.
        response_class=Response,
        responses={200: {"description": "Revoked, or unknown already: no content"}, **OAUTH_ERRORS},
        openapi_extra=REVOKE_FORM_SCHEMA,
        summary="Log out: revoke the refresh token (form `token`) and the Bearer access token",
    )
    def revoke(
        request: Request,
        *,
        form: dict[str, str] = Depends(read_form),
        bearer: str | None = Depends(oauth2_scheme),
        uow: RequestWork,
    ):
        given = form.get("token") or None
        if not (given or bearer):
            raise OAuthError("invalid_request", "give the token to revoke (form field token)")
        looks_like_jwt = given is not None and given.count(".") == 2
        service = AuthService(uow)
        channel = get_channel(request)
        access = given if looks_like_jwt else bearer
        service.logout(access, None if looks_like_jwt else given, channel)
        if looks_like_jwt and bearer and bearer != given:
            service.logout(bearer, None, channel)
        # RFC 7009 2.2: the same answer whether or not the token was valid.
        return Response(status_code=200, headers=NO_STORE)

    @api.get(
        f"{settings.parley_api_prefix}/me",
        response_model=MeOut,
        response_model_by_alias=True,
        tags=["log-in"],
        summary="Who am I: the logged-in user, roles, permissions and limits",
    )
    def me(uow: RequestWork, principal: Principal = authenticated()):
        user = UserService(uow).get_user(principal.user_id)
        return MeOut(
            id=principal.user_id,
            username=principal.username,
            kind=principal.kind,
            display_name=user.display_name,
            roles=list(principal.roles),
            permissions=sorted(principal.permissions),
            limits=principal.limits,
            customer_id=principal.customer_id,
            client_id=principal.client_id,
            token_expires_at=principal.token_expires_at,
        )

    return api
