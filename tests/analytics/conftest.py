"""Analytics test set-up: requests can notify customers (the requests tests' channels), and
committed tests get a worker over the test database (the events tests')."""

from tests.events.conftest import make_worker, settings  # noqa: F401  (fixtures)
from tests.requests.conftest import email_and_sms, without_workflows  # noqa: F401  (fixtures)
from tests.web.conftest import agent, browser, new_browser, signed_in, users  # noqa: F401, E402
