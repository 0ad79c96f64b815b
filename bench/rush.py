"""Benchmark: the deadline rush. N simulated users at once against the real server (gunicorn
with `fazhi serve`'s workers and threads, and one background worker): liaisons upload small
files and open their lists, submit finished items; reviewers give verdicts on what was
submitted; lead offices browse the campaign's item list and the ledger. Each user makes a
request, then thinks (1–5 s).

    .venv/bin/python bench/rush.py [--clients 500] [--duration 60] [--think 1 5] [--workers N]

Runs against the database and storage the environment names (FAZHI_DATA_DIR, DATABASE_URL,
FAZHI_S3_*), migrated and filled (`fazhi demo-data` or `fazhi bench seed`). Users and items are
found in the database by role; clients log in through sessions made directly (pages, with the
CSRF cookie) and API tokens (item submission, verdicts). Every answer that is not the expected
one is an error: another status, a refused connection, a timeout. Afterwards the effects are
checked in the database: materials stored, items submitted, verdicts recorded.

Goal: 0 errors and p95 ≤ 500 ms for each kind of request with --clients 500."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    Figure,
    Samples,
    database,
    machine,
    percentile,
    report,
    server_timing,
    setup_django,
)
from loadclient import (  # noqa: E402
    Server,
    api_token,
    cpu_seconds,
    csrf_secret,
    delete_sessions,
    delete_tokens,
    multipart,
    request,
    session_cookie,
    status_kib,
)

GOAL_P95_MS = 500
KINDS = ("upload", "list", "submit", "review")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"))
    # What `fazhi serve` starts: on 2 cores, 5 workers cost 3 ms more CPU a request than 2.
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("FAZHI_WEB_WORKERS", "2"))
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds before a request fails")
    parser.add_argument(
        "--warmup", type=float, default=10, help="seconds of load before timing starts"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-task-worker", action="store_true", help="no `fazhi worker` (to see what it costs)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="rushes against the same server (memory growth)"
    )
    parser.add_argument(
        "--ramp",
        type=int,
        nargs="*",
        default=None,
        metavar="CLIENTS",
        help="then short rushes at these client counts (default 100, 200, 300 … until one misses "
        "or --ramp-budget is spent) to find the highest that holds p95 ≤ 500 ms with no error",
    )
    parser.add_argument("--ramp-duration", type=float, default=20, help="seconds timed per step")
    parser.add_argument(
        "--ramp-budget", type=float, default=240, help="seconds the ramp may take at most"
    )
    args = parser.parse_args()
    random.seed(args.seed)
    setup_django()
    print(f"# rush   {machine()}   {database()}", flush=True)

    cast = Cast.from_database(args.clients)
    print(f"# {cast.describe()}", flush=True)
    files = upload_files()
    before = effects_now(cast)
    stats = Stats()
    memory = Memory()
    steps = []
    try:
        with Server(
            workers=args.workers,
            task_worker=not args.no_task_worker,
            env={"FAZHI_SERVER_TIMING": "1"},
        ) as server:
            print(
                f"# server: gunicorn {args.workers} workers × "
                f"{os.environ.get('FAZHI_WEB_THREADS', '4')} threads on :{server.port}, "
                f"{'no' if args.no_task_worker else 'one'} task worker; "
                f"{args.clients} clients, think {args.think[0]:g}–"
                f"{args.think[1]:g} s, {args.warmup:g} s warm-up, then {args.duration:g} s timed",
                flush=True,
            )
            memory.read(server, "idle")
            server_cpu, client_cpu = asyncio.run(
                run_clients(server.port, cast, files, stats, args, server)
            )
            wall = time.perf_counter() - stats.measure_from
            after = effects_now(cast)
            memory.read(server, "after the rush")
            for again in range(2, args.rounds + 1):  # the same load again: does memory grow?
                asyncio.run(run_clients(server.port, cast, files, Stats(), args, server))
                memory.read(server, f"after rush {again}")
            if args.ramp is not None:
                steps = ramp(server, files, args)
            log = server.log_text()
    finally:
        cast.clean_up()
    print_results(stats, wall, client_cpu, server_cpu, log, args)
    check_effects(before, after, stats)
    memory.report()
    if args.ramp is not None:
        report_ramp(steps)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- who takes part ----------------------------------------------------------------------------


@dataclass
class CycleItem:
    """An item one liaison client uploads to and submits, and a reviewer then decides."""

    item_id: int
    review_id: int
    version: int
    reviewer_id: int
    open: bool = True  # takes materials (not submitted)


@dataclass
class Client:
    number: int
    role: str
    user_id: int
    session: str = ""
    csrf: str = ""
    token: str = ""
    items: list[int] = field(default_factory=list)  # items of the unit open for materials
    # Those of them no cycle submits, so that an upload never races a submission.
    upload_items: list[int] = field(default_factory=list)
    campaigns: list[int] = field(default_factory=list)
    rounds: list[int] = field(default_factory=list)
    cycle: list[CycleItem] = field(default_factory=list)

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session}; csrftoken={self.csrf}"


class Cast:
    """The clients and what they work on, found by role in the database: liaisons (70 %),
    reviewers of open rounds (10 %), lead offices (20 %), several clients per user when there
    are fewer users than clients (each its own session, as on several computers)."""

    def __init__(self):
        self.clients: list[Client] = []
        self.token_ids: list[int] = []
        self.review_queues: dict[int, asyncio.Queue] = {}  # reviewer user id → CycleItems
        self.campaign_ids: set[int] = set()

    @classmethod
    def from_database(cls, count: int) -> Cast:
        from fazhi.accounts.models import User

        cast = cls()
        users = User.objects.filter(is_active=True, must_change_password=False).order_by("pk")
        liaisons = list(users.filter(roles__code="liaison", unit__isnull=False).distinct())
        leads = list(users.filter(roles__code="lead_admin").distinct())
        liaison_work = {u.pk: cast._liaison_work(u) for u in liaisons[:2000]}
        liaisons = [u for u in liaisons if liaison_work.get(u.pk, ([], []))[0]]
        reviewers = cast._reviewers()
        if not liaisons:
            sys.exit("no liaison with open items of their unit: fill the database first")
        shares = [("reviewer", 0.10, reviewers), ("lead_admin", 0.20, leads)]
        numbers = {role: round(count * share) if pool else 0 for role, share, pool in shares}
        numbers["liaison"] = count - sum(numbers.values())
        pools = {"liaison": liaisons, "reviewer": list(reviewers), "lead_admin": leads}
        for role in ("liaison", "reviewer", "lead_admin"):
            for index in range(numbers[role]):
                user = pools[role][index % len(pools[role])]
                client = Client(len(cast.clients), role, user.pk)
                cast._equip(client, user, liaison_work, reviewers)
                cast.clients.append(client)
        cast._deal_cycle_items(liaisons, reviewers)
        cast._log_in(users)
        return cast

    def _liaison_work(self, user) -> tuple[list[int], list[int]]:
        """(items of the unit open for materials, campaigns of those items)."""
        from fazhi.campaigns.models import Item
        from fazhi.campaigns.services import LOCKED_STATES

        rows = list(
            Item.objects.visible_to(user)
            .filter(assignments__unit_id=user.unit_id, children__isnull=True)
            .exclude(status__in=LOCKED_STATES)
            .values_list("pk", "campaign_id")
            .distinct()[:300]
        )
        return [pk for pk, _ in rows], sorted({c for _, c in rows})

    def _reviewers(self) -> dict:
        """Reviewers seated in open rounds → their rounds."""
        from fazhi.reviews.models import RoundReviewer

        seats = RoundReviewer.objects.filter(
            round__status="open", user__is_active=True, user__must_change_password=False
        ).select_related("user", "round")
        found: dict = {}
        for seat in seats.order_by("pk")[:2000]:
            found.setdefault(seat.user, []).append(seat.round)
        return found

    def _equip(self, client: Client, user, liaison_work, reviewers) -> None:
        from fazhi.campaigns.models import Campaign

        if client.role == "liaison":
            client.items, client.campaigns = liaison_work[user.pk]
        elif client.role == "reviewer":
            rounds = reviewers[user]
            client.rounds = [r.pk for r in rounds]
            client.campaigns = sorted({r.campaign_id for r in rounds})
        else:
            client.campaigns = list(
                Campaign.objects.visible_to(user).order_by("pk").values_list("pk", flat=True)[:5]
            )
        self.campaign_ids.update(client.campaigns)

    def _deal_cycle_items(self, liaisons, reviewers) -> None:
        """Give each liaison client at most one item of which their unit is the lead, with a
        review in an open round that one of the reviewers may decide. Those items are taken out
        of every client's upload list, so that no upload races the item's submission."""
        from fazhi.campaigns.models import Item
        from fazhi.reviews.models import Review
        from fazhi.reviews.services import may_decide

        by_user = {u.pk: u for u in liaisons}
        taken: set[int] = set()
        reviewer_rounds = {u: {r.pk for r in rounds} for u, rounds in reviewers.items()}
        for client in self.clients:
            if client.role != "liaison" or len(taken) >= len(self.clients) // 5:
                continue
            user = by_user[client.user_id]
            leads = Item.objects.filter(
                pk__in=client.items, assignments__unit_id=user.unit_id, assignments__role="lead"
            ).exclude(pk__in=taken)
            reviews = Review.objects.filter(item__in=leads, round__status="open").select_related(
                "round", "item"
            )
            for review in reviews.order_by("?")[:20]:
                deciders = [
                    u
                    for u, rounds in reviewer_rounds.items()
                    if review.round_id in rounds and may_decide(u, review)
                ]
                if not deciders:
                    continue
                decider = random.choice(deciders)
                client.cycle.append(
                    CycleItem(review.item_id, review.pk, review.version, decider.pk)
                )
                self.review_queues.setdefault(decider.pk, asyncio.Queue())
                taken.add(review.item_id)
                break
        for client in self.clients:
            client.upload_items = [pk for pk in client.items if pk not in taken]

    def _log_in(self, users) -> None:
        tokens = {}
        for client in self.clients:
            user = users.get(pk=client.user_id) if client.user_id not in tokens else None
            if user is not None:
                token_id, key = api_token(user)
                self.token_ids.append(token_id)
                tokens[client.user_id] = (key, user)
            key, user = tokens[client.user_id]
            client.token = key
            client.session = session_cookie(user)
            client.csrf = csrf_secret()

    def describe(self) -> str:
        roles = Counter(c.role for c in self.clients)
        distinct = {
            role: len({c.user_id for c in self.clients if c.role == role}) for role in roles
        }
        cycle = sum(len(c.cycle) for c in self.clients)
        return (
            ", ".join(f"{n} {role} clients ({distinct[role]} users)" for role, n in roles.items())
            + f"; {cycle} items go through submit → verdict → return; "
            f"{len(self.campaign_ids)} campaigns"
        )

    def clean_up(self) -> None:
        delete_tokens(self.token_ids)
        delete_sessions([c.session for c in self.clients])


# -- what users upload -------------------------------------------------------------------------


def upload_files() -> list[tuple[str, str, bytes]]:
    """A pool of small files (10–500 KB): Word documents, PDF and plain text. Text and PDF are
    made unique per upload (a line or a trailing comment); Word files repeat, as the same notice
    uploaded to several items does."""
    from io import BytesIO

    from docx import Document
    from fpdf import FPDF

    rng = random.Random(7)
    line = "为深入推进法治政府建设，现将本单位{n}年度行政执法工作情况报告如下。\n"
    files = []
    for number in range(12):
        size = int(10_000 * (50 ** rng.random()))  # 10 KB … 500 KB, log-uniform
        text = "".join(line.format(n=2020 + i % 5) for i in range(size // 96 + 1))
        files.append((f"工作报告{number}.txt", "text/plain", text.encode()[:size]))
        document = Document()
        for paragraph in range(max(1, size // 2000)):
            document.add_paragraph(line.format(n=2021) * 3 + f"（{paragraph}）")
        buffer = BytesIO()
        document.save(buffer)
        files.append(
            (
                f"实施方案{number}.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                buffer.getvalue(),
            )
        )
        pdf = FPDF()
        pdf.set_font("helvetica", size=12)
        for page in range(max(1, size // 40_000)):
            pdf.add_page()
            pdf.multi_cell(
                0, 8, f"Administrative law enforcement report {number} page {page}. " * 30
            )
        out = BytesIO()
        pdf.output(out)
        padding = b"%" + bytes(rng.getrandbits(8) % 90 + 33 for _ in range(70)) + b"\n"
        body = out.getvalue() + padding * max(0, (size - len(out.getvalue())) // 72)
        files.append((f"会议纪要{number}.pdf", "application/pdf", body))
    return files


def unique(name: str, content: bytes, mark: str) -> bytes:
    if name.endswith(".txt"):
        return content + f"\n编号 {mark}\n".encode()
    if name.endswith(".pdf"):
        return content + f"\n% {mark}\n".encode()
    return content


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Stats:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    timeline: list[tuple[float, float]] = field(default_factory=list)  # (ended at, seconds)
    measure_from: float = 0.0  # requests started before are not timed (warm-up); errors count
    machine_busy: float = 0.0  # CPU seconds of every process on the machine while timed
    errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    # The server's own account of each timed request (its Server-Timing header), per endpoint:
    # [(CPU ms, database ms)].
    costs: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: defaultdict(list))
    uploaded: int = 0
    submitted: int = 0
    decided: int = 0
    examples: list[str] = field(default_factory=list)

    def record(self, kind: str, seconds: float, problem: str = "") -> None:
        if time.perf_counter() - seconds >= self.measure_from:
            self.seconds[kind].append(seconds)
            self.timeline.append((time.perf_counter(), seconds))
        if problem:
            self.fail(kind, problem)

    def record_cost(self, endpoint: str, header: str) -> None:
        found = server_timing(header)
        if "cpu" in found:
            self.costs[endpoint].append((found["cpu"], found.get("db", 0.0)))

    def fail(self, kind: str, problem: str) -> None:
        self.errors[kind][problem.split(":")[0]] += 1
        if len(self.examples) < 12:
            self.examples.append(f"{kind}: {problem}")


async def run_clients(port: int, cast: Cast, files, stats: Stats, args, server) -> tuple:
    """Run the clients; returns the CPU seconds of the server and of this process during the
    timed part."""
    stats.measure_from = time.perf_counter() + args.warmup
    deadline = stats.measure_from + args.duration
    runners = [
        asyncio.create_task(act_as(client, port, cast, files, stats, args, deadline))
        for client in cast.clients
    ]
    await asyncio.sleep(max(0.0, stats.measure_from - time.perf_counter()))
    cpu = server_cpu(server), _own_cpu(), machine_busy_seconds()
    await asyncio.gather(*runners)
    stats.machine_busy = machine_busy_seconds() - cpu[2]
    web, tasks = server_cpu(server)
    return (web - cpu[0][0], tasks - cpu[0][1]), _own_cpu() - cpu[1]


def server_cpu(server) -> tuple[float, float]:
    """CPU seconds so far of the web processes and of the task worker."""
    web = cpu_seconds(server.web_pids())
    return web, cpu_seconds(server.all_pids()) - web


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


async def act_as(client: Client, port, cast: Cast, files, stats, args, deadline) -> None:
    rng = random.Random(args.seed * 100_003 + client.number)
    await asyncio.sleep(rng.uniform(0, args.think[1]))  # users arrive spread out
    steps = 0
    while time.perf_counter() < deadline:
        steps += 1
        if client.role == "liaison":
            await liaison_step(client, port, cast, files, stats, args, rng, steps)
        elif client.role == "reviewer":
            await reviewer_step(client, port, cast, stats, args, rng)
        else:
            await lead_step(client, port, stats, args, rng)
        await asyncio.sleep(rng.uniform(*args.think))


async def call(
    kind: str,
    stats: Stats,
    port: int,
    method: str,
    path: str,
    *,
    expect: int = 200,
    timeout: float,
    **options,
):
    started = time.perf_counter()
    try:
        response = await request(port, method, path, timeout=timeout, **options)
    except TimeoutError:
        stats.record(kind, time.perf_counter() - started, f"timeout: {method} {path}")
        return None
    except OSError as exc:
        stats.record(kind, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
        return None
    seconds = time.perf_counter() - started
    if started >= stats.measure_from:
        stats.record_cost(endpoint_of(method, path), response.headers.get("server-timing", ""))
    if response.status != expect:
        text = response.body[:200].decode(errors="replace").replace("\n", " ")
        stats.record(kind, seconds, f"HTTP {response.status}: {method} {path} {text}")
        return None
    stats.record(kind, seconds)
    return response


def endpoint_of(method: str, path: str) -> str:
    """The route a request took, numbers as {id}: `GET /campaigns/{id}/?page=2`."""
    return f"{method} {re.sub(r'/[0-9]+', '/{id}', path)}"


def page_headers(client: Client) -> dict[str, str]:
    return {"Cookie": client.cookie, "Accept": "text/html"}


async def liaison_step(client, port, cast, files, stats, args, rng, steps) -> None:
    pending = [c for c in client.cycle if c.open]
    if pending and steps % 4 == 0:
        await submit_cycle_item(client, pending[0], port, cast, files, stats, args, rng)
        return
    roll = rng.random()
    if roll < 0.45 and client.upload_items:
        await upload(client, rng.choice(client.upload_items), port, files, stats, args, rng)
    elif roll < 0.70:
        await call(
            "list",
            stats,
            port,
            "GET",
            "/campaigns/my-tasks/",
            timeout=args.timeout,
            headers=page_headers(client),
        )
    elif roll < 0.90:
        item = rng.choice(client.items)
        await call(
            "list",
            stats,
            port,
            "GET",
            f"/campaigns/items/{item}/",
            timeout=args.timeout,
            headers=page_headers(client),
        )
    else:
        campaign = rng.choice(client.campaigns)
        await call(
            "list",
            stats,
            port,
            "GET",
            f"/evidence/campaigns/{campaign}/ledger/",
            timeout=args.timeout,
            headers=page_headers(client),
        )


async def upload(client, item: int, port, files, stats, args, rng) -> bool:
    """The page's uploader: one file per request, answered in JSON."""
    name, content_type, content = rng.choice(files)
    content = unique(name, content, f"{client.number}-{time.time_ns()}")
    head, tail, multipart_type = multipart(name, content_type)
    headers = {
        "Cookie": client.cookie,
        "X-CSRFToken": client.csrf,
        "Accept": "application/json",
        "Content-Type": multipart_type,
    }
    response = await call(
        "upload",
        stats,
        port,
        "POST",
        f"/evidence/items/{item}/upload/",
        timeout=args.timeout,
        headers=headers,
        body=head + content + tail,
    )
    if response is None:
        return False
    results = json.loads(response.body)["results"]
    if not all(r["ok"] for r in results):
        stats.fail("upload", f"refused: {results}")
        return False
    stats.uploaded += 1
    return True


