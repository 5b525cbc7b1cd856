"""Importing a BSS's export: CSV or JSON, every row checked, nothing imported when any row is
wrong (each problem told with its row), known offerings (by their BSS id) updated."""

import json

import pytest
from typer.testing import CliRunner

from parley import cli
from parley.db.repository import Page
from parley.offers import ImportFailed, OfferCatalogue, OfferImport
from tests.auth.test_cli import cli_database  # noqa: F401  (the CLI's own database)

HEADER = "externalId,name,description,priceType,price,currency,period,validFrom,segments\n"
GOOD = (
    HEADER
    + "R-5,Roaming 5 GB,EU data,recurring,5,EUR,month,,residential\n"
    + "B-1,Office line,,oneTime,49.90,EUR,,2026-01-01T00:00:00Z,business|soho\n"
)


def _names(uow) -> list[str]:
    rows, _ = OfferCatalogue(uow).find(Page({}, 0, 50))
    return [r.name for r in rows]


def test_a_csv_export_is_imported(uow):
    done = OfferImport(uow).run(GOOD, "export.csv")

    assert (done.created, done.updated) == (2, 0)
    office = OfferCatalogue(uow).by_external_id("B-1")
    assert office.document["marketSegment"][1]["id"] == "soho"
    assert office.document["productOfferingPrice"][0]["price"] == {"unit": "EUR", "value": 49.9}
    assert office.lifecycle_status == "Active" and office.valid_from is not None


def test_a_second_import_updates_by_the_bss_id(uow):
    OfferImport(uow).run(GOOD, "export.csv")
    again = GOOD.replace("Roaming 5 GB", "Roaming 6 GB")

    done = OfferImport(uow).run(again, "export.csv")

    assert (done.created, done.updated) == (0, 2)
    assert sorted(_names(uow)) == ["Office line", "Roaming 6 GB"]


def test_wrong_rows_are_named_by_their_line_and_nothing_is_imported(uow):
    bad = (
        HEADER
        + "R-5,Roaming 5 GB,,recurring,5,EUR,month,,residential\n"
        + "R-6,,,recurring,5,EUR,month,,\n"
        + "R-7,Cheap,,recurring,five,EUR,,,\n"
        + "R-8,Later,,recurring,5,EUR,,next week,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        OfferImport(uow).run(bad, "export.csv")

    said = [str(p) for p in failed.value.problems]
    assert said[0] == "row 3: name: required"
    assert said[1].startswith("row 4: price:") and said[2].startswith("row 5: validFor")
    assert _names(uow) == []


def test_a_json_export_takes_rows_and_tmf_documents(uow):
    document = {
        "@type": "ProductOffering",
        "name": "TV Sport",
        "lifecycleStatus": "Launched",
        "externalIdentifier": [{"@type": "ExternalIdentifier", "id": "TV-1"}],
    }
    rows = [
        {
            "externalId": "R-5",
            "name": "Roaming",
            "priceType": "usage",
            "price": 1,
            "currency": "EUR",
        },
        document,
        {"externalId": "X", "colour": "red"},
    ]

    with pytest.raises(ImportFailed) as failed:
        OfferImport(uow).run(json.dumps(rows), "export.json")
    assert [p.row for p in failed.value.problems] == [3]

    OfferImport(uow).run(json.dumps(rows[:2]), "export.json")
    assert sorted(_names(uow)) == ["Roaming", "TV Sport"]


@pytest.mark.parametrize(("text", "name"), [("{", "x.json"), ("[]", "x.xml"), ("a,b\n", "x.csv")])
def test_a_file_that_is_no_export_is_refused(uow, text, name):
    with pytest.raises(ImportFailed):
        OfferImport(uow).run(text, name)


@pytest.mark.usefixtures("cli_database")
def test_the_command_imports_or_lists_the_problems(tmp_path):
    runner = CliRunner()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(HEADER + "R-9,,,recurring,5,EUR,,,\n")

    imported = runner.invoke(cli.app, ["offers", "import", str(good)])
    assert imported.exit_code == 0, imported.output
    assert "2 offering(s) created, 0 updated" in imported.output
    refused = runner.invoke(cli.app, ["offers", "import", str(bad)])
    assert refused.exit_code == 1
    assert "row 2: name: required" in refused.output and "nothing imported" in refused.output
