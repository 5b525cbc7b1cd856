"""The `parley` command: serve, migrate, load demo data."""

import sys

import typer

from parley.settings import get_settings

app = typer.Typer(help="Parley: Customer Interaction Management for telcos.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(1, help="Number of API processes."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
):
    """Serve the HTTP API (TMF APIs, Parley API, /docs) with uvicorn."""
    import uvicorn

    from parley.db.engine import get_engine
    from parley.db.migrate import SchemaNotCurrentError, ensure_schema_current

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
        log_level=get_settings().log_level.lower(),
    )


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
    with get_sessionmaker()() as session:
        summary = load_demo(session, get_settings(), customers, seed, if_empty)
        session.commit()
    typer.echo(summary)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