async def submit_cycle_item(client, cycle: CycleItem, port, cast, files, stats, args, rng):
    """Upload one more file to the item, then submit it (API); the reviewer is told."""
    if not await upload(client, cycle.item_id, port, files, stats, args, rng):
        return
    await asyncio.sleep(rng.uniform(*args.think))
    headers = {"Authorization": f"Bearer {client.token}"}
    response = await call(
        "submit",
        stats,
        port,
        "POST",
        f"/api/campaigns/items/{cycle.item_id}/submit",
        timeout=args.timeout,
        headers=headers,
    )
    if response is None:
        return
    stats.submitted += 1
    cycle.open = False
    cycle.version += 1  # the submission puts the review back to pending
    cast.review_queues[cycle.reviewer_id].put_nowait((client, cycle))


async def reviewer_step(client, port, cast: Cast, stats, args, rng) -> None:
    queue = cast.review_queues.get(client.user_id)
    if queue is not None and not queue.empty():
        owner, cycle = queue.get_nowait()
        await call(
            "list",
            stats,
            port,
            "GET",
            f"/campaigns/items/{cycle.item_id}/",
            timeout=args.timeout,
            headers=page_headers(client),
        )
        await asyncio.sleep(rng.uniform(*args.think))
        await decide(client, owner, cycle, port, stats, args, rng)
        return
    roll = rng.random()
    if roll < 0.5 and client.rounds:
        path = f"/reviews/rounds/{rng.choice(client.rounds)}/"
    elif roll < 0.8:
        path = f"/campaigns/{rng.choice(client.campaigns)}/"
    else:
        path = "/reviews/"
    await call("list", stats, port, "GET", path, timeout=args.timeout, headers=page_headers(client))


