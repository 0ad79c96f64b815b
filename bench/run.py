"""Every benchmark at one scale, on SQLite and then on PostgreSQL, with one table of figures.

    .venv/bin/python bench/run.py [--scale county|city|province] [--only sqlite|postgresql]
                                  [--write-readme]

For each database it makes a throwaway data folder (and, for PostgreSQL, a throwaway cluster
on loopback, with the durability settings a deployment keeps), migrates, seeds the synthetic
province with `fazhi bench seed`, and runs bench/pages.py, bench/ingest.py, bench/extract.py
and bench/rush.py against it; bench/filing.py runs once, on SQLite. Each benchmark prints its
own lines as it goes; each database's figures are gathered into
bench/results/<scale>-<database>.md (and, with --write-readme, all of the scale's into the
README's "Benchmarks" section) with the machine they came from. At the end, one summary of every goal of both databases: met, or missed and by
how much."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from harness import ROOT, machine

sys.path.insert(0, str(ROOT / "scripts"))
from run_tests import find_postgres_bin, throwaway_cluster  # noqa: E402

PYTHON = sys.executable
FAZHI = [PYTHON, "-m", "fazhi.cli"]
RESULTS = ROOT / "bench" / "results"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"

# What each scale runs: the size of the upload, the number of rushing clients and how long.
PLANS = {
    "county": {"upload_mb": 256, "clients": 100, "duration": 20, "materials": 300},
    "city": {"upload_mb": 512, "clients": 200, "duration": 30, "materials": 600},
    "province": {"upload_mb": 2048, "clients": 500, "duration": 60, "materials": 1500},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(PLANS), default="county")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    plan = PLANS[args.scale]
    print(f"== 基准测试：规模 {args.scale}；{machine()} ==", flush=True)
    status = 0
    figures: dict[str, list[dict]] = {}
    if args.only in (None, "sqlite"):
        status |= run_database("sqlite", {}, args.scale, plan, figures, with_filing=True)
    if args.only in (None, "postgresql"):
        pg_bin = find_postgres_bin()
        if pg_bin is None:
            print("未安装 PostgreSQL 服务端，跳过 PostgreSQL。", flush=True)
        else:
            with throwaway_cluster(pg_bin, durable=True) as url:
                status |= run_database(
                    "postgresql", {"DATABASE_URL": url}, args.scale, plan, figures
                )
    tables = "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(RESULTS.glob(f"{args.scale}-*.md"))
    )
    print(tables)
    if args.write_readme:
        write_readme(tables)
    print(summary(figures), flush=True)
    return status


def run_database(name, environment, scale, plan, figures, *, with_filing=False) -> int:
    """Seed and run every benchmark on one database; its figures go to
    bench/results/<scale>-<database>.md as soon as it is done, and into figures[name]."""
    print(f"\n== {name} ==", flush=True)
    results = Path(tempfile.mkstemp(prefix="fazhi-bench-", suffix=".jsonl")[1])
    with tempfile.TemporaryDirectory(prefix=f"fazhi-bench-{name}-") as data_dir:
        env = {**environment, "FAZHI_DATA_DIR": data_dir, "FAZHI_BENCH_RESULTS": str(results)}
        status = run([*FAZHI, "migrate", "--no-input", "--verbosity", "0"], env)
        started = time.perf_counter()
        status |= run([*FAZHI, "bench", "seed", "--scale", scale], env)
        seeding = time.perf_counter() - started
        status |= run([PYTHON, "bench/pages.py", "--profile"], env)  # misses with their profile
        status |= run([PYTHON, "bench/cost.py"], env)  # where the rush's CPU goes, by layer
        status |= run([PYTHON, "bench/ingest.py", "--size-mb", str(plan["upload_mb"])], env)
        status |= run([PYTHON, "bench/extract.py"], env)  # the task worker's memory
        status |= run(
            [
                PYTHON,
                "bench/rush.py",
                "--clients",
                str(plan["clients"]),
                "--duration",
                str(plan["duration"]),
                "--rounds",  # a second rush against the same server: does memory grow?
                "2",
                "--ramp",  # then the highest client count that still holds the goal
            ],
            env,
        )
    if with_filing:  # its own data, on SQLite
        status |= run(
            [PYTHON, "bench/filing.py", "--materials", str(plan["materials"])],
            {"FAZHI_BENCH_RESULTS": str(results)},
        )
    RESULTS.mkdir(exist_ok=True)
    figures[name] = read_rows(results)
    table = results_table(scale, name, figures[name], seeding)
    (RESULTS / f"{scale}-{name}.md").write_text(table, encoding="utf-8")
    results.unlink()
    return status


def run(command: list[str], env: dict) -> int:
    print(f"$ {' '.join(command[1:] if command[0] == PYTHON else command)}", flush=True)
    return subprocess.call(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603


def read_rows(results: Path) -> list[dict]:
    return [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]


def results_table(scale: str, name: str, rows: list[dict], seeding: float) -> str:
    lines = [
        f"**{rows[0]['database'] if rows else name}**, scale `{scale}` (seeded in "
        f"{seeding:.0f} s), measured {datetime.now(UTC):%Y-%m-%d} on {machine()}:",
        "",
        "| benchmark | what | median | p95 | goal | baseline (same run) | ratio | met | note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        unit = row.get("unit") or "ms"
        goal = f"≤ {row['goal_p95_ms']:g} {unit}" if row.get("goal_p95_ms") is not None else ""
        if row.get("goal_ratio"):
            goal += f"{', ' if goal else ''}≤ {row['goal_ratio']:g}× baseline"
        baseline = (
            f"{row['baseline']}: {row['baseline_p95_ms']:.1f}" if row.get("baseline_p95_ms") else ""
        )
        ratio = f"{row['ratio']:.2f}×" if row.get("ratio") else ""
        lines.append(
            f"| {row['bench']} | {row['name']} | {row['median_ms']:.1f} {unit} "
            f"| {row['p95_ms']:.1f} {unit} | {goal} | {baseline} | {ratio} | "
            f"{verdict(row)} "
            f"| {row.get('note', '')} |"
        )
    return "\n".join(lines) + "\n"


def verdict(row: dict) -> str:
    """The table's "met" cell: empty for a figure with no goal (per-endpoint CPU, the ramp)."""
    if row.get("goal_p95_ms") is None and not row.get("goal_ratio"):
        return ""
    return "yes" if row["met"] else "**no**, " + missed_by_how_much(row)


