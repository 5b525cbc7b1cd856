"""The `parley` command: serve, migrate, load demo data, manage users.

Each command imports what it uses when it runs, so that `parley --help` and the quick commands
start without loading every domain."""

import getpass
import itertools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from parley.db.repository import Page
from parley.settings import get_settings

app = typer.Typer(help="Parley: Customer Interaction Management for telcos.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
users_app = typer.Typer(help="Users, roles and log-in credentials.", no_args_is_help=True)
app.add_typer(users_app, name="users")
outbox_app = typer.Typer(help="Outgoing messages and dead letters.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")
sla_app = typer.Typer(help="SLA clocks of requests.", no_args_is_help=True)
app.add_typer(sla_app, name="sla")
channel_app = typer.Typer(help="Self-service channels: play a menu as a handset.")
app.add_typer(channel_app, name="channel")


@app.callback()
def _wired() -> None:
    # Before any command: the domains plugged together as in the app (parley.wiring).
    from parley.wiring import wire

    wire()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, help="Number of API processes."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
):
    """Serve the HTTP API (TMF APIs, Parley API, /docs), the agent console (/console) and the
    customer portal (/portal)."""
    import uvicorn

    from parley.db.engine import get_engine
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current

    settings = _serving_settings(host, port)
    try:
        ensure_schema_current(get_engine())
    except SchemaNotCurrentError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    uvicorn.run(
        "parley.asgi:app",
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level=settings.log_level.lower(),
        # X-Forwarded-Proto and -For only from the proxies named (uvicorn's default would
        # believe 127.0.0.1): they decide whether the console's cookies are Secure.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
    )


def _serving_settings(host: str, port: int):
    """The settings of the processes serving on ``host``:``port``. Without PARLEY_BASE_URL,
    hrefs are made from the host and port served (``http://HOST:PORT``; on every address,
    from each request's Host, and from the machine's name for events): it is put into the
    environment, which the API processes (and their embedded workers) read their settings
    from, in this process or in the ones uvicorn starts."""
    from parley.settings import base_url_for_serving

    if "base_url" in get_settings().model_fields_set:
        return get_settings()
    base_url, from_request = base_url_for_serving(host, port)
    os.environ["PARLEY_BASE_URL"] = base_url
    if from_request:
        os.environ["PARLEY_BASE_URL_FROM_REQUEST"] = "1"
    get_settings.cache_clear()
    return get_settings()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")):
    """Create or migrate the schema to the latest revision."""
    from parley.db.engine import get_engine
    from parley.db.migrate import current_revision, upgrade

    engine = get_engine()
    upgrade(engine, revision)
    typer.echo(
        f"database {engine.url.render_as_string(hide_password=True)} "
        f"is at revision {current_revision(engine)}"
    )


@db_app.command("current")
def db_current():
    """Show the schema revision of the database and the one this Parley needs."""
    from parley.db.engine import get_engine
    from parley.db.migrate import current_revision, head_revision

    engine = get_engine()
    typer.echo(f"current: {current_revision(engine) or '(none)'}  needed: {head_revision(engine)}")


@db_app.command("reindex")
def db_reindex():
    """Rebuild the SQLite name-search index (after a VACUUM); a no-op on PostgreSQL."""
    from sqlalchemy import text

    from parley.db.engine import get_engine

    engine = get_engine()
    if engine.dialect.name != "sqlite":
        typer.echo("nothing to do: PostgreSQL maintains its trigram index itself")
        return
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO party_search(party_search) VALUES ('rebuild')"))
    typer.echo("name-search index rebuilt")