async def decide(client, owner, cycle: CycleItem, port, stats, args, rng) -> None:
    """A verdict through the API; a return (most of them) gives the item back to its unit."""
    verdict = "revise" if rng.random() < 0.8 else "pass"
    payload = {"verdict": verdict, "comment": "请补充会议纪要原件。", "version": cycle.version}
    headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
    response = await call(
        "review",
        stats,
        port,
        "POST",
        f"/api/reviews/reviews/{cycle.review_id}/decision",
        timeout=args.timeout,
        headers=headers,
        body=json.dumps(payload).encode(),
    )
    if response is None:
        return
    stats.decided += 1
    cycle.version = json.loads(response.body)["version"]
    cycle.open = verdict == "revise"


async def lead_step(client, port, stats, args, rng) -> None:
    if not client.campaigns:
        path = "/campaigns/"
    else:
        campaign = rng.choice(client.campaigns)
        roll = rng.random()
        if roll < 0.4:
            path = f"/campaigns/{campaign}/"
        elif roll < 0.6:
            path = f"/campaigns/{campaign}/?page=2"
        elif roll < 0.9:
            path = f"/evidence/campaigns/{campaign}/ledger/"
        else:
            path = "/campaigns/"
    await call("list", stats, port, "GET", path, timeout=args.timeout, headers=page_headers(client))