def summary(figures: dict[str, list[dict]]) -> str:
    """Every figure with a goal, database by database: met, or missed and by how much; and the
    figures counted in clients (the highest load held), which have none."""
    lines, met, missed = ["", "== 每项目标（every goal）=="], 0, 0
    for name, rows in figures.items():
        for row in rows:
            unit = row.get("unit") or "ms"
            what = f"{name:<10} {row['bench']} / {row['name']}"
            if unit == "clients":
                lines.append(f"{what}: {row['p95_ms']:.0f} clients")
                continue
            goals = []
            if row.get("goal_p95_ms") is not None:
                goals.append(f"≤ {row['goal_p95_ms']:g} {unit}")
            if row.get("goal_ratio"):
                goals.append(f"≤ {row['goal_ratio']:g}× {row['baseline']}")
            if not goals:
                continue
            figure = f"p95 {row['p95_ms']:.1f} {unit}" + (
                f" = {row['ratio']:.2f}× {row['baseline']}" if row.get("goal_ratio") else ""
            )
            if row["met"]:
                met += 1
                verdict = "met"
            else:
                missed += 1
                verdict = "MISSED " + missed_by_how_much(row)
            lines.append(f"{what}: {figure}, goal {' and '.join(goals)}: {verdict}")
    lines.append(f"{met + missed} goals: {met} met, {missed} missed")
    return "\n".join(lines)


def missed_by_how_much(row: dict) -> str:
    """How far a missed goal is: 'by 4.2 ms (+42%)', 'by 0.31× the baseline' (a ratio goal),
    or 'with errors' (a rush whose p95 is infinite because requests failed)."""
    unit, goal, p95 = row.get("unit") or "ms", row.get("goal_p95_ms"), row["p95_ms"]
    if p95 == float("inf"):
        return "with errors"
    parts = []
    if goal is not None and p95 > goal:
        share = f" (+{(p95 - goal) / goal:.0%})" if goal > 0 else ""
        parts.append(f"by {p95 - goal:.1f} {unit}{share}")
    ratio, goal_ratio = row.get("ratio"), row.get("goal_ratio")
    if goal_ratio and (ratio is None or ratio > goal_ratio):
        parts.append(
            f"by {ratio - goal_ratio:.2f}× the baseline" if ratio else "(no baseline measured)"
        )
    return " and ".join(parts)


def write_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END)
    readme.write_text(
        text[: start + len(README_START)] + "\n" + table + text[end:], encoding="utf-8"
    )


if __name__ == "__main__":
    sys.exit(main())