@app.command()
def demo(
    customers: int = typer.Option(300, min=1, max=100_000, help="How many customers to create."),
    seed: int = typer.Option(7, help="Random seed, for a repeatable data set."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing if customers exist."),
    show: bool = typer.Option(
        False, "--show", help="Load nothing: list the demo's log-ins and what to try again."
    ),
):
    """Load a realistic demo data set (individuals, organisations, customers, contacts)."""
    from parley.db.engine import get_engine, get_sessionmaker
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current
    from parley.demo import load_demo

    try:
        ensure_schema_current(get_engine())
    except SchemaNotCurrentError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if show:
        from parley.demo.show import show as shown

        with get_sessionmaker()() as session:
            typer.echo(shown(session, get_settings().default_phone_region))
        return
    with get_sessionmaker()() as session:
        summary = load_demo(session, get_settings(), customers, seed, if_empty)
        session.commit()
    typer.echo(summary)


# -- users -------------------------------------------------------------------------------


@contextmanager
def _unit_of_work() -> Iterator:
    """The command's unit of work, acting as the CLI's user: a session on a current schema,
    committed at the end; domain errors end the command."""
    from parley.changes import UnitOfWork
    from parley.db.engine import get_engine, get_sessionmaker
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current
    from parley.errors import DomainError

    try:
        ensure_schema_current(get_engine())
        with get_sessionmaker()() as session:
            yield UnitOfWork(session, get_settings(), _cli_actor())
            session.commit()
    except (SchemaNotCurrentError, DomainError) as error:
        typer.echo(f"error: {getattr(error, 'message', error)}", err=True)
        raise typer.Exit(1) from None


def _cli_actor():
    from parley.actor import Actor

    return Actor(name=f"cli:{getpass.getuser()}", channel="cli")


def _password(given: str | None) -> str:
    if given is not None:
        return given
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def _users(uow):
    from parley.auth.users import UserService

    return UserService(uow)


@users_app.command("create-admin")
def users_create_admin(
    username: str = typer.Option(..., help="Log-in name of the administrator."),
    password: str | None = typer.Option(None, help="Asked for twice if not given."),
    display_name: str | None = typer.Option(None, help="Name shown to people."),
):
    """Create an administrator (the first one, typically): a staff user with every permission."""
    secret = _password(password)
    with _unit_of_work() as uow:
        made = _users(uow).create_user(username, ["administrator"], "staff", secret, display_name)
    typer.echo(f"administrator {made.user.username} created")


@users_app.command("create")
def users_create(
    username: str = typer.Option(..., help="Log-in name (the client id for --client)."),
    role: list[str] = typer.Option(..., help="Role to give; repeat for several."),
    customer_number: str | None = typer.Option(
        None, help="Make a self-service log-in for this customer."
    ),
    client: bool = typer.Option(False, "--client", help="An integration client (other system)."),
    password: str | None = typer.Option(None, help="Asked for twice if not given (not clients)."),
    display_name: str | None = typer.Option(None, help="Name shown to people."),
):
    """Create a staff user, a customer log-in (--customer-number) or a client (--client)."""
    from parley.parties.service import CUSTOMER_NUMBER_CHARACTERISTIC, PartyService

    if client and customer_number:
        typer.echo("error: a user is either a client or a customer log-in, not both", err=True)
        raise typer.Exit(1)
    if client and password is not None:
        typer.echo("error: clients get a generated secret; leave out --password", err=True)
        raise typer.Exit(1)
    kind = "client" if client else "customer" if customer_number else "staff"
    secret = None if client else _password(password)
    with _unit_of_work() as uow:
        customer_id = None
        if customer_number:
            filters = {CUSTOMER_NUMBER_CHARACTERISTIC: customer_number.strip()}
            found, _ = PartyService(uow).find_customers(Page(filters, 0, 1))
            if not found:
                typer.echo(f"error: no customer with number {customer_number}", err=True)
                raise typer.Exit(1)
            customer_id = found[0].id
        made = _users(uow).create_user(username, role, kind, secret, display_name, customer_id)
    typer.echo(f"{kind} user {made.user.username} created with roles {', '.join(made.roles)}")
    if made.client_secret:
        typer.echo(f"client secret (shown only now, keep it safe): {made.client_secret}")


@users_app.command("list")
def users_list(kind: str | None = typer.Option(None, help="staff, client or customer.")):
    """List users with their kind, roles and state."""
    from parley.db.base import utcnow

    with _unit_of_work() as uow:
        service = _users(uow)
        users, total = service.list_users(0, 10_000, kind)
        roles = service.roles_of(users)
    now = utcnow()
    for user in users:
        state = "disabled" if user.disabled else "enabled"
        if user.locked_until and user.locked_until > now:
            until = user.locked_until.isoformat(timespec="seconds")
            state += f", locked until {until} for addresses it has not signed in from"
        customer = f"  customer {user.customer_id}" if user.customer_id else ""
        typer.echo(
            f"{user.username:<30} {user.kind:<9} {','.join(roles[user.id]):<30} {state}{customer}"
        )
    typer.echo(f"{total} user(s)")


def _change_user(username: str, **changes) -> None:
    with _unit_of_work() as uow:
        service = _users(uow)
        service.update_user(service.get_by_username(username).id, **changes)


@users_app.command("disable")
def users_disable(username: str = typer.Argument(..., help="Log-in name.")):
    """Disable a user: log-in refused, existing tokens refused at once."""
    _change_user(username, disabled=True)
    typer.echo(f"{username} disabled")


@users_app.command("enable")
def users_enable(username: str = typer.Argument(..., help="Log-in name.")):
    """Enable a user again (also lifts the holds after failed log-ins on it)."""
    _change_user(username, disabled=False)
    typer.echo(f"{username} enabled")


@users_app.command("set-password")
def users_set_password(
    username: str = typer.Argument(..., help="Log-in name."),
    password: str | None = typer.Option(None, help="Asked for twice if not given."),
):
    """Set a new password (clients: make a new secret). Ends the user's other sessions."""
    with _unit_of_work() as uow:
        service = _users(uow)
        user = service.get_by_username(username)
        if user.kind == "client":
            secret = service.new_client_secret(user.id)
        else:
            service.set_password(user.id, _password(password))
            secret = None
    if secret:
        typer.echo(f"new client secret (shown only now, keep it safe): {secret}")
    else:
        typer.echo(f"password of {username} changed")


@users_app.command("reset-secret")
def users_reset_secret(
    client_id: str = typer.Argument(..., help="The integration client's id (its log-in name)."),
):
    """Make a new secret for an integration client (the old one stops working at once). Its
    secret is kept only as a hash, so it cannot be shown again: this is how to get one."""
    with _unit_of_work() as uow:
        service = _users(uow)
        secret = service.new_client_secret(service.get_by_username(client_id).id)
    typer.echo(f"new client secret of {client_id} (shown only now, keep it safe): {secret}")


@users_app.command("delete")
def users_delete(
    username: str = typer.Argument(..., help="Log-in name."),
    yes: bool = typer.Option(False, "--yes", help="Don't ask for confirmation."),
):
    """Delete a user (the audit trail keeps their history)."""
    if not yes:
        typer.confirm(f"Delete {username}?", abort=True)
    with _unit_of_work() as uow:
        service = _users(uow)
        service.delete_user(service.get_by_username(username).id)
    typer.echo(f"{username} deleted")


@users_app.command("roles")
def users_roles():
    """List the roles with their permissions and limits."""
    from parley.auth.roles import RoleService

    with _unit_of_work() as uow:
        roles = RoleService(uow).list_roles()
    for found in roles:
        role = found.role
        limits = ", ".join(f"{k}={v}" for k, v in sorted((role.limits or {}).items())) or "none"
        typer.echo(f"{role.name}{' (built-in)' if role.builtin else ''}: {role.description}")
        typer.echo(f"    permissions: {' '.join(found.permissions) or 'none'}")
        typer.echo(f"    limits: {limits}")


# -- outbox ------------------------------------------------------------------------------


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Work through what is due, then stop."),
):
    """Deliver outbox messages and run the SLA watch until SIGTERM or Ctrl-C (run any number
    of these at once)."""
    from parley.db.engine import get_engine
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current
    from parley.jobs import worker_jobs
    from parley.logging import configure_logging, warn_at_startup
    from parley.outbox.worker import Worker, run_until_signalled

    settings = get_settings()
    configure_logging(settings.log_level)
    warn_at_startup(settings.startup_warnings(), "worker")
    try:
        ensure_schema_current(get_engine())
    except SchemaNotCurrentError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    outbox_worker = Worker(get_engine(), settings, jobs=worker_jobs(get_engine(), settings))
    if not once:
        run_until_signalled(outbox_worker)
        return
    try:
        outbox_worker.run_jobs()  # first: an SLA breach may queue a notice to deliver
        while outbox_worker.run_once() == settings.outbox_batch_size:
            pass
    finally:
        outbox_worker.close()


