"""The ASGI application: TMF APIs, Parley's own API, health and docs, the agent console and
the customer portal."""

from contextlib import asynccontextmanager

from anyio import Semaphore, to_thread
from fastapi import Depends, FastAPI
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from parley import __version__
from parley.api.api_docs import install_api_docs
from parley.api.deps import UnitOfWork
from parley.api.error_answers import also_answers, install_error_answers
from parley.api.json_response import JSONResponse
from parley.api.limits import checked_json_body, install_request_limits, upload_paths
from parley.api.security import install_security, public
from parley.api.tmf.apis import event_router, event_spec, tmf_apis
from parley.api.tmf.kit.errors import error_response, install_error_handlers
from parley.api.tmf.kit.openapi import install_tmf_schemas
from parley.api.tmf.product_ordering import routes as product_ordering
from parley.api.v1 import analytics as analytics_api
from parley.api.v1 import approvals as approvals_api
from parley.api.v1 import attachments as attachments_api
from parley.api.v1 import audit as audit_api
from parley.api.v1 import calls as calls_api
from parley.api.v1 import channels as channels_api
from parley.api.v1 import handoffs as handoffs_api
from parley.api.v1 import imports as imports_api
from parley.api.v1 import inbound as inbound_api
from parley.api.v1 import interactions as interactions_api
from parley.api.v1 import leads as leads_api
from parley.api.v1 import message_profiles as message_profiles_api
from parley.api.v1 import notifications as notifications_api
from parley.api.v1 import outbox as outbox_api
from parley.api.v1 import problems as problems_api
from parley.api.v1 import products as products_api
from parley.api.v1 import reports as reports_api
from parley.api.v1 import requests as requests_api
from parley.api.v1 import routes as parley_api
from parley.api.v1 import surveys as surveys_api
from parley.api.v1 import tasks as tasks_api
from parley.api.v1 import upsell as upsell_api
from parley.api.v1 import users as users_api
from parley.api.v1 import workflows as workflows_api
from parley.db.engine import build_engine
from parley.db.migrate import ensure_schema_current
from parley.events.views import load_event_views
from parley.interactions import direct_log
from parley.jobs import worker_jobs
from parley.links import Links
from parley.live.hub import HUB
from parley.live.postgres import listen, unlisten
from parley.logging import configure_logging, warn_at_startup
from parley.outbox.worker import EmbeddedWorker
from parley.settings import Settings, get_settings
from parley.web.console.app import PATH as CONSOLE_PATH
from parley.web.console.app import console_app
from parley.web.live import end_streams_on_exit
from parley.web.portal.app import PATH as PORTAL_PATH
from parley.web.portal.app import portal_app
from parley.wiring import wire

DESCRIPTION = """
Parley is an open-source Customer Interaction Management system (TM Forum eTOM 1.1.1.18).

* **TMF632 Party Management v5** — individuals and organisations.
* **TMF629 Customer Management v5** — customers (with their customer number).
* **TMF666 Account Management v5** — billing accounts (self-service: a customer's own).
* **TMF699 Sales Management v4** — sales leads, from first contact to customer.
* **TMF621 Trouble Ticket v5** — customers' requests and the request type catalogue.
* **TMF672 User Roles & Permissions v4** — roles (userRole) and who holds them (permission).
* **Parley API** — identify who is calling, verify them, and keep notes.
"""


