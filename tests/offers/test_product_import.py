"""Importing the products customers hold from the BSS: rows name the customer (id or number)
and the offering (id or BSS id; one the catalogue lacks needs a name); a second import
updates what it imported before; a wrong row is named and nothing is imported; eligibility
then counts what was imported."""

import pytest
from typer.testing import CliRunner

from parley import cli
from parley.offers import CustomerProducts, ImportFailed, OfferCatalogue, ProductImport
from tests.auth.test_cli import cli_database  # noqa: F401  (the CLI's own database)
from tests.factories import create_customer, customer_number

HEADER = "customer,offering,name,status,startDate,endDate\n"


@pytest.fixture
def catalogue(uow) -> dict:
    made = OfferCatalogue(uow).create(
        {
            "@type": "ProductOffering",
            "name": "Mobile L",
            "lifecycleStatus": "Active",
            "externalIdentifier": [{"@type": "ExternalIdentifier", "id": "mobile-l"}],
        }
    )
    return {"plan": made}


def _held(uow, customer_id: str) -> list[tuple[str, str]]:
    rows, _ = CustomerProducts(uow).of_customer(customer_id)
    return [(p.name, p.status) for p in rows]


def test_products_are_imported_by_customer_number_and_bss_id(client, uow, catalogue):
    customer = create_customer(client)
    csv = (
        HEADER
        + f"{customer_number(customer)},mobile-l,,active,2024-05-01T00:00:00Z,\n"
        + f"{customer['id']},landline-2,Landline,terminated,2019-01-01T00:00:00Z,"
        "2023-01-01T00:00:00Z\n"
    )

    done = ProductImport(uow).run(csv, "products.csv")

    assert (done.created, done.updated) == (2, 0)
    assert _held(uow, customer["id"]) == [("Mobile L", "active"), ("Landline", "terminated")]
    (plan,) = [p for p in CustomerProducts(uow).held(customer["id"])]
    assert plan.offering_id == catalogue["plan"].id and plan.is_of("mobile-l")


def test_a_second_import_updates_the_same_product(client, uow, catalogue):
    customer = create_customer(client)
    row = f"{customer['id']},mobile-l,,{{}},2024-05-01T00:00:00Z,\n"
    ProductImport(uow).run(HEADER + row.format("active"), "products.csv")

    done = ProductImport(uow).run(HEADER + row.format("suspended"), "products.csv")

    assert (done.created, done.updated) == (0, 1)
    assert _held(uow, customer["id"]) == [("Mobile L", "suspended")]


def test_wrong_rows_are_named_and_nothing_is_imported(client, uow, catalogue):
    customer = create_customer(client)
    csv = (
        HEADER
        + f"{customer['id']},mobile-l,,active,2024-05-01T00:00:00Z,\n"
        + "9999999999,mobile-l,,active,2024-05-01T00:00:00Z,\n"
        + f"{customer['id']},unknown-offer,,active,2024-05-01T00:00:00Z,\n"
        + f"{customer['id']},mobile-l,,gone,2024-05-01T00:00:00Z,\n"
        + f"{customer['id']},mobile-l,,active,yesterday,\n"
    )

    with pytest.raises(ImportFailed) as failed:
        ProductImport(uow).run(csv, "products.csv")

    said = [str(p) for p in failed.value.problems]
    assert said[0] == "row 3: customer: no customer with id or number 9999999999"
    assert said[1].startswith("row 4: name: required")
    assert said[2].startswith("row 5: status:") and said[3].startswith("row 6: startDate")
    assert _held(uow, customer["id"]) == []


@pytest.mark.usefixtures("cli_database")
def test_the_command_lists_the_problems(tmp_path):
    exported = tmp_path / "products.json"
    exported.write_text(
        '[{"customer": "4711", "offering": "dsl-100", "name": "DSL 100",'
        ' "startDate": "2022-03-01T00:00:00Z"}]'
    )

    result = CliRunner().invoke(cli.app, ["offers", "import-products", str(exported)])

    assert result.exit_code == 1
    assert "row 1: customer: no customer with id or number 4711" in result.output
    assert "nothing imported" in result.output


def test_an_imported_product_counts_for_eligibility(client, uow, catalogue):
    from tests.offers.helpers import create_offering
    from tests.requests.handoffs.helpers import select_add_on

    customer = create_customer(client)
    needs = [
        {"@type": "ProductOfferingRelationship", "id": "mobile-l", "relationshipType": "requires"}
    ]
    roaming = create_offering(client, "Roaming pack", productOfferingRelationship=needs)
    row = f"{customer['id']},mobile-l,,active,2024-05-01T00:00:00Z,\n"

    ProductImport(uow).run(HEADER + row, "products.csv")
    uow.session.commit()

    assert select_add_on(client, customer, roaming)["status"] == "inProgress"