@outbox_app.command("list")
def outbox_list(
    status: str | None = typer.Option(None, help="pending, inProgress, delivered or dead."),
    kind: str | None = typer.Option(None, help="e.g. webhook."),
    limit: int = typer.Option(50, min=1, max=1000, help="How many, newest first."),
):
    """List outgoing messages, newest first (--status dead: the dead letters)."""
    from parley.outbox.service import OutboxService

    with _unit_of_work() as uow:
        messages, total = OutboxService(uow).list_messages(status, kind, 0, limit)
    for m in messages:
        error = f"  {m.last_error[:60]}" if m.last_error else ""
        typer.echo(
            f"{m.id}  {m.kind:<8} {m.status:<10} attempts={m.attempts:<3} "
            f"{m.created_at.isoformat(timespec='seconds')}{error}"
        )
    typer.echo(f"{len(messages)} of {total} message(s)")


@outbox_app.command("show")
def outbox_show(message_id: str = typer.Argument(..., help="The message's id.")):
    """Show one message: destination (secrets hidden), payload, attempts, last error."""
    import json

    from parley.outbox.schemas import message_view
    from parley.outbox.service import OutboxService

    with _unit_of_work() as uow:
        view = message_view(OutboxService(uow).get(message_id))
    typer.echo(json.dumps(view, indent=2, default=str, ensure_ascii=False))


