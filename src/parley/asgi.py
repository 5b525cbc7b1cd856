"""ASGI entry point for uvicorn and other servers: `parley.asgi:app`."""

from parley.app import create_app

app = create_app()
