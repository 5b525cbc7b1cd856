"""Working tasks in tests."""

from tests.requests.helpers import REQUESTS

TASKS = "/api/v1/tasks"
WORKFLOWS = "/api/v1/workflows"
QUEUES = "/api/v1/task-queues"


def tasks_of(client, ticket: dict, **params) -> list[dict]:
    response = client.get(TASKS, params={"requestId": ticket["id"], **params})
    assert response.status_code == 200, response.text
    return response.json()


def open_task(client, ticket: dict) -> dict:
    """The one unfinished task of the request."""
    found = [t for t in tasks_of(client, ticket) if t["status"] in ("open", "claimed")]
    assert len(found) == 1, found
    return found[0]


def act(client, task: dict, action: str, headers: dict, body=None, **extra):
    return client.post(f"{TASKS}/{task['id']}/{action}", json=body, headers={**headers, **extra})


def work(client, task: dict, headers: dict, note: str = "done") -> dict:
    """Claim and complete a task as the user of ``headers``."""
    claimed = act(client, task, "claim", headers)
    assert claimed.status_code == 200, claimed.text
    done = act(client, task, "complete", headers, {"note": note})
    assert done.status_code == 200, done.text
    return done.json()


def status_of(client, ticket: dict, headers: dict | None = None) -> dict:
    response = client.get(f"{REQUESTS}/{ticket['id']}/status", headers=headers or {})
    assert response.status_code == 200, response.text
    return response.json()