@outbox_app.command("retry")
def outbox_retry(message_id: str = typer.Argument(..., help="The dead letter's id.")):
    """Send a dead letter again (same idempotency key; attempts counted afresh)."""
    from parley.outbox.service import OutboxService

    with _unit_of_work() as uow:
        OutboxService(uow).retry(message_id)
    typer.echo(f"{message_id} is pending again")


@sla_app.command("check")
def sla_check():
    """Raise the SLA warnings and breaches due now (one pass of the workers' SLA watch)."""
    from parley.db.engine import get_engine
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current
    from parley.requests.sla.watch import SlaWatch

    try:
        ensure_schema_current(get_engine())
    except SchemaNotCurrentError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    result = SlaWatch(get_engine(), get_settings()).run_once()
    typer.echo(
        f"{result.clocks} clock(s) due: {result.warnings} warning(s), "
        f"{result.breaches} breach(es) raised"
        + (f", {result.failed} failed (see the log)" if result.failed else "")
    )
    if result.failed:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())


# -- self-service channels ---------------------------------------------------------------


def _play(channel: str, msisdn: str) -> None:
    from parley.channels.simulator import play

    def read(prompt: str) -> str | None:
        try:
            return input(prompt)
        except EOFError:  # Ctrl-D: the caller hangs up
            return None

    play(_unit_of_work, channel, msisdn, read, typer.echo)


@channel_app.command("ussd")
def channel_ussd(
    msisdn: str = typer.Option(..., help="The caller's number, e.g. +4915112345678."),
):
    """Dial the self-service menu as a USSD handset would (Ctrl-D hangs up)."""
    _play("ussd", msisdn)


@channel_app.command("ivr")
def channel_ivr(
    msisdn: str = typer.Option(..., help="The caller's number, e.g. +4915112345678."),
):
    """Call the self-service menu as the IVR would speak it (keys or words; Ctrl-D hangs up)."""
    _play("ivr", msisdn)


# -- analytics ---------------------------------------------------------------------------

analytics_app = typer.Typer(
    help="Facts, roll-ups and KPIs (Analyze & Report).", no_args_is_help=True
)
app.add_typer(analytics_app, name="analytics")


@analytics_app.command("rebuild")
def analytics_rebuild():
    """Make every fact and daily roll-up again from the requests and interactions on record."""
    from parley.analytics.service import AnalyticsService

    with _unit_of_work() as uow:
        requests, interactions = AnalyticsService(uow).rebuild()
    typer.echo(f"rebuilt: {requests} request fact(s), {interactions} interaction fact(s)")


