"""Every route's declared access can be read back from the app, so that a matrix test can
enumerate them, and a route that declares nothing is caught."""

from fastapi import APIRouter, FastAPI

from parley.api.security import (
    authenticated,
    public,
    require,
    route_access,
    undeclared_routes,
)
from parley.auth.permissions import CUSTOMER_READ, NOTE_WRITE, USER_ADMIN


def access_of(app: FastAPI, path: str, method: str = "GET"):
    return next(a for a in route_access(app) if a.path == path and method in a.methods)


def test_the_auth_routes_and_the_docs_declare_their_access(app):
    token = access_of(app, "/oauth/token", "POST")
    me = access_of(app, "/api/v1/me")

    assert token.public and not token.needs_token and token.declared
    assert me.needs_token and not me.public and me.permissions == frozenset()
    for path in ("/docs", "/openapi.json", "/redoc", "/docs/oauth2-redirect"):
        assert access_of(app, path).public


def test_permissions_are_read_from_route_router_and_parameter_declarations():
    app = FastAPI()
    api = APIRouter(prefix="/x", dependencies=[require(NOTE_WRITE)])

    @api.post("/notes")
    def write_note():
        return {}

    @api.get("/admin", dependencies=[require(USER_ADMIN)])
    def admin():
        return {}

    @app.get("/customers")
    def customers(principal=require(CUSTOMER_READ)):
        return {}

    @app.get("/whoami", dependencies=[authenticated()])
    def whoami():
        return {}

    @app.get("/ping", dependencies=[public()])
    def ping():
        return {}

    app.include_router(api)

    assert access_of(app, "/x/notes", "POST").permissions == {NOTE_WRITE}
    assert access_of(app, "/x/admin").permissions == {NOTE_WRITE, USER_ADMIN}
    assert access_of(app, "/customers").permissions == {CUSTOMER_READ}
    assert access_of(app, "/whoami").needs_token
    assert access_of(app, "/ping").public
    assert undeclared_routes(app) == []


def test_a_route_without_a_declaration_or_with_contradicting_ones_is_reported():
    app = FastAPI()

    @app.get("/forgotten")
    def forgotten():
        return {}

    @app.get("/confused", dependencies=[public(), require(CUSTOMER_READ)])
    def confused():
        return {}

    assert {a.path for a in undeclared_routes(app)} == {"/forgotten", "/confused"}


def test_docs_offer_the_password_flow_and_name_each_operation_permission(client):
    document = client.get("/openapi.json").json()

    scheme = document["components"]["securitySchemes"]["OAuth2"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/oauth/token"
    me = document["paths"]["/api/v1/me"]["get"]
    assert me["security"] == [{"OAuth2": []}]
    assert me["x-parley-permission"] == ["(any)"]
    token = document["paths"]["/oauth/token"]["post"]
    assert token["x-parley-permission"] == ["(public)"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
