from tests.conftest import PARTY_API


def test_health_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_empty_individual_list_has_counts(client):
    response = client.get(f"{PARTY_API}/individual")
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-Total-Count"] == "0"
    assert response.headers["X-Result-Count"] == "0"