@analytics_app.command("roll-up")
def analytics_roll_up():
    """Roll up the days whose facts changed since (one pass of the workers' upkeep job)."""
    from parley.analytics.service import AnalyticsService

    with _unit_of_work() as uow:
        days = 0
        while rolled := AnalyticsService(uow).roll_up():
            days += rolled
    typer.echo(f"{days} day(s) rolled up")


# -- offers ------------------------------------------------------------------------------

offers_app = typer.Typer(help="The offer catalogue (TMF620 productOffering).", no_args_is_help=True)
app.add_typer(offers_app, name="offers")


def _all_or_nothing_import(path: str, importer):
    """Read the file and run ``importer(uow).run(text, path)`` in one unit of work; a file that
    cannot be read, or any wrong row, is a readable line each on stderr and exit 1."""
    from parley.offers import ImportFailed

    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        with _unit_of_work() as uow:
            return importer(uow).run(text, path)
    except ImportFailed as failed:
        for problem in failed.problems:
            typer.echo(f"{path}: {problem}", err=True)
        typer.echo("nothing imported", err=True)
        raise typer.Exit(1) from None


@offers_app.command("import")
def offers_import(
    path: str = typer.Argument(..., help="A BSS export: FILE.csv or FILE.json (docs/offers.md)."),
):
    """Import a BSS's offerings: new ones created, known ones (by their BSS id) updated. Every
    row is checked first; if any is wrong, nothing is imported and each problem is listed."""
    from parley.offers import OfferImport

    done = _all_or_nothing_import(path, OfferImport)
    typer.echo(f"{done.created} offering(s) created, {done.updated} updated")


@offers_app.command("import-products")
def offers_import_products(
    path: str = typer.Argument(
        ..., help="The products customers hold, from the BSS: FILE.csv or FILE.json."
    ),
):
    """Import the products customers hold (docs/offers.md): new ones created, known ones (same
    customer, offering and start) updated. Every row is checked first; if any is wrong,
    nothing is imported and each problem is listed."""
    from parley.offers import ProductImport

    done = _all_or_nothing_import(path, ProductImport)
    typer.echo(f"{done.created} product(s) created, {done.updated} updated")


# -- mail received (docs/mediation.md, "Email") ------------------------------------------

mail_app = typer.Typer(help="Mail received: IMAP mailboxes and the LMTP server.")
app.add_typer(mail_app, name="mail")


def _schema_checked():
    from parley.db.engine import get_engine
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current

    try:
        ensure_schema_current(get_engine())
    except SchemaNotCurrentError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    return get_engine()


@mail_app.command("fetch")
def mail_fetch(
    once: bool = typer.Option(False, "--once", help="Fetch what is new, then stop."),
    mailbox: list[str] = typer.Option(None, "--mailbox", help="Only this mailbox (repeatable)."),
):
    """Fetch the IMAP mailboxes of PARLEY_MAIL_MAILBOXES into the inbound store, and wait for
    new mail with IDLE until SIGTERM or Ctrl-C (the workers apply what is stored)."""
    import signal
    import threading

    from parley.logging import configure_logging
    from parley.mediation.email.fetching import fetch_mailboxes, watch_mailboxes

    settings = get_settings()
    configure_logging(settings.log_level)
    engine = _schema_checked()
    try:
        if once:
            for name, done in fetch_mailboxes(engine, settings, mailbox or None).items():
                failed = f", {len(done.failed)} failed (see the log)" if done.failed else ""
                typer.echo(f"{name}: {done.stored} stored, {done.duplicates} seen before{failed}")
            return
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        if not watch_mailboxes(engine, settings, stopping, mailbox or None):
            typer.echo("no IMAP mailbox in PARLEY_MAIL_MAILBOXES", err=True)
            raise typer.Exit(1)
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@mail_app.command("lmtp")
def mail_lmtp(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(24, help="TCP port (LMTP's is 24)."),
):
    """Take mail a mail server delivers over LMTP into the inbound store, until SIGTERM or
    Ctrl-C (the workers apply what is stored)."""
    import signal
    import threading

    from sqlalchemy.orm import sessionmaker

    from parley.logging import configure_logging
    from parley.mediation.email import EmailOptions
    from parley.mediation.email.lmtp import lmtp_server
    from parley.mediation.store import InboundStore

    settings = get_settings()
    configure_logging(settings.log_level)
    engine = _schema_checked()
    store = InboundStore(sessionmaker(bind=engine, expire_on_commit=False))
    server = lmtp_server(store, EmailOptions.from_settings(settings), host, port)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    typer.echo(f"LMTP on {host}:{port}")
    try:
        stopping.wait()
    finally:
        server.stop()