# -- memory and the highest load held ------------------------------------------------------------

GOAL_WEB_MB = 150
GOAL_TASK_MB = 250
# Growth allowed from the first rush to the last: caches that fill once (templates, URL
# resolvers, a connection's statement cache) are there after the first; what grows past a few
# MB from rush to rush is kept per request, and would grow without end.
GOAL_GROWTH_MB = 10


@dataclass
class Memory:
    """Resident memory of the busiest web worker (VmRSS) and the task worker's peak (VmHWM),
    read at named moments."""

    readings: list[tuple[str, float, float]] = field(default_factory=list)

    def read(self, server, moment: str) -> None:
        web = max((status_kib(pid, "VmRSS") for pid in server.gunicorn_workers()), default=0)
        # The task worker's peak (VmHWM): what extracting the uploads' text took at most.
        task = status_kib(server.processes[1].pid, "VmHWM") if len(server.processes) > 1 else 0
        self.readings.append((moment, web / 1024, task / 1024))
        print(
            f"# memory {moment}: web worker {web / 1024:.0f} MB, task worker {task / 1024:.0f} MB"
        )

    def report(self) -> None:
        for moment, web, task in self.readings[:2]:
            mb(f"web worker resident, {moment}", web, GOAL_WEB_MB)
            if task and moment != "idle":
                mb(f"task worker peak resident, {moment}", task, GOAL_TASK_MB)
        if len(self.readings) > 2:
            (_, web_1, task_1), (_, web_n, task_n) = self.readings[1], self.readings[-1]
            rushes = len(self.readings) - 1
            mb(f"web worker growth over {rushes} rushes", web_n - web_1, GOAL_GROWTH_MB)
            if task_1:
                mb(f"task worker growth over {rushes} rushes", task_n - task_1, GOAL_GROWTH_MB)


