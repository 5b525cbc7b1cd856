"""The JSON answer of every route: Starlette's, serialised by ``parley.json_codec``."""

from typing import Any

from starlette.responses import JSONResponse as StarletteJSONResponse

from parley import json_codec


class JSONResponse(StarletteJSONResponse):
    def render(self, content: Any) -> bytes:
        return json_codec.dumps(content)
