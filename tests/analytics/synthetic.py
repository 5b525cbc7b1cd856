"""Synthetic contact series for the detection tests: cells (reason × area) with their own
rates, a day's shape and a week's, some over-dispersed; outages and drifts injected."""

from dataclasses import dataclass

import numpy as np

from parley.analytics.detection import HOURS_A_WEEK

# Mean 1 over the day: quiet nights, a busy morning and afternoon.
DAY = np.array([0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.1, 1.6, 1.8, 1.8, 1.7,
                1.6, 1.6, 1.7, 1.6, 1.5, 1.4, 1.2, 1.0, 0.8, 0.6, 0.4, 0.3])  # fmt: skip
DAY = DAY / DAY.mean()
WEEK = np.array([1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.7])
WEEK = WEEK / WEEK.mean()
OUTAGE_HOURS = 4
DRIFT_HOURS = 72


@dataclass
class Series:
    rates: np.ndarray  # (cells, hours)
    counts: np.ndarray


def quiet(cells: int, weeks: int, seed: int) -> Series:
    rng = np.random.default_rng(seed)
    hours = weeks * HOURS_A_WEEK
    base = np.clip(rng.lognormal(np.log(0.4), 1.0, cells), 0.02, 6.0)
    hour = np.arange(hours)
    shape = DAY[hour % 24] * WEEK[(hour // 24) % 7]
    rates = base[:, None] * shape[None, :]
    # A quarter of the cells over-dispersed: the rate itself varies hour to hour (gamma).
    dispersed = rng.random(cells) < 0.25
    noise = np.ones_like(rates)
    noise[dispersed] = rng.gamma(5.0, 1 / 5.0, (int(dispersed.sum()), hours))
    return Series(rates, rng.poisson(rates * noise))


def outage_extra(rate: np.ndarray) -> np.ndarray:
    """An outage's extra contacts an hour: ten, or three times the usual, whichever more."""
    return np.maximum(10.0, 3.0 * rate)


def inject_outages(series: Series, starts: list[tuple[int, int]], seed: int) -> Series:
    rng = np.random.default_rng(seed)
    counts = series.counts.copy()
    for cell, start in starts:
        span = slice(start, start + OUTAGE_HOURS)
        counts[cell, span] += rng.poisson(outage_extra(series.rates[cell, span]))
    return Series(series.rates, counts)


def inject_drifts(series: Series, starts: list[tuple[int, int]], seed: int) -> Series:
    """From ``start`` the cell's rate rises evenly to three times over 72 hours, and stays."""
    rng = np.random.default_rng(seed)
    counts = series.counts.copy()
    for cell, start in starts:
        hours = np.arange(start, counts.shape[1])
        factor = 1 + 2 * np.minimum((hours - start) / DRIFT_HOURS, 1.0)
        extra = series.rates[cell, hours] * (factor - 1)
        counts[cell, hours] += rng.poisson(extra)
    return Series(series.rates, counts)
