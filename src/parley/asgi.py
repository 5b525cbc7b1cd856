"""ASGI entry point for uvicorn and other servers: `parley.asgi:app`."""

import gc

from parley.app import create_app

app = create_app()
# What start-up built (specs, schemas, models, routes) lives as long as the process: kept out
# of the garbage collector's full passes, which would otherwise walk it again and again under
# load, pausing every request in flight.
gc.collect()
gc.freeze()
