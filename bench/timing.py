"""Shared timing helpers for the bench scripts: warm up, repeat, report medians and percentiles."""

import statistics
import time
from collections.abc import Callable


def sample_ms(fn: Callable[[], object], repeat: int = 15, warmup: int = 2) -> list[float]:
    """Wall times of ``repeat`` calls of ``fn`` in milliseconds, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def interleaved_medians(
    fns: dict[str, Callable[[], object]], repeat: int = 15, warmup: int = 2
) -> dict[str, float]:
    """Median ms of each function, timed round-robin so that a burst of load from another process
    hits every contender alike instead of skewing whichever happened to run then."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def median_ms(fn: Callable[[], object], repeat: int = 15, warmup: int = 2) -> float:
    return statistics.median(sample_ms(fn, repeat, warmup))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"
