"""What every benchmark under bench/ shares: Django set up on the database the environment names
(FAZHI_DATA_DIR / DATABASE_URL, as the platform itself), timing of repeated calls, median and
p95, and one printed line per figure.

Each figure is also appended as one JSON line to $FAZHI_BENCH_RESULTS when it is set, so that
bench/run.py can gather the figures of all benchmarks into one table."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fazhi.settings")
    import django

    django.setup()


def server_timing(header: str) -> dict[str, float]:
    """The server's own account of a request, from its Server-Timing header (fazhi/core/timing.py):
    "cpu" and "db" in ms and "queries", each present if the header has it."""
    found = {name: float(ms) for name, ms in re.findall(r"(cpu|db);dur=([0-9.]+)", header)}
    if queries := re.search(r'desc="(\d+) queries"', header):
        found["queries"] = int(queries.group(1))
    return found


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile: the value below which `fraction` of the samples lie."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.5)) if len(ordered) > 1 else 1
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.seconds, 0.95) * 1000


def timed(call: Callable[[], object], *, repeat: int = 50, warmup: int = 3) -> Samples:
    """Run `call` warmup times unmeasured (caches, connections), then `repeat` times measured."""
    for _ in range(warmup):
        call()
    samples = Samples()
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.seconds.append(time.perf_counter() - started)
    return samples


@dataclass
class Figure:
    """One measured thing: its median and p95, the goal for its p95, and the same-run baseline
    it is compared with (the bare query, the raw disk write…)."""

    bench: str
    name: str
    median_ms: float
    p95_ms: float
    goal_p95_ms: float | None = None
    baseline: str = ""
    baseline_p95_ms: float | None = None
    goal_ratio: float | None = None
    note: str = ""
    unit: str = "ms"  # what median_ms and p95_ms hold when a figure is not a time (MB, MiB/s)

    @property
    def ratio(self) -> float | None:
        if not self.baseline_p95_ms:
            return None
        return self.p95_ms / self.baseline_p95_ms

    @property
    def met(self) -> bool:
        within_goal = self.goal_p95_ms is None or self.p95_ms <= self.goal_p95_ms
        ratio = self.ratio
        within_ratio = self.goal_ratio is None or (ratio is not None and ratio <= self.goal_ratio)
        return within_goal and within_ratio


def report(figure: Figure) -> Figure:
    """Print the figure on one line and record it for bench/run.py."""
    unit = figure.unit
    parts = [
        f"{figure.name:<44} median {figure.median_ms:8.1f} {unit}   p95 {figure.p95_ms:8.1f} {unit}"
    ]
    if figure.goal_p95_ms is not None:
        parts.append(f"goal p95 ≤ {figure.goal_p95_ms:g} {unit}")
    if figure.ratio is not None:
        parts.append(
            f"{figure.ratio:.2f}× {figure.baseline} (p95 {figure.baseline_p95_ms:.1f} {unit}"
            + (f", goal ≤ {figure.goal_ratio:g}×)" if figure.goal_ratio else ")")
        )
    if figure.note:
        parts.append(figure.note)
    parts.append("met" if figure.met else "MISSED")
    print("   ".join(parts), flush=True)
    record(figure)
    return figure


def record(figure: Figure) -> None:
    target = os.environ.get("FAZHI_BENCH_RESULTS")
    if not target:
        return
    row = {**asdict(figure), "ratio": figure.ratio, "met": figure.met, "database": database()}
    with open(target, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def database() -> str:
    """The database the figures come from, with its version."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.cursor().connection.info.server_version // 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def machine() -> str:
    """The machine the figures come from: CPU model, cores, memory, OS and Python."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )
