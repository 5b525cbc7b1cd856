"""Proactive problem detection: contacts per cell (reason × area) and hour against what the
same weekday and hour brought in recent weeks.

Two detectors run on every hour just ended, over all cells at once (numpy):

- **Spikes** (outages): the expected count is the mean of the same hour-of-week and the hours
  either side over the last ``weeks`` weeks, leaving out a week far busier than the others
  (a past outage does not raise it). The upper-tail probability of the observed count is
  Poisson's with that rate known only from those samples (the gamma-Poisson predictive), or
  the negative binomial's fitted to the history when it is over-dispersed (variance above
  1.5 × mean). A cell alarms when its count is at least ``min_count`` and its probability
  passes Benjamini–Hochberg at ``false_discovery`` over **all** cells of the hour.
- **Drifts**: a Poisson CUSUM per cell of the log-likelihood ratio of the rate being
  ``cusum_ratio`` times the expected one against it being as expected; an alarm when it
  reaches ``cusum_threshold`` (then it starts again).

``tests/analytics/test_detection.py`` measures both on synthetic series with injected outages
and drifts, and on quiet ones.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

HOURS_A_WEEK = 168
SPIKE, DRIFT = "spike", "drift"
OUTLIER_MARGIN = 4  # contacts: a week above twice the others' mean and this is an outlier


@dataclass(frozen=True)
class DetectionRules:
    weeks: int = 4  # how many past weeks make the baseline
    neighbours: int = 1  # hours either side of the same hour-of-week taken with it
    min_count: int = 5  # fewer contacts in the hour never alarm
    false_discovery: float = 0.001  # Benjamini–Hochberg's q over the cells of an hour
    floor_rate: float = 0.05  # contacts an hour expected at least, in any cell
    overdispersion: float = 1.5  # variance/mean above which the negative binomial is used
    cusum_ratio: float = 2.0  # the rise the CUSUM looks for
    cusum_threshold: float = 12.0  # its alarm level (log-likelihood ratio)

    @property
    def history_hours(self) -> int:
        """Hours of history the detection of one hour needs before it."""
        return self.weeks * HOURS_A_WEEK + self.neighbours


@dataclass(frozen=True)
class Alarm:
    cell: int
    kind: str
    observed: int
    expected: float
    probability: float | None


@dataclass
class CusumState:
    sums: np.ndarray = field(default_factory=lambda: np.zeros(0))


def baseline(counts: np.ndarray, hour: int, rules: DetectionRules):
    """Every cell's (rows of ``counts``) expected count in column ``hour``, the contacts and
    the samples it is made of, and their variance."""
    offsets = np.arange(-rules.neighbours, rules.neighbours + 1)
    weeks = np.arange(1, rules.weeks + 1)
    columns = hour - weeks[:, None] * HOURS_A_WEEK + offsets[None, :]  # (weeks, window)
    samples = counts[:, columns].astype(float)  # (cells, weeks, window)
    cells, weeks_given = samples.shape[:2]
    weekly = samples.sum(axis=2)
    # A week far busier than the others (a past outage) is left out of the baseline.
    busiest = np.argmax(weekly, axis=1)
    highest = weekly[np.arange(cells), busiest]
    others = (weekly.sum(axis=1) - highest) / (weeks_given - 1)
    outlier = highest > 2 * others + OUTLIER_MARGIN
    keep = np.ones(samples.shape[:2], dtype=bool)
    keep[np.arange(cells), busiest] = ~outlier
    weights = np.broadcast_to(keep[:, :, None], samples.shape).astype(float)
    size = weights.sum(axis=(1, 2))
    total = (samples * weights).sum(axis=(1, 2))
    expected = np.maximum(total / size, rules.floor_rate)
    deviation = (samples - (total / size)[:, None, None]) ** 2
    variance = (deviation * weights).sum(axis=(1, 2)) / (size - 1)
    return expected, total, size, variance


def upper_tail(observed, expected, total, size, variance, rules) -> np.ndarray:
    """P(X ≥ observed): the Poisson rate known only from ``size`` samples holding ``total``
    contacts (the gamma-Poisson predictive, a negative binomial), or, where the history is
    over-dispersed, the negative binomial fitted to its mean and variance; the larger of
    the two where both apply."""
    shape = np.maximum(total, rules.floor_rate * size) + 0.5
    probability = stats.nbinom.sf(observed - 1, shape, size / (size + 1.0))
    dispersed = variance > rules.overdispersion * expected
    if dispersed.any():
        mean, var = expected[dispersed], variance[dispersed]
        fitted = mean**2 / (var - mean)
        tail = stats.nbinom.sf(observed[dispersed] - 1, fitted, fitted / (fitted + mean))
        probability[dispersed] = np.maximum(probability[dispersed], tail)
    return probability


def benjamini_hochberg(probabilities: np.ndarray, q: float) -> np.ndarray:
    """Which of the hypotheses are rejected at false discovery rate ``q``."""
    count = len(probabilities)
    order = np.argsort(probabilities)
    passing = probabilities[order] <= q * np.arange(1, count + 1) / count
    rejected = np.zeros(count, dtype=bool)
    if passing.any():
        rejected[order[: np.nonzero(passing)[0].max() + 1]] = True
    return rejected


def scan(counts: np.ndarray, hour: int, state: CusumState, rules: DetectionRules) -> list[Alarm]:
    """The alarms of column ``hour`` (it needs ``rules.history_hours`` columns before it)."""
    if hour < rules.history_hours:
        raise ValueError(f"hour {hour}: {rules.history_hours} hours of history needed before it")
    observed = counts[:, hour].astype(int)
    expected, total, size, variance = baseline(counts, hour, rules)
    probability = upper_tail(observed, expected, total, size, variance, rules)
    spikes = benjamini_hochberg(probability, rules.false_discovery) & (observed >= rules.min_count)
    if state.sums.shape != expected.shape:
        state.sums = np.zeros_like(expected)
    ratio = rules.cusum_ratio
    state.sums = np.maximum(0.0, state.sums + observed * np.log(ratio) - expected * (ratio - 1))
    drifts = state.sums >= rules.cusum_threshold
    state.sums[drifts] = 0.0
    alarms = [
        Alarm(
            int(cell), SPIKE, int(observed[cell]), float(expected[cell]), float(probability[cell])
        )
        for cell in np.nonzero(spikes)[0]
    ]
    alarms += [
        Alarm(int(cell), DRIFT, int(observed[cell]), float(expected[cell]), None)
        for cell in np.nonzero(drifts & ~spikes)[0]
    ]
    return alarms


def scan_range(counts: np.ndarray, first: int, rules: DetectionRules) -> list[tuple[int, Alarm]]:
    """(hour, alarm) for every hour from ``first`` to the last column, CUSUM carried along."""
    state = CusumState()
    found = []
    for hour in range(first, counts.shape[1]):
        found += [(hour, alarm) for alarm in scan(counts, hour, state, rules)]
    return found