def create_app(settings: Settings | None = None, check_schema: bool = True) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    warn_at_startup(settings.startup_warnings(), "api")
    wire()
    engine = build_engine(
        settings.database_url,
        settings.db_pool_size,
        settings.sqlite_busy_timeout_ms,
        settings.db_pre_ping,
    )
    if check_schema:
        ensure_schema_current(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # Sync routes and dependencies run in the thread pool: as many threads as connections,
        # so that no thread waits for a connection while holding its place.
        to_thread.current_default_thread_limiter().total_tokens = settings.db_pool_size
        # Interactions logged in one statement on PostgreSQL: the domain's own pool, opened
        # with the event loop that uses it.
        async with direct_log.opened(engine, settings.db_async_pool_size):
            # Live updates: this process's streams hear every process's changes (PostgreSQL).
            HUB.opened()
            end_streams_on_exit()
            listener = None
            if engine.dialect.name == "postgresql":
                listener = listen(settings.database_url, HUB)
            _app.state.live_listener = listener
            embedded = None
            if settings.embedded_worker_on():
                # One command for a new user: outbox messages go out without a `parley worker`.
                embedded = EmbeddedWorker(settings, worker_jobs).start()
            try:
                yield
            finally:
                HUB.released()
                if listener is not None:
                    unlisten(listener)
                if embedded is not None:
                    # Finishes the delivery in flight (at most the webhook timeout).
                    await to_thread.run_sync(embedded.stop)

    app = FastAPI(
        title="Parley",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        default_response_class=JSONResponse,
        docs_url=None,  # /docs and /redoc from the package's own assets (install_api_docs)
        redoc_url=None,
        # Parley sets up no OpenTelemetry; FastAPI would otherwise look for it on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.links = Links(settings)  # hrefs are made when answering (parley.links)
    app.state.links_by_base = {}  # when they follow each request's Host (api/hrefs.py)
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)
    app.state.db_slots = Semaphore(settings.db_pool_size)
    app.state.principal_look_ups = {}  # token -> the look-up in flight (api/security.py)
    # The requests that carry a file may be larger than others (api/limits.py).
    app.state.upload_paths = upload_paths(settings, (CONSOLE_PATH, PORTAL_PATH))
    install_error_handlers(app)
    install_request_limits(app)  # body size, NUL in paths and queries: before any route
    load_event_views(settings)  # what the hubs accept in a query, and how events look
    apis = tmf_apis()
    # The v5 specs first: where a name is in both (RelatedParty, Error), /docs shows v5's.
    specs = [api.spec for api in sorted(apis, key=lambda api: -api.version)]
    install_tmf_schemas(app, [*specs, event_spec()])

    # Routes are matched in order, one by one: the busiest come first. The gateways' webhooks
    # (forms, JSON and XML in their own formats, api/v1/channels.py) lead: a USSD step's whole
    # budget is a few milliseconds, and matching it past every TMF router cost about a
    # millisecond of it (benchmarks/ussd_steps.py); their dozen routes cost the others little.
    app.include_router(channels_api.gateways_router(settings.parley_api_prefix))
    for api in apis:
        app.include_router(api.router(settings))
    app.include_router(event_router(settings))  # TMF688, over the others' events
    # TMF622: the listener of the ordering system's events about the orders Parley handed it.
    app.include_router(product_ordering.router(settings.product_ordering_api_prefix))
    # Parley's own API: a JSON body that cannot be stored or answered is a 400 naming where.
    own_api = [
        parley_api,
        interactions_api,
        notifications_api,
        leads_api,
        audit_api,
        outbox_api,
        requests_api,
        attachments_api,
        surveys_api,
        tasks_api,
        workflows_api,
        approvals_api,
        analytics_api,
        problems_api,
        reports_api,
        calls_api,
        users_api,
        handoffs_api,
        products_api,
        inbound_api,
        message_profiles_api,
        upsell_api,
        imports_api,
    ]
    for module in own_api:
        app.include_router(
            module.router(settings.parley_api_prefix), dependencies=[Depends(checked_json_body)]
        )
    app.include_router(
        channels_api.menus_router(settings.parley_api_prefix),
        dependencies=[Depends(checked_json_body)],
    )
    # Partners' messages: stored raw in whatever content type they come (api/v1/inbound.py).
    app.include_router(inbound_api.intake_router(settings.parley_api_prefix))
    install_security(app, settings)  # /oauth/token, /oauth/revoke, /api/v1/me
    install_error_answers(app)  # each operation's 4xx in /openapi.json, from what it has
    install_api_docs(app)  # /docs and /redoc, offline
    app.mount(CONSOLE_PATH, console_app(app.state))  # the agent console (docs/console.md)
    app.mount(PORTAL_PATH, portal_app(app.state))  # the customer portal (docs/portal.md)

    @app.get(
        "/healthz",
        tags=["health"],
        summary="Liveness and database check",
        dependencies=[public(), also_answers(503)],  # 503: the database does not answer
    )
    def healthz(session: Session = UnitOfWork):
        try:
            session.execute(text("SELECT 1"))
        except Exception:  # the database is down: say so, don't crash
            return error_response(
                503, "DATABASE_UNAVAILABLE", "Service unavailable", "The database does not answer"
            )
        return JSONResponse(
            {"status": "ok", "database": engine.dialect.name, "version": __version__}
        )

    return app
