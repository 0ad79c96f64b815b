"""The chaos test: kill -9 the platform's processes in the middle of their work, N times each,
let the platform recover, and check that nothing was lost or left half-done.

    .venv/bin/python bench/chaos.py [--kills 20] [--seed 23] [--database sqlite|postgresql]
                                    [--kinds upload,import,build,extract] [--upload-mb 32]

On its own throwaway data folder (and, with --database postgresql, a throwaway cluster on
loopback) it loads the demo data, starts the web server (`fazhi serve --no-worker`, one gunicorn
worker) and a task worker (`fazhi worker`) on 127.0.0.1 as bench/loadclient.py does, and then,
N times each, at a moment drawn from a seeded random source so that kills land in different
phases:

  upload   SIGKILL the gunicorn worker (every fourth time the whole `fazhi serve` process group)
           while a large streamed upload arrives or is being stored; restart what was killed;
  import   SIGKILL `fazhi framework import` of a 1,200-indicator table, or `fazhi evidence
           import-dir` of a folder of 24 text files and two 64 MiB videos, then run it
           again and expect it to finish;
  build    SIGKILL the task worker while it builds a campaign's filing, start a new one;
  extract  SIGKILL the task worker while it reads the text of an uploaded file, start a new one.

Each kill's recovery time runs from the kill until the work is redone (the server answers and
takes an upload; the rerun finished; the build is ready; the material is found by a word of its
text). After each kind the invariants of bench/chaos_checks.py are checked. The task lease is
set short (FAZHI_TASK_LEASE_SECONDS, --lease) so that a task whose worker died is retried
quickly. Exits 1 on any violation."""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chaos_kinds import FAZHI, KINDS, Chaos  # noqa: E402
from harness import ROOT, Figure, database, machine, percentile, report, setup_django  # noqa: E402
from loadclient import Server  # noqa: E402

README_START, README_END = "<!-- chaos:start -->", "<!-- chaos:end -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20, help="kills of each kind")
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--upload-mb", type=int, default=24)
    parser.add_argument(
        "--import-large-mb", type=int, default=64, help="two files this large in each folder"
    )
    parser.add_argument("--lease", type=int, default=3, help="FAZHI_TASK_LEASE_SECONDS")
    parser.add_argument(
        "--recover-timeout", type=float, default=60, help="seconds a kill's work may take to redo"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument(
        "--write-readme", action="store_true", help="put the figures in the README's section"
    )
    args = parser.parse_args()
    # Stopped by SIGTERM too, it unwinds as on Ctrl+C: the server, the worker and the data
    # folder go with it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    kinds = [k for k in args.kinds.split(",") if k]
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    root = Path(tempfile.mkdtemp(prefix="fazhi-chaos-"))
    try:
        if args.database == "postgresql":
            sys.path.insert(0, str(ROOT / "scripts"))
            from run_tests import find_postgres_bin, throwaway_cluster

            pg_bin = find_postgres_bin()
            if pg_bin is None:
                sys.exit("未安装 PostgreSQL 服务端。")
            with throwaway_cluster(pg_bin, durable=True) as url:
                return run(args, kinds, root, {"DATABASE_URL": url})
        return run(args, kinds, root, {})
    finally:
        if args.keep:
            print(f"# 数据保留在 {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def run(args, kinds: list[str], root: Path, extra: dict[str, str]) -> int:
    data_dir, system_tmp = root / "data", root / "systmp"
    data_dir.mkdir()
    system_tmp.mkdir()
    os.environ.update({"FAZHI_DATA_DIR": str(data_dir), **extra})
    env = {
        **os.environ,
        "TMPDIR": str(system_tmp),
        "FAZHI_TASK_LEASE_SECONDS": str(args.lease),
        "FAZHI_EXTRACT_RETRY_MINUTES": "0",
        "FAZHI_UPLOAD_MAX_MB": str(max(args.upload_mb, args.import_large_mb) + 64),
        "FAZHI_LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    for command in (["migrate", "--no-input", "--verbosity", "0"], ["demo-data"]):
        subprocess.run(  # noqa: S603
            [*FAZHI, *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    setup_django()
    print(f"# chaos   {machine()}   {database()}   种子 {args.seed}", flush=True)
    chaos = Chaos(args, root, env)
    chaos.settle_demo()
    print(
        f"# 演示数据就绪（{time.perf_counter() - started:.0f} s）；数据目录 {data_dir}", flush=True
    )
    web = Server(workers=1, env={**env, "PYTHONUNBUFFERED": "1"})
    # Its log beside the data folder, not in this process's temp area, which the checks read.
    web.log.unlink()
    web.log = root / "web.log"
    with web:
        chaos.web = web
        chaos.start_worker()
        try:
            chaos.prepare(kinds)
            for kind in kinds:
                print(f"== {kind}：{args.kills} 次 ==", flush=True)
                began = time.perf_counter()
                for number in range(args.kills):
                    getattr(chaos, f"kill_{kind}")(number)
                chaos.check(kind)
                chaos.results[kind]["seconds"] = time.perf_counter() - began
        finally:
            chaos.stop_worker()
    table = summarize(chaos, kinds, time.perf_counter() - started)
    print("\n".join(table), flush=True)
    if args.write_readme:
        write_readme(table)
    return 1 if any(chaos.results[kind]["v"] for kind in chaos.results) else 0


def summarize(chaos: Chaos, kinds: list[str], total: float) -> list[str]:
    """Print one figure per kind (kills, violations, time to recover) and return the table of
    them for the README."""
    print(f"== 结果（共 {total:.0f} s）==", flush=True)
    table = [
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC{commit()}, {database()}, seed {chaos.args.seed}, "
        f"task lease {chaos.args.lease} s, {total / 60:.1f} min in all, on {machine()}:",
        "",
        "| kind | kills | violations | recovery median | p95 | max | where the kills landed |",
        "|---|---|---|---|---|---|---|",
    ]
    violations: list[str] = []
    for kind in kinds:
        entry = chaos.results.get(kind, {"kills": 0, "phases": {}, "recover": [], "v": []})
        recover = entry["recover"] or [0.0]
        violations += [f"{kind}: {message}" for message in entry["v"]]
        phases = ", ".join(f"{name} {count}" for name, count in sorted(entry["phases"].items()))
        median, p95 = statistics.median(recover), percentile(recover, 0.95)
        report(
            Figure(
                bench="chaos",
                name=f"{kind}: {entry['kills']} kills, {len(entry['v'])} violations",
                median_ms=median,
                p95_ms=p95,
                goal_p95_ms=chaos.args.recover_timeout,
                note=f"time to recover; {phases}",
                unit="s",
            )
        )
        for message in entry["v"]:
            print(f"    ✗ {message}", flush=True)
        table.append(
            f"| {kind} | {entry['kills']} | {len(entry['v'])} | {shown(median)} | {shown(p95)} "
            f"| {shown(max(recover))} | {phases} |"
        )
    if violations:
        table += ["", "Violations:", "", *(f"- {message}" for message in violations)]
    return table


def commit() -> str:
    """The commit measured, when the code runs from a git checkout."""
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return f", commit {found.stdout.strip()}" if found.returncode == 0 else ""


def shown(seconds: float) -> str:
    return "never" if math.isinf(seconds) else f"{seconds:.1f} s"


def write_readme(table: list[str]) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START), text.index(README_END)
    body = "\n".join(table)
    readme.write_text(
        text[: start + len(README_START)] + "\n" + body + "\n" + text[end:], encoding="utf-8"
    )


if __name__ == "__main__":
    sys.exit(main())
