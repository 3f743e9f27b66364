"""Small helpers shared by the benchmark scripts: timing, summary statistics and tables.

Benchmarks are plain scripts (``python benchmarks/NAME.py``) that print figures next to a
baseline measured in the same run; these helpers keep their output uniform.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


class Timer:
    """Context manager measuring wall-clock time with ``time.perf_counter``.

    >>> with Timer() as timer:
    ...     pass
    >>> timer.seconds >= 0
    True
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.seconds = time.perf_counter() - self._start


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0-1) percentile of ``values``, interpolating between ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """Median, 95th percentile and mean of per-call latencies, in seconds."""

    count: int
    median: float
    p95: float
    mean: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> LatencySummary:
        return cls(
            count=len(seconds),
            median=statistics.median(seconds) if seconds else math.nan,
            p95=percentile(seconds, 0.95),
            mean=statistics.fmean(seconds) if seconds else math.nan,
        )


def time_each(
    function: Callable[[Any], Any], inputs: Iterable[Any]
) -> tuple[list[Any], list[float]]:
    """Call ``function`` once per input; return the results and each call's latency (s)."""
    results: list[Any] = []
    latencies: list[float] = []
    for item in inputs:
        start = time.perf_counter()
        results.append(function(item))
        latencies.append(time.perf_counter() - start)
    return results, latencies


def ms(seconds: float) -> str:
    """Seconds formatted as milliseconds for tables."""
    return f"{seconds * 1000:.2f} ms"


def pct(fraction: float) -> str:
    """A 0-1 fraction formatted as a percentage."""
    return f"{fraction * 100:.1f}%"


def speedup(baseline: float, candidate: float) -> str:
    """How many times faster ``candidate`` is than ``baseline`` (both durations)."""
    if candidate <= 0:
        return "n/a"
    return f"{baseline / candidate:.1f}x"


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print rows as an aligned plain-text table (first column left, the rest right)."""
    text_rows = [[str(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [first.ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(rest, widths[1:], strict=True)
        ]
        return "  ".join(parts)

    print(line(list(headers)))
    print("  ".join("-" * w for w in widths))
    for row in text_rows:
        print(line(row))


def print_machine() -> None:
    """One line describing where the figures were measured."""
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} on {platform.system()}"
    )


def argument_parser(description: str) -> argparse.ArgumentParser:
    """Parser with the options every benchmark shares: ``--quick`` and ``--seed``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--seed", type=int, default=20260801, help="random seed")
    return parser
