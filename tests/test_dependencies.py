"""The lock files (scripts/lock) are in step with pyproject.toml: every dependency declared there
is pinned, at a version its lower bound allows, with the hashes scripts/bootstrap checks; the
test tools in requirements-test.lock, which holds every pin of requirements.lock too."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^ \\;]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, Version]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {canonicalize_name(name): Version(version) for name, version in PIN.findall(text)}


def unhashed(lock: str) -> list[str]:
    """Pins without a --hash: pip refuses the whole file under --require-hashes."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    return [e.split(" ", 1)[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]


def problems(requirements: list[str], pinned: dict[str, Version]) -> list[str]:
    found = []
    for line in requirements:
        requirement = Requirement(line)
        version = pinned.get(canonicalize_name(requirement.name))
        if version is None:
            found.append(f"{requirement.name}: not in the lock file")
        elif not requirement.specifier.contains(version, prereleases=True):
            found.append(f"{requirement.name}: {version} is outside {requirement.specifier}")
    return found


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("requirements.lock", PROJECT["dependencies"]),
        (
            "requirements-test.lock",
            PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"],
        ),
    ],
)
def test_every_declared_dependency_is_pinned_within_its_bounds(lock, requirements):
    assert problems(requirements, pins(lock)) == [], "run scripts/lock"


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_every_pin_has_its_hashes(lock):
    assert pins(lock)
    assert unhashed(lock) == []


def test_the_test_lock_pins_what_parley_runs_with_alike():
    running, testing = pins("requirements.lock"), pins("requirements-test.lock")
    differing = {n: (v, testing.get(n)) for n, v in running.items() if testing.get(n) != v}
    assert differing == {}


def test_a_dependency_missing_from_the_lock_is_reported():
    pinned = pins("requirements.lock")
    assert problems(["fastapi>=0.1", "not-a-parley-dependency>=1"], pinned) == [
        "not-a-parley-dependency: not in the lock file"
    ]
    assert problems(["fastapi>=9999"], pinned) == [
        f"fastapi: {pinned['fastapi']} is outside >=9999"
    ]
