"""Benchmark: where a request's CPU goes. The requests of bench/rush.py's mix, each made one at a
time in-process through Django's test client, with the server's own account of its CPU (the
Server-Timing middleware: the thread's CPU from the first middleware to the answer) and a
cProfile of the same requests split by layer.

    .venv/bin/python bench/cost.py [--repeat 40]

Runs against the database the environment names, migrated and filled (`fazhi bench seed`), and
finds its people as bench/pages.py does: the county campaign with the most items, its lead
office, the liaison whose unit has the most of its items, and a reviewer seated in an open
round. Uploads add materials to that liaison's open items, as the rush does.

Each request's note splits its CPU into layers: the ORM (building and compiling queries, making
rows and model instances: django/db), the database driver (sqlite3 or psycopg, their C calls
included), templates and forms, request handling (Django's handler, middleware, sessions, auth,
URL routing, the request and response) and the platform's own code (views, services,
selectors). Helpers (django/utils, the standard library, built-ins) count for the layers that
called them, in proportion to the time each spent in them; what no layer called is "the rest".
The shares come from cProfile timing the thread's CPU (waiting on the database is not counted),
which weighs many small Python calls more than a few C calls; the test client's own work is
left out.

The last figure weighs the requests as the rush asks for them: 70 % of its clients are liaisons,
10 % reviewers and 20 % lead offices, each with the steps' shares of bench/rush.py (submissions
and verdicts, a few percent of the rush, are left out: they change what the rest measures). The
rush's goal is ≤ 10 ms of CPU a request under load, which costs more than one at a time: while
this figure is above 10 ms, that goal cannot be met."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Figure, percentile, report, server_timing, setup_django  # noqa: E402

BENCH = "cost"
LAYERS = ("ORM", "database driver", "templates", "request handling", "platform", "the rest")


@dataclass
class Request:
    label: str
    share: float  # of the rush's requests
    call: Callable[[], object]  # makes the request, returns the response


# -- the rush's requests -----------------------------------------------------------------------


def requests(subjects, reviewer_round) -> list[Request]:
    """The rush's requests (bench/rush.py: liaison_step, reviewer_step, lead_step) with their
    shares of its mix; the reviewer's, if there is no open round with a seat, left out."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from pages import client_for
    from rush import unique, upload_files

    campaign = subjects.campaign.pk
    liaison, lead = client_for(subjects.liaison), client_for(subjects.lead)
    items = open_items(subjects.liaison, campaign)
    files = upload_files()
    turn = {"item": 0, "upload": 0}

    def next_of(kind: str, pool: list):
        turn[kind] += 1
        return pool[turn[kind] % len(pool)]

    def upload():
        name, content_type, content = next_of("upload", files)
        file = SimpleUploadedFile(name, unique(name, content, str(time.time_ns())), content_type)
        path = f"/evidence/items/{next_of('item', items)}/upload/"
        response = liaison.post(path, {"files": file}, HTTP_ACCEPT="application/json")
        if response.status_code == 200 and not response.json()["results"][0]["ok"]:
            sys.exit(f"cost.py: upload to {path} refused: {response.json()['results']}")
        return response

    def get(client, path: str):
        return lambda: client.get(path)

    ledger = f"/evidence/campaigns/{campaign}/ledger/"
    found = [
        Request("upload (liaison)", 0.7 * 0.45, upload),
        Request("my tasks (liaison)", 0.7 * 0.25, get(liaison, "/campaigns/my-tasks/")),
        Request(
            "item page (liaison)",
            0.7 * 0.20,
            lambda: liaison.get(f"/campaigns/items/{next_of('item', items)}/"),
        ),
        Request("ledger (liaison)", 0.7 * 0.10, get(liaison, ledger)),
        Request("campaign page (lead office)", 0.2 * 0.4, get(lead, f"/campaigns/{campaign}/")),
        Request(
            "campaign page 2 (lead office)", 0.2 * 0.2, get(lead, f"/campaigns/{campaign}/?page=2")
        ),
        Request("ledger (lead office)", 0.2 * 0.3, get(lead, ledger)),
        Request("campaigns (lead office)", 0.2 * 0.1, get(lead, "/campaigns/")),
    ]
    if reviewer_round is not None:
        user, round_ = reviewer_round
        reviewer = client_for(user)
        found += [
            Request(
                "round page (reviewer)", 0.1 * 0.5, get(reviewer, f"/reviews/rounds/{round_}/")
            ),
            Request(
                "campaign page (reviewer)",
                0.1 * 0.3,
                get(reviewer, f"/campaigns/{round_campaign(round_)}/"),
            ),
            Request("reviews (reviewer)", 0.1 * 0.2, get(reviewer, "/reviews/")),
        ]
    return found


