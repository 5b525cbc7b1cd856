"""structlog set-up: key-value lines for people, JSON when PARLEY_LOG_JSON is set."""

import logging
import os

import structlog


def configure_logging(level: str = "INFO") -> None:
    renderer = (
        structlog.processors.JSONRenderer()
        if os.environ.get("PARLEY_LOG_JSON")
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
    )


def warn_at_startup(warnings: list[str], process: str) -> None:
    """Log what an operator should fix (``Settings.startup_warnings``), once per process."""
    log = structlog.get_logger("parley.settings")
    for warning in warnings:
        log.warning(warning, process=process)