def mb(name: str, value: float, goal: float) -> None:
    report(
        Figure(bench="rush", name=name, median_ms=value, p95_ms=value, goal_p95_ms=goal, unit="MB")
    )


def ramp(server, files, args) -> list[tuple[int, float, int, float]]:
    """Short rushes at rising client counts against the same server: (clients, p95 ms, errors,
    requests/s) of each. The given counts until one misses; by default 100, 200, 300 … until
    one misses, or, when 100 already misses, 50, 25 … until one holds. Either way the ramp
    stops before a step that would end past --ramp-budget."""
    steps = []
    started = time.perf_counter()

    def within_budget(count: int) -> bool:
        # A step takes its warm-up, its timed part and the drain of the last answers.
        if not steps or time.perf_counter() - started + 5 + 1.5 * args.ramp_duration <= (
            args.ramp_budget
        ):
            return True
        print(f"# ramp stopped before {count} clients: its time budget is spent", flush=True)
        return False

    def holds(count: int) -> bool:
        cast = Cast.from_database(count)
        stats = Stats()
        step = argparse.Namespace(**{**vars(args), "clients": count, "warmup": 5.0})
        step.duration = args.ramp_duration
        try:
            asyncio.run(run_clients(server.port, cast, files, stats, step, server))
        finally:
            cast.clean_up()
        everything = Samples([s for v in stats.seconds.values() for s in v])
        errors = sum(sum(c.values()) for c in stats.errors.values())
        rate = len(everything.seconds) / max(time.perf_counter() - stats.measure_from, 1e-9)
        p95 = everything.p95_ms if everything.seconds else float("inf")  # nothing answered
        steps.append((count, p95, errors, rate))
        print(
            f"# ramp {count} clients: p95 {p95:.0f} ms, {errors} errors, {rate:.0f} requests/s",
            flush=True,
        )
        return not errors and p95 <= GOAL_P95_MS

    if args.ramp:
        for count in args.ramp:
            if not within_budget(count) or not holds(count):
                break
    elif holds(count := 100):
        count += 100
        while within_budget(count) and holds(count):
            count += 100
    else:
        count //= 2
        while count >= 10 and within_budget(count) and not holds(count):
            count //= 2
    return steps


