"""The profiles Parley ships as examples (``mediation/profiles/*.yaml``): a partner's XML trouble
report through XSLT, a legacy CRM's CSV contact history, an ordering system's JSON order state
event through JSONata. Administrators load them, or their own, through the API."""

from pathlib import Path

import yaml

PROFILES = Path(__file__).parent / "profiles"


def shipped_profiles() -> dict[str, dict]:
    """Each shipped profile's document, by its file's name (without ``.yaml``)."""
    return {
        path.stem: yaml.safe_load(path.read_text("utf-8"))
        for path in sorted(PROFILES.glob("*.yaml"))
    }
