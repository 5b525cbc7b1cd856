"""The composition root: plugs the domains together at start-up.

A lower layer that needs something of a higher one offers a registry instead of importing it;
``wire`` fills those registries, once per process. The app factory, the CLI (the worker
included) and the tests call it before any service runs.
"""

from parley.leads.service import open_leads_of_parties
from parley.parties.duplicates import find_open_leads_with

_wired = False


def wire() -> None:
    global _wired
    if _wired:
        return
    # Customers' duplicate check (parties) reports open leads too.
    find_open_leads_with(open_leads_of_parties)
    _wired = True
