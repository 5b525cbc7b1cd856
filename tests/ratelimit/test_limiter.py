"""The rate limiter's windows, delays and marks, on the run's database (SQLite or PostgreSQL):
counted exactly, refused with the seconds to wait, given back, forgotten, purged; concurrent
hits from many connections never let more than the limit through."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from parley import ratelimit
from parley.jobs import worker_jobs
from parley.outbox.worker import Worker
from parley.ratelimit.models import RateCounter
from parley.rates import Rate, describe, parse_rates

PER_MINUTE = parse_rates("3/minute")


def test_rates_are_written_as_an_operator_would():
    assert parse_rates("30/minute, 300/hour") == (Rate(30, 60), Rate(300, 3600))
    assert parse_rates("10/15 minutes; 5 per day") == (Rate(10, 900), Rate(5, 86400))
    assert parse_rates("") == () and describe(()) == "no limit"
    assert describe(parse_rates("10 / 15 Minutes,2/1 hour")) == "10/15 minutes, 2/hour"
    for bad in ("ten/minute", "0/minute", "5/fortnight", "5/8 days", "5"):
        with pytest.raises(ValueError, match="rate|at least"):
            parse_rates(bad)


def test_a_bad_rate_stops_parley_at_start(settings):
    with pytest.raises(ValueError, match="identify_limit"):
        type(settings)(identify_limit="lots", _env_file=None)


def test_the_hit_past_the_limit_is_refused_until_the_window_ends(session, clock):
    clock.set(clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=20))
    verdicts = [ratelimit.hit(session, PER_MINUTE, "test", "kim") for _ in range(5)]

    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert verdicts[2].full and not verdicts[1].full
    assert verdicts[3].first and not verdicts[4].first  # recorded once, not at every refusal
    assert verdicts[3].retry_after == 40 and verdicts[3].exceeded == Rate(3, 60)
    assert ratelimit.hit(session, PER_MINUTE, "test", "lee").allowed  # another subject
    clock.advance(seconds=40)
    assert ratelimit.hit(session, PER_MINUTE, "test", "kim").allowed  # the next window


def test_every_rate_holds_and_the_longest_wait_is_told(session, clock):
    clock.set(clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
    rates = parse_rates("2/minute, 3/hour")
    allowed = []
    for _ in range(3):
        allowed += [ratelimit.hit(session, rates, "test", "kim").allowed for _ in range(2)]
        clock.advance(minutes=1)

    assert allowed == [True, True, True, False, False, False]
    refused = ratelimit.hit(session, rates, "test", "kim")
    assert refused.exceeded == Rate(3, 3600) and refused.retry_after == 57 * 60


def test_a_hit_given_back_does_not_count(session):
    for _ in range(3):
        verdict = ratelimit.hit(session, PER_MINUTE, "test", "kim")
        ratelimit.give_back(session, verdict)

    assert ratelimit.peek(session, PER_MINUTE, "test", "kim").allowed
    assert all(ratelimit.hit(session, PER_MINUTE, "test", "kim").allowed for _ in range(3))
    assert not ratelimit.peek(session, PER_MINUTE, "test", "kim").allowed


def test_no_rates_is_no_limit(session):
    assert all(ratelimit.hit(session, (), "test", "kim").allowed for _ in range(10))
    assert session.scalar(select(func.count()).select_from(RateCounter)) == 0


def test_a_hit_outside_a_transaction_is_committed_at_once(session):
    assert not session.in_transaction()
    ratelimit.hit(session, PER_MINUTE, "test", "kim")

    assert not session.in_transaction()  # its own, committed
    session.rollback()
    assert not ratelimit.peek(session, parse_rates("1/minute"), "test", "kim").allowed


def test_delays_double_after_the_free_failures_up_to_the_cap(session, clock):
    backoff = ratelimit.Backoff(free=3, first_wait=30, longest_wait=100, memory=3600)
    results = [ratelimit.strike(session, backoff, "test", "kim", "10.0.0.1") for _ in range(6)]

    assert results == [(1, 0), (2, 0), (3, 30), (4, 60), (5, 100), (6, 100)]
    assert ratelimit.waiting(session, "test", "kim", "10.0.0.1") == 100
    assert ratelimit.waiting(session, "test", "kim", "10.0.0.2") == 0
    clock.advance(seconds=101)
    assert ratelimit.waiting(session, "test", "kim", "10.0.0.1") == 0
    clock.advance(hours=1)  # quiet for longer than the memory: counted from one again
    assert ratelimit.strike(session, backoff, "test", "kim", "10.0.0.1") == (1, 0)


def test_cleared_delays_and_forgotten_subjects(session):
    backoff = ratelimit.Backoff(free=1, first_wait=30, longest_wait=100, memory=3600)
    for address in ("10.0.0.1", "10.0.0.2"):
        ratelimit.strike(session, backoff, "test", "kim", address)
    ratelimit.strike(session, backoff, "test", "lee", "10.0.0.1")
    ratelimit.hit(session, PER_MINUTE, "test", "kim")

    ratelimit.clear(session, "test", "kim", "10.0.0.1")
    assert ratelimit.waiting(session, "test", "kim", "10.0.0.1") == 0
    assert ratelimit.waiting(session, "test", "kim", "10.0.0.2") == 30
    ratelimit.forget(session, "test", "kim")
    assert ratelimit.waiting(session, "test", "kim", "10.0.0.2") == 0
    assert ratelimit.peek(session, parse_rates("1/minute"), "test", "kim").allowed
    assert ratelimit.waiting(session, "test", "lee", "10.0.0.1") == 30


def test_marks_last_their_time(session, clock):
    ratelimit.remember(session, 60, "test", "kim", "10.0.0.1")

    assert ratelimit.remembered(session, "test", "kim", "10.0.0.1")
    assert not ratelimit.remembered(session, "test", "kim", "10.0.0.2")
    clock.advance(seconds=61)
    assert not ratelimit.remembered(session, "test", "kim", "10.0.0.1")


def test_expired_rows_are_purged_and_no_subject_is_stored_as_given(session, clock):
    ratelimit.hit(session, PER_MINUTE, "test", "kim@example.com")
    ratelimit.remember(session, 3600, "test", "kim@example.com", "203.0.113.9")
    keys = list(session.scalars(select(RateCounter.key)))
    assert not any("kim" in key or "203.0" in key for key in keys)

    clock.advance(minutes=2)
    assert ratelimit.purge_expired(session) == 1
    assert session.scalar(select(func.count()).select_from(RateCounter)) == 1


def test_concurrent_hits_from_many_connections_let_exactly_the_limit_through(engine):
    """Twelve threads, each with its own connection (as several API processes would have),
    hit one counter 10 times each: exactly the limit's worth are allowed."""
    made = sessionmaker(bind=engine)
    rates = parse_rates("50/hour")
    allowed: list[bool] = []
    start = threading.Barrier(12)

    def hammer():
        with made() as session:
            start.wait()
            for _ in range(10):
                allowed.append(ratelimit.hit(session, rates, "test", "shared").allowed)

    threads = [threading.Thread(target=hammer) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(allowed) == 120 and allowed.count(True) == 50


def test_workers_purge_the_counters_that_mean_nothing_any_more(engine, session, settings, clock):
    ratelimit.hit(session, PER_MINUTE, "test", "kim")
    ratelimit.remember(session, 3600, "test", "kim", "10.0.0.1")
    session.commit()
    clock.advance(minutes=2)
    worker = Worker(engine, settings, jobs=worker_jobs(engine, settings))

    worker.run_jobs()
    worker.close()

    session.expire_all()
    assert session.scalar(select(func.count()).select_from(RateCounter)) == 1
