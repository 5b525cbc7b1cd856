"""Who is acting, and through which channel: recorded with every verification and note."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    name: str
    channel: str = "api"