def report_ramp(steps) -> None:
    """The highest step that held; "at least" when no higher step was tried (the ramp's counts
    or its time budget ended first). No goal: the rush at --clients is the goal's own figure."""
    held = [count for count, p95, errors, _ in steps if not errors and p95 <= GOAL_P95_MS]
    highest = max(held, default=0)
    steps_note = "; ".join(f"{c}: p95 {p:.0f} ms, {e} errors, {r:.0f}/s" for c, p, e, r in steps)
    ended_holding = highest > 0 and highest == max(count for count, *_ in steps)
    report(
        Figure(
            bench="rush",
            name="highest client count holding p95 ≤ 500 ms",
            median_ms=highest,
            p95_ms=highest,
            note=("at least: no step missed; " if ended_holding else "") + steps_note,
            unit="clients",
        )
    )


# -- results -----------------------------------------------------------------------------------


def print_results(stats: Stats, wall, client_cpu, server_split, log: str, args) -> None:
    cores = len(os.sched_getaffinity(0))
    web_cpu, task_cpu = server_split
    server_cpu = web_cpu + task_cpu
    total = sum(len(v) for v in stats.seconds.values())
    errors = sum(sum(c.values()) for c in stats.errors.values())
    print(
        f"# {total} requests in {wall:.0f} s = {total / wall:.0f}/s; {errors} errors; "
        f"CPU: server {server_cpu / wall:.0%}, this client {client_cpu / wall:.0%} "
        f"of one core ({cores} cores)",
        flush=True,
    )
    others = max(0.0, stats.machine_busy - server_cpu - client_cpu)
    per_request = server_cpu / total if total else 0
    offered = args.clients / (sum(args.think) / 2)
    print(
        f"# other processes on the machine used {others / wall:.0%} of one core meanwhile; "
        f"server CPU per request {per_request * 1000:.0f} ms (web and task worker): "
        f"{cores} cores serve at most ≈ {cores / per_request if per_request else 0:.0f}/s, "
        f"these clients ask ≈ {offered:.0f}/s when answered at once",
        flush=True,
    )
    print_costs(stats, total, web_cpu, task_cpu)
    print_timeline(stats)
    locked = log.count("database is locked")
    tracebacks = log.count("Traceback (most recent call last)")
    print(f"# server log: {tracebacks} tracebacks, {locked} 'database is locked'", flush=True)
    for example in stats.examples:
        print(f"#   {example[:300]}", flush=True)
    everything = Samples([s for v in stats.seconds.values() for s in v])
    rows = [(kind, Samples(stats.seconds[kind])) for kind in KINDS if stats.seconds[kind]]
    for kind, samples in [*rows, ("all", everything)]:
        count = len(samples.seconds)
        failed = sum(stats.errors[kind].values()) if kind != "all" else errors
        report(
            Figure(
                bench="rush",
                name=f"rush {args.clients} clients: {kind}",
                median_ms=samples.median_ms,
                p95_ms=samples.p95_ms if failed == 0 else float("inf"),
                goal_p95_ms=GOAL_P95_MS,
                note=f"{count} requests, {count / wall:.1f}/s, {failed} errors"
                + (f" (p95 {samples.p95_ms:.0f} ms)" if failed else ""),
            )
        )


