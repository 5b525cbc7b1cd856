"""Migration 0014 removes Parley's own hrefs from stored documents (those of the base URL
configured now and, for documents written under an earlier one, any href whose path is Parley's
for that reference) and keeps foreign ones; its downgrade puts Parley's back."""

import uuid

import sqlalchemy as sa

from parley.db.base import JSONDocument
from parley.db.engine import build_engine
from parley.db.migrate import downgrade, upgrade
from parley.settings import get_settings

TYPES = sa.table(
    "request_type",
    sa.column("id", sa.String),
    sa.column("code", sa.String),
    sa.column("document", JSONDocument),
)
ADJUSTMENT = TYPES.c.code == "adjustment"
CUSTOMERS = "/tmf-api/customerManagement/v5/customer"
FOREIGN = "https://other.example/tmf-api/customerManagement/v5/customer/C-77"


def _document(connection) -> dict:
    return connection.execute(sa.select(TYPES.c.document).where(ADJUSTMENT)).scalar_one()


def test_own_hrefs_are_removed_and_put_back(scratch_database_url):
    base = get_settings().base_url
    now, before, spec = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    refs = [
        {"id": now, "href": f"{base}{CUSTOMERS}/{now}", "@referredType": "Customer"},
        # Written when Parley answered at another address.
        {
            "id": before,
            "href": f"https://old.example{CUSTOMERS}/{before}",
            "@referredType": "Customer",
        },
        {"id": "C-77", "href": FOREIGN, "@referredType": "Customer"},
        {"id": "x", "href": "https://other.example/x", "@referredType": "Product"},
    ]
    typed = {
        "@type": "TroubleTicketSpecificationRef",
        "id": spec,
        "href": f"https://old.example/tmf-api/troubleTicket/v5/troubleTicketSpecification/{spec}",
    }
    engine = build_engine(scratch_database_url)
    try:
        upgrade(engine, "0013")
        with engine.begin() as connection:
            document = {**_document(connection), "relatedParty": refs, "specification": typed}
            connection.execute(sa.update(TYPES).where(ADJUSTMENT).values(document=document))

        upgrade(engine, "0014")
        with engine.connect() as connection:
            cleaned = _document(connection)
        assert cleaned["relatedParty"] == [
            {"id": now, "@referredType": "Customer"},
            {"id": before, "@referredType": "Customer"},
            refs[2],  # another system's, though its path looks like Parley's
            refs[3],
        ]
        assert cleaned["specification"] == {"@type": "TroubleTicketSpecificationRef", "id": spec}
        assert "href" not in str({k: v for k, v in cleaned.items() if k != "relatedParty"})

        downgrade(engine, "0013")
        with engine.connect() as connection:
            restored = _document(connection)
        assert restored["relatedParty"] == [
            refs[0],
            {"id": before, "href": f"{base}{CUSTOMERS}/{before}", "@referredType": "Customer"},
            refs[2],
            refs[3],
        ]
        assert restored["specification"]["href"] == (
            f"{base}/tmf-api/troubleTicket/v5/troubleTicketSpecification/{spec}"
        )
        upgrade(engine)
    finally:
        engine.dispose()
