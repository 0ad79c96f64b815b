"""Benchmark: a test day — many examinees on their phones answering at once against the real
server (gunicorn, 2 × cores + 1 workers) on loopback, every answer saved the moment it is given.

Each examinee holds an open sitting of a 40-question paper and answers question after question
with a think time between answers (a few seconds, as on a phone), sometimes changing an answer
given before. Measured: the latency of saving one answer (median, p95). Then every answer the
server acknowledged is checked against the database: the last value each examinee gave for each
question must be the one stored. Goal: p95 ≤ 300 ms with 2,000 examinees, none lost.

    .venv/bin/python bench/exams_answers.py [--examinees 2000] [--duration 60] [--think 3 30]

Runs in a throwaway data folder (SQLite) unless FAZHI_DATA_DIR / DATABASE_URL name one."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCH = "exams"
GOAL_P95_MS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examinees", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    # 3–30 s a question: a 40-question paper in about 11 minutes, five times the pace of a
    # 60-minute test, every examinee at once.
    parser.add_argument("--think", type=float, nargs=2, default=(3.0, 30.0), metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=2 * len(os.sched_getaffinity(0)) + 1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scratch = None
    if not os.environ.get("FAZHI_DATA_DIR") and not os.environ.get("DATABASE_URL"):
        scratch = tempfile.mkdtemp(prefix="fazhi-bench-exams-")
        os.environ["FAZHI_DATA_DIR"] = scratch
    from harness import Figure, database, machine, percentile, report, setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"{machine()} · {database()}")
    started = time.perf_counter()
    papers = prepare(args.examinees)
    print(f"{len(papers)} sittings opened in {time.perf_counter() - started:.0f} s")
    latencies, refused, failures, given = load(papers, args)
    lost = check(given)
    report(
        Figure(
            BENCH,
            f"answer save, {args.examinees} examinees",
            percentile(latencies, 0.5) * 1000,
            percentile(latencies, 0.95) * 1000,
            goal_p95_ms=GOAL_P95_MS,
            note=f"{len(latencies)} saves in {args.duration:.0f} s "
            f"({len(latencies) / args.duration:.0f}/s), {refused} refused, "
            f"{len(failures)} failed {sorted(set(failures))[:3]}, {lost} lost",
        )
    )
    if scratch:
        print(f"(data in {scratch})")
    if lost or failures:
        print("LOST OR FAILED ANSWERS", file=sys.stderr)
        sys.exit(1)


def prepare(count: int) -> list[tuple[str, list[tuple[int, str, int]]]]:
    """A county, a bank, a 40-question test lasting long enough, `count` people drawn and each
    sitting opened: [(code, [(question id, kind, option count)])]."""
    from fazhi.accounts.system import SYSTEM
    from fazhi.exams import roster, services, sittings
    from fazhi.exams.demo import demo_questions
    from fazhi.exams.models import Candidate, Question
    from fazhi.orgs.models import Region, Unit

    county, _ = Region.objects.get_or_create(
        code="379902", defaults={"name": "考试县", "level": "county"}
    )
    units = [
        Unit.objects.get_or_create(
            code=f"379902-u{i}", defaults={"region": county, "name": f"考试县第{i}局"}
        )[0]
        for i in range(20)
    ]
    stamp = time.strftime("%H%M%S")
    bank, _ = services.bank_import(
        acting_user=SYSTEM, region=county, name=f"基准题库 {stamp}", questions=demo_questions()
    )
    exam = services.exam_create(
        acting_user=SYSTEM,
        bank=bank,
        name=f"基准测试 {stamp}",
        blueprints={"": "single:20,multiple:10,judge:5,blank:5"},
        duration_minutes=600,
        seed=stamp,
    )
    rows = [
        {"row": i, "name": f"考生{i}", "unit": units[i % 20].name, "role": "civil", "tail": ""}
        for i in range(count)
    ]
    roster.roster_import(acting_user=SYSTEM, exam=exam, rows=rows)
    roster.candidates_draw(acting_user=SYSTEM, exam=exam, percent=100, seed=stamp)
    papers = []
    kinds = {}
    for person in Candidate.objects.filter(exam=exam).exclude(code=None):
        sitting = sittings.sitting_start(candidate=person)
        if not kinds:
            kinds = {
                q.pk: (q.kind, len(q.options))
                for q in Question.objects.filter(pk__in=[e["q"] for e in sitting.paper])
            }
        papers.append((person.code, [(e["q"], *kinds[e["q"]]) for e in sitting.paper]))
    return papers


def _value(kind: str, options: int, rng: random.Random) -> list[str]:
    if kind == "single":
        return [str(rng.randrange(options))]
    if kind == "multiple":
        return sorted(map(str, rng.sample(range(options), rng.randint(2, options))))
    if kind == "judge":
        return [rng.choice(["正确", "错误"])]
    return [rng.choice(["六十", "三十", "十五"])]


def load(papers, args):
    from urllib.parse import urlencode

    from loadclient import Server, request

    latencies: list[float] = []
    failures: list[str] = []
    refused = 0
    given: dict[tuple[str, int], list[str]] = {}  # acknowledged, last per question

    with Server(workers=args.workers) as server:

        async def examinee(n: int, code: str, paper, stop_at: float) -> None:
            nonlocal refused
            rng = random.Random(f"{args.seed}:{n}")
            await asyncio.sleep(rng.uniform(0, args.think[1]))  # not all at the same instant
            step = 0
            while time.monotonic() < stop_at:
                # Mostly the next question; now and then back to change an earlier one.
                index = (
                    step % len(paper)
                    if rng.random() > 0.15 or step == 0
                    else rng.randrange(len(paper))
                )
                qid, kind, options = paper[index]
                values = _value(kind, options, rng)
                body = urlencode([("question", qid), *[("value", v) for v in values]]).encode()
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                }
                began = time.perf_counter()
                try:
                    answer = await request(
                        server.port, "POST", f"/exams/t/{code}/answer/", headers=headers, body=body
                    )
                except (TimeoutError, OSError) as exc:
                    failures.append(type(exc).__name__)
                else:
                    latencies.append(time.perf_counter() - began)
                    if answer.status == 200:
                        given[(code, qid)] = values
                    elif answer.status < 500:
                        refused += 1
                    else:
                        failures.append(str(answer.status))
                step += 1
                await asyncio.sleep(rng.uniform(*args.think))

        async def run() -> None:
            stop_at = time.monotonic() + args.duration
            await asyncio.gather(
                *(examinee(n, code, paper, stop_at) for n, (code, paper) in enumerate(papers))
            )

        cpu = time.process_time()
        asyncio.run(run())
        # The load generator shares the machine's cores with the server: say how much it took.
        print(f"load generator CPU: {time.process_time() - cpu:.1f} s over {args.duration:.0f} s")
    return latencies, refused, failures, given


def check(given) -> int:
    """Acknowledged answers that the database does not hold as last given."""
    from fazhi.exams.models import Answer, Question
    from fazhi.exams.questionparts import LETTERS

    kinds = dict(Question.objects.values_list("pk", "kind"))
    stored = {
        (code, qid): response
        for code, qid, response in Answer.objects.filter(
            sitting__candidate__code__in={code for code, _ in given}
        ).values_list("sitting__candidate__code", "question_id", "response")
    }
    lost = 0
    for (code, qid), values in given.items():
        expected = (
            sorted(LETTERS[int(v)] for v in values)
            if kinds[qid] in ("single", "multiple")
            else values
        )
        if stored.get((code, qid)) != expected:
            lost += 1
    return lost


if __name__ == "__main__":
    main()