GOAL_CPU_MS = 10


def print_costs(stats: Stats, total: int, web_cpu: float, task_cpu: float) -> None:
    """Server CPU per request from the OS's accounting (the goal), and per endpoint as each
    web worker thread measured it (its Server-Timing header), the costliest first."""
    print(
        f"# server CPU (OS accounting): web {web_cpu:.1f} s + task worker {task_cpu:.1f} s "
        f"over {total} requests",
        flush=True,
    )
    per_request = (web_cpu + task_cpu) / total * 1000 if total else float("inf")
    report(
        Figure(
            bench="rush",
            name="server CPU per request (web + task worker)",
            median_ms=per_request,
            p95_ms=per_request,
            goal_p95_ms=GOAL_CPU_MS,
            note=f"from the OS's accounting over {total} requests; "
            f"task worker {task_cpu / total * 1000 if total else 0:.1f} ms of it",
        )
    )
    measured = [cpu for costs in stats.costs.values() for cpu, _ in costs]
    if not measured:
        print("# no Server-Timing headers: per-endpoint CPU unknown", flush=True)
        return
    print(
        f"# web CPU per request as the workers measured it: median "
        f"{percentile(measured, 0.5):.1f} ms, p95 {percentile(measured, 0.95):.1f} ms",
        flush=True,
    )
    everything = sum(measured)
    rows = sorted(stats.costs.items(), key=lambda row: -sum(cpu for cpu, _ in row[1]))
    for endpoint, costs in rows:  # one figure each: they land in the results table
        cpus, dbs = [cpu for cpu, _ in costs], [db for _, db in costs]
        report(
            Figure(
                bench="rush CPU",
                name=endpoint,
                median_ms=percentile(cpus, 0.5),
                p95_ms=percentile(cpus, 0.95),
                note=f"{len(costs)} requests, {sum(cpus) / everything:.0%} of the web CPU; "
                f"database median {percentile(dbs, 0.5):.1f} ms",
            )
        )


