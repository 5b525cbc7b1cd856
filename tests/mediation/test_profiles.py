"""Partner message profiles are checked when they are saved (a bad JSONata expression or
stylesheet, an unknown command: refused naming where), kept one per partner, transaction type
and version, and every change is audited."""

import copy

import pytest

from parley.auth.audit import AuditFilter, AuditTrail
from parley.errors import Conflict, InvalidInput
from parley.mediation.examples import shipped_profiles

CSV = shipped_profiles()["legacy-crm-interactions"]
XML = shipped_profiles()["acme-trouble-report"]


def _with(document: dict, path: str, value) -> dict:
    changed = copy.deepcopy(document)
    *parents, last = path.split(".")
    holder = changed
    for name in parents:
        holder = holder.setdefault(name, {})
    if value is None:
        holder.pop(last, None)
    else:
        holder[last] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "field", "said"),
    [
        ("transform.jsonata", "$.{ 'a': }", "transform.jsonata", "transform.jsonata: "),
        ("transform.xslt", "<xsl:stylesheet", "transform.xslt", "only for XML"),
        ("command", "sendFax", "command", "command: one of logInteraction, raiseRequest"),
        ("parse.format", "edifact", "parse.format", "parse.format: Input should be"),
        ("parse", None, "parse", "parse: Field required"),
        ("partner", "Not A Slug", "partner", "partner: String should match pattern"),
        ("transform.lookups.message", {"a": "b"}, "transform.lookups.message", "not message"),
        ("recognise.header", {"value": "x"}, "recognise.header.name", "Field required"),
        ("parse.encoding", "klingon-8", "parse.encoding", "no such character encoding"),
        ("recognise.rootElement", "Export", "recognise.rootElement", "only for XML"),
        ("colour", "blue", "colour", "colour: Extra inputs are not permitted"),
    ],
)
def test_a_profile_that_does_not_check_is_refused_naming_where(profiles, path, value, field, said):
    with pytest.raises(InvalidInput) as refused:
        profiles.create(_with(CSV, path, value))

    assert refused.value.field == field
    assert said in refused.value.message


@pytest.mark.parametrize(
    "stylesheet",
    [
        "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'>"
        "<xsl:template match='/'><xsl:value-of select='a[[['/></xsl:template></xsl:stylesheet>",
        "<report>not a stylesheet</report>",
        "<not-even-closed",
    ],
)
def test_a_stylesheet_that_does_not_compile_is_refused(profiles, stylesheet):
    with pytest.raises(InvalidInput) as refused:
        profiles.create(_with(XML, "transform.xslt", stylesheet))

    assert refused.value.field == "transform.xslt"


def test_one_profile_per_partner_transaction_type_and_version(profiles):
    profiles.create(CSV)

    with pytest.raises(Conflict, match="legacy-crm/interaction-export v1 exists already"):
        profiles.create(CSV)
    newer = profiles.create({**CSV, "version": "2", "active": False})

    assert (newer.version, newer.active) == ("2", False)


def test_profiles_are_saved_as_checked_and_their_changes_audited(profiles, session):
    saved = profiles.create(CSV)
    changed = profiles.replace(saved.id, {**CSV, "name": "Old CRM"})
    profiles.delete(saved.id)

    assert changed.name == "Old CRM" and changed.command == "logInteraction"
    assert changed.document["recognise"] == {"contentType": ["text/csv"]}  # as checked
    assert changed.document["parse"]["delimiter"] == ";"
    entries, _ = AuditTrail(session).query(AuditFilter(resource_type="messageProfile"))
    assert sorted(e.action for e in entries) == ["create", "delete", "update"]
