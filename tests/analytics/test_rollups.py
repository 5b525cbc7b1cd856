"""A day's roll-up rows, as the reader finds them: every cuboid counts each request once, and
each histogram keeps its buckets in bucket order (not the order of their text keys)."""

from datetime import timedelta

from sqlalchemy import select

from parley.analytics.models import RequestRollup
from parley.analytics.rollups import CUBOIDS
from parley.analytics.service import AnalyticsService
from tests.analytics.histories import at, context, ticket

# Open 80 s, 280 s and 340 s: buckets 2, 9 and 10 (60·1.2^(k-1) <= seconds < 60·1.2^k).
OPEN_FOR = {"a": 340, "b": 80, "c": 280}


def test_each_cuboid_counts_the_day_s_requests_once_with_buckets_in_order(uow, session):
    service = AnalyticsService(uow)
    for letter, seconds in OPEN_FOR.items():
        created = at(3, 9)
        closed = created + timedelta(seconds=seconds)
        service.record_request(
            ticket(
                f"00000000-0000-4000-8000-00000000000{letter}",
                "c1",
                created,
                [("inProgress", created), ("closed", closed)],
                outcome="completed",
                code="fixed",
            ),
            context("fault.report", channel="web" if letter == "b" else "phone"),
        )
    while service.roll_up():
        pass

    rows = session.scalars(select(RequestRollup).where(RequestRollup.span == "day")).all()
    for cuboid in CUBOIDS:
        mine = [row for row in rows if row.cuboid == cuboid]
        assert sum(row.closed for row in mine) == len(OPEN_FOR), cuboid
        assert sum(row.resolution_seconds for row in mine) == sum(OPEN_FOR.values()), cuboid
        for row in mine:
            buckets = list(row.histograms["resolution"])
            assert buckets == sorted(buckets, key=int), (cuboid, buckets)
    (phone,) = [r for r in rows if r.cuboid == "core" and r.channel == "phone"]
    assert list(phone.histograms["resolution"].items()) == [("9", 1), ("10", 1)]
    assert phone.first_touch == 2
