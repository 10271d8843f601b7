"""Timing helpers and the printed table."""

from __future__ import annotations

import resource
import statistics
import time
from typing import Callable, Iterable


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def stats(ms: list[float]) -> tuple[float, float]:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return statistics.median(ms), p95


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike getrusage's ru_maxrss it
    does not inherit the parent's peak across fork + exec)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(title: str, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
    head = ("measure", "liaison", "anchor", "ratio / target", "verdict")
    rows = [head, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    print(f"\n{title}")
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"
