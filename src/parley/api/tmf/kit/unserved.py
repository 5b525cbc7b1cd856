"""The operations of a TMF API's collection that Parley does not serve (docs/api.md): each is
answered 501 in the TMF error shape, naming what is served instead, so that a client sees
"not implemented here" rather than a 404 that looks like a wrong URL. They are left out of
/openapi.json: a client generated from it should not offer what Parley does not serve."""

from fastapi import APIRouter

from parley.api.security import require
from parley.api.tmf.kit.errors import TMFError

OPERATIONS = (("", ("GET", "POST")), ("/{id}", ("GET", "PATCH", "DELETE")))


def unserved_router(code: str, name: str, permission: str) -> APIRouter:
    """``permission``: what the API's reads need; a caller without it learns nothing more."""
    router = APIRouter(
        prefix=f"/{name}", tags=[f"{name} (not served)"], dependencies=[require(permission)]
    )

    def not_served() -> None:
        raise TMFError(
            501,
            f"{code} {name} is not served by Parley; see docs/api.md for what {code} serves",
            "NOT_IMPLEMENTED",
            "Not implemented",
        )

    for path, methods in OPERATIONS:
        for method in methods:
            router.add_api_route(
                path,
                not_served,
                methods=[method],
                summary=f"{name}: not served (501)",
                operation_id=f"{code}_{name}{path.replace('/{id}', '_id')}_{method.lower()}",
                include_in_schema=False,
            )
    return router
