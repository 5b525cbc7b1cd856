"""Rate limits and exponential delays shared by every API process (``limiter.py`` says how;
docs/security.md, "Rate limits", what is limited and where)."""

from parley.ratelimit.limiter import (
    ALLOWED,
    Backoff,
    Verdict,
    clear,
    forget,
    forget_refusals,
    give_back,
    hit,
    peek,
    purge_expired,
    remember,
    remembered,
    strike,
    waiting,
)

__all__ = [
    "ALLOWED",
    "Backoff",
    "Verdict",
    "clear",
    "forget",
    "forget_refusals",
    "give_back",
    "hit",
    "peek",
    "purge_expired",
    "remember",
    "remembered",
    "strike",
    "waiting",
]