def open_items(user, campaign: int) -> list[int]:
    """The liaison's items of the campaign open for materials, as the rush gives them out."""
    from fazhi.campaigns.models import Item
    from fazhi.campaigns.services import LOCKED_STATES

    items = list(
        Item.objects.visible_to(user)
        .filter(campaign_id=campaign, assignments__unit_id=user.unit_id, children__isnull=True)
        .exclude(status__in=LOCKED_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()[:40]
    )
    if not items:
        sys.exit(f"cost.py: {user} has no item of campaign {campaign} open for materials")
    return items


def seated_reviewer(campaign: int):
    """(a reviewer seated in an open round, the round's id), the campaign's own first; or None."""
    from fazhi.reviews.models import RoundReviewer

    seats = RoundReviewer.objects.filter(
        round__status="open", user__is_active=True, user__must_change_password=False
    ).select_related("user")
    seat = (
        seats.filter(round__campaign_id=campaign).order_by("pk").first()
        or seats.order_by("pk").first()
    )
    return (seat.user, seat.round_id) if seat else None


def round_campaign(round_id: int) -> int:
    from fazhi.reviews.models import Round

    return Round.objects.values_list("campaign_id", flat=True).get(pk=round_id)


# -- measuring ---------------------------------------------------------------------------------


def server_cpu(call: Callable[[], object]) -> tuple[float, int]:
    """(CPU ms, queries) of one request, as the server accounted for it."""
    response = call()
    if response.status_code != 200:
        sys.exit(f"cost.py: answered {response.status_code}: {response.content[:300]!r}")
    timing = server_timing(response["Server-Timing"])
    return timing["cpu"], int(timing["queries"])


# Where a function's own time goes, by the first fragment of its file's path that matches. The
# rest (django/utils, the standard library, built-ins) are helpers: their time goes to the layers
# of their callers, in proportion to the time each caller spent in them.
ANCHORS = (
    ("/django/test/", "client"),  # the test client's own work: not the server's
    ("/psycopg/", "database driver"),
    ("/psycopg_pool/", "database driver"),
    ("/django/db/", "ORM"),
    ("/django/template/", "templates"),
    ("/django/templatetags/", "templates"),
    ("/django/forms/", "templates"),  # a form's widgets are rendered through templates
    ("/fazhi/templatetags/", "templates"),
    ("/fazhi/", "platform"),
    ("/django/core/handlers/", "request handling"),
    ("/django/middleware/", "request handling"),
    ("/django/contrib/", "request handling"),  # sessions, auth, messages
    ("/django/http/", "request handling"),
    ("/django/urls/", "request handling"),
    ("/django/views/", "request handling"),
    ("/whitenoise/", "request handling"),
    ("/csp/", "request handling"),
    ("/django_htmx/", "request handling"),
)


def anchor(function: tuple[str, int, str]) -> str | None:
    filename, _, name = function
    if filename == "~":  # a built-in: the driver's C calls are the driver's
        return "database driver" if "sqlite3." in name or "psycopg" in name else None
    path = filename.replace(os.sep, "/")
    return next((layer for fragment, layer in ANCHORS if fragment in path), None)


def layers(call: Callable[[], object], *, calls: int) -> dict[str, float]:
    """Each layer's share of the server's CPU over `calls` requests, from a cProfile."""
    # CPU time, not cProfile's default wall clock: waiting on PostgreSQL's answer is not this
    # process's work, and would be counted as the driver's.
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    for _ in range(calls):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    where = {function: anchor(function) for function in stats}
    share: dict = {f: {layer: 1.0} for f, layer in where.items() if layer is not None}
    helpers = [f for f, layer in where.items() if layer is None]
    for f in helpers:
        share[f] = {"the rest": 1.0}
    for _ in range(8):  # helpers call helpers: a few passes carry the layers down the calls
        for f in helpers:
            callers = stats[f][4]
            through = sum(entry[3] for entry in callers.values())
            if not through:
                continue
            mixed: dict[str, float] = defaultdict(float)
            for caller, entry in callers.items():
                for layer, part in share.get(caller, {"the rest": 1.0}).items():
                    mixed[layer] += part * entry[3] / through
            share[f] = mixed
    spent: dict[str, float] = defaultdict(float)
    for function, (_, _, own, _, _) in stats.items():
        for layer, part in share[function].items():
            spent[layer] += own * part
    spent.pop("client", None)
    total = sum(spent.values()) or 1.0
    return {layer: spent[layer] / total for layer in LAYERS}


def shares_note(shares: dict[str, float]) -> str:
    shown = [layer for layer in LAYERS if layer != "the rest" or shares[layer] >= 0.005]
    return ", ".join(f"{layer} {shares[layer] * 100:.0f} %" for layer in shown)


def measure(request: Request, *, repeat: int) -> tuple[float, dict[str, float]]:
    for _ in range(3):  # warm: templates compiled, the session and connection open
        request.call()
    samples, queries = [], 0
    for _ in range(repeat):
        cpu, queries = server_cpu(request.call)
        samples.append(cpu)
    shares = layers(request.call, calls=max(5, repeat // 4))
    report(
        Figure(
            bench=BENCH,
            name=f"CPU one at a time: {request.label}",
            median_ms=statistics.median(samples),
            p95_ms=percentile(samples, 0.95),
            note=f"{queries} queries; {shares_note(shares)}",
        )
    )
    return statistics.median(samples), shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40)
    options = parser.parse_args()
    os.environ["FAZHI_SERVER_TIMING"] = "1"  # the server's own account of each request
    setup_django()
    from django.conf import settings
    from pages import find_subjects

    from fazhi.core.heap import freeze_startup_objects

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    subjects = find_subjects()
    found = requests(subjects, seated_reviewer(subjects.campaign.pk))
    freeze_startup_objects()  # as a web worker does once started (fazhi/wsgi.py)
    print(
        f"# {subjects.campaign}: liaison {subjects.liaison.username}, lead office "
        f"{subjects.lead.username}; {len(found)} kinds of request, {options.repeat} each",
        flush=True,
    )
    weighed, mix = 0.0, dict.fromkeys(LAYERS, 0.0)
    total_share = sum(request.share for request in found)
    for request in found:
        median, shares = measure(request, repeat=options.repeat)
        weight = request.share / total_share
        weighed += weight * median
        for layer in LAYERS:
            mix[layer] += weight * median * shares[layer]
    overall = {layer: spent / weighed for layer, spent in mix.items()}
    report(
        Figure(
            bench=BENCH,
            name="CPU one at a time: the rush's mix",
            median_ms=weighed,
            p95_ms=weighed,
            note=f"weighted as bench/rush.py asks; {shares_note(overall)}",
        )
    )


if __name__ == "__main__":
    main()