def print_timeline(stats: Stats, slices: int = 6) -> None:
    """Median and p95 of the requests that ended in each part of the run: a slow start (cold
    workers) looks different from a server that falls behind."""
    if not stats.timeline:
        return
    first, last = stats.timeline[0][0], stats.timeline[-1][0]
    width = max((last - first) / slices, 1e-9)
    parts: dict[int, list[float]] = defaultdict(list)
    for ended, seconds in stats.timeline:
        parts[min(int((ended - first) / width), slices - 1)].append(seconds)
    shown = []
    for index in sorted(parts):
        samples = Samples(parts[index])
        shown.append(
            f"{index * width:.0f}–{(index + 1) * width:.0f} s: {len(samples.seconds)} req, "
            f"p50 {samples.median_ms:.0f} / p95 {samples.p95_ms:.0f} ms"
        )
    print("# over time: " + "; ".join(shown), flush=True)


def effects_now(cast: Cast) -> dict[str, int]:
    from fazhi.accounts.models import AuditEntry
    from fazhi.evidence.models import Evidence
    from fazhi.reviews.models import Comment

    return {
        "materials": Evidence.objects.filter(item__campaign_id__in=cast.campaign_ids).count(),
        "submissions": AuditEntry.objects.filter(action="item.submit").count(),
        "verdicts": Comment.objects.filter(verdict__in=["pass", "revise", "supplement"]).count(),
    }


def check_effects(before: dict, after: dict, stats: Stats) -> None:
    expected = {
        "materials": stats.uploaded,
        "submissions": stats.submitted,
        "verdicts": stats.decided,
    }
    parts = []
    for name, count in expected.items():
        found = after[name] - before[name]
        parts.append(f"{name} +{found} (answered ok: {count}){'' if found == count else ' ≠!'}")
    print("# effects in the database: " + ", ".join(parts), flush=True)


if __name__ == "__main__":
    main()