# -- bulk import -------------------------------------------------------------------------

SHOWN_ERRORS = 20


@app.command("import")
def import_file(
    kind: str = typer.Argument(..., help="customers or interactions"),
    path: str = typer.Argument(..., help="FILE.csv or FILE.jsonl (docs/mediation.md)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read and check every row; write nothing (not even the file)."
    ),
    force: bool = typer.Option(False, "--force", help="Customers: create despite duplicates."),
    errors: str | None = typer.Option(
        None, "--errors", help="Write the error report here (CSV: row, field, message)."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="A progress bar."),
):
    """Import customers or interactions, row by row with the API's rules: good rows are
    loaded, refused ones reported (row, field, message). Interrupted, the same command with
    the same file goes on where it stopped; a file imported already is not imported again."""
    from parley.db.engine import get_engine, get_sessionmaker
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current
    from parley.errors import DomainError
    from parley.mediation.imports import FAILED, KINDS, ImportIntake, ImportRunner, format_of

    if kind not in KINDS:
        typer.echo(f"error: kind: one of {', '.join(KINDS)}", err=True)
        raise typer.Exit(2)
    try:
        ensure_schema_current(get_engine())
        source = open(path, "rb")  # noqa: SIM115 (closed by the with below)
    except (SchemaNotCurrentError, OSError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    sessions, settings, actor = get_sessionmaker(), get_settings(), _cli_actor()
    runner, name = ImportRunner(sessions, settings), os.path.basename(path)
    refused: list = []
    try:
        with source:
            if dry_run:
                with _import_progress(progress) as advance:
                    tally = runner.dry_run(
                        path, kind, format_of(name), name, actor, force, advance, refused.extend
                    )
            else:
                started = ImportIntake(sessions, settings).receive(kind, source, name, actor, force)
                said = "going on with" if started.duplicate else "started"
                typer.echo(f"import {started.import_id} {said} ({kind}, {name})", err=True)
                with _import_progress(progress) as advance:
                    tally = runner.run(started.import_id, advance)
    except DomainError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from None
    what = "checked (a dry run: nothing written)" if dry_run else "handled"
    typer.echo(f"{tally.handled} row(s) {what}: {tally.loaded} loaded, {tally.failed} refused")
    if dry_run:
        _report_errors(errors, ([e.row, e.field or "", e.message] for e in refused))
    else:
        _report_errors(errors, _stored_errors(sessions, settings, actor, started.import_id))
    if tally.state == FAILED:
        typer.echo(f"error: {tally.error}", err=True)
        raise typer.Exit(1)


def _stored_errors(sessions, settings, actor, import_id: str) -> Iterator[list]:
    from parley.changes import UnitOfWork
    from parley.mediation.imports import ImportService

    with sessions() as session:
        service = ImportService(UnitOfWork(session, settings, actor))
        for error in service.errors(import_id):
            yield [error.row_number, error.field or "", error.message]


def _report_errors(path: str | None, rows: Iterator[list]) -> None:
    """Every refused row to ``path`` (CSV) if given, else the first few on stderr."""
    import csv

    if path is None:
        for row, _field, message in itertools.islice(rows, SHOWN_ERRORS):
            typer.echo(f"row {row}: {message}", err=True)
        return
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("row", "field", "message"))
        writer.writerows(rows)
    typer.echo(f"error report: {path}", err=True)


@contextmanager
def _import_progress(shown: bool) -> Iterator:
    """``advance(tally)`` moving a progress bar on the terminal (bytes of the file read)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("import"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not shown,
    )
    task = bar.add_task("import", total=None, rows="")

    def advance(tally) -> None:
        rows = f"{tally.loaded} loaded, {tally.failed} refused"
        bar.update(task, completed=tally.bytes_done, total=tally.size or None, rows=rows)

    with bar:
        yield advance
