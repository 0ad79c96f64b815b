"""Benchmark: the read pages (dashboards, item lists, the ledger, full-text search), each timed
through Django's test client in-process and compared with the bare SQL of its main query run in
the same process and the same run.

    .venv/bin/python bench/pages.py [--repeat 50] [--warmup 3] [--profile]

Runs against the database the environment names (FAZHI_DATA_DIR's SQLite or DATABASE_URL), which
must already be migrated and filled (`fazhi bench seed --scale …`, or `fazhi demo-data` for a
small county). Everything measured is found in the database, not by name: the county campaign
with the most items, its lead office's admin, the liaison whose unit has the most of its items,
the top region with the most campaigns under it and a user there who sees all of them. Every
page must answer 200 and show the rows its bare query finds, or the run stops. Goals: p95 ≤ 25 ms
for the list pages (campaign items under every filter, my tasks, the ledger, the round queue) and
for the campaign dashboard on SQLite (≤ 40 ms on PostgreSQL).

Each figure's note splits the page's time into the database's (executing its queries and
fetching their rows) and Python's (the rest: views, forms, templates, middleware), each the
median of a few calls timed apart from the figure's own samples, with how many queries it ran;
--profile adds a cProfile of every page that missed its goal."""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from harness import Figure, database, machine, report, setup_django, timed

BENCH = "pages"
SLOW_SECONDS = 1.0  # a page slower than this once is timed 3 times, not --repeat times
SPLIT_CALLS = 5  # calls whose time is split into database and Python (the median of each)
SEARCHES = [
    "行政执法",
    "合法性审查",
    "规范性文件备案",
    "复议",
    "法治政府建设",  # in nearly every material: matches many
]


class BenchError(SystemExit):
    """A page that did not answer as it must: the run stops with the reason."""

    def __init__(self, message: str):
        super().__init__(f"pages.py: {message}")


# -- what is measured ---------------------------------------------------------------------------


@dataclass
class Subjects:
    campaign: object
    lead: object  # lead_admin in the campaign's region
    liaison: object  # a liaison whose unit has items in the campaign
    top: object  # the top region
    overseer: object  # sees every campaign under the top region
    campaigns_below: int


def find_subjects() -> Subjects:
    from django.db.models import Count, Q

    from fazhi.accounts.models import User
    from fazhi.campaigns.models import Assignment, Campaign
    from fazhi.orgs.models import Region

    campaigns = Campaign.objects.select_related("region", "framework").annotate(n=Count("items"))
    campaign = (
        campaigns.filter(region__level="county").order_by("-n", "pk").first()
        or campaigns.order_by("-n", "pk").first()
    )
    if campaign is None:
        raise BenchError("no campaign in the database: run `fazhi bench seed` or `fazhi demo-data`")
    active = User.objects.filter(is_active=True)
    lead = (
        active.filter(roles__code="lead_admin", region=campaign.region).order_by("pk").first()
        or active.filter(roles__code="admin").order_by("pk").first()
    )
    if lead is None:
        raise BenchError(f"no lead_admin in {campaign.region} (nor an admin)")
    units = (
        Assignment.objects.filter(item__campaign=campaign, item__children__isnull=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    ranked = [row["unit_id"] for row in units]
    liaisons = {
        user.unit_id: user
        for user in active.filter(roles__code="liaison", unit_id__in=ranked).order_by("-pk")
    }
    liaison = next((liaisons[unit] for unit in ranked if unit in liaisons), None)
    if liaison is None:
        raise BenchError(f"no liaison of a unit with items in campaign {campaign.pk}")

    def below(region) -> Q:
        return Q(region__path__startswith=region.path)

    roots = Region.objects.filter(parent__isnull=True)
    counted = [(Campaign.objects.filter(below(r)).count(), r.level == "province", r) for r in roots]
    campaigns_below, _, top = max(counted, key=lambda row: (row[0], row[1], -row[2].pk))
    overseer = None
    for role in ("inspector", "leader", "lead_admin", "admin"):
        overseer = active.filter(roles__code=role, region=top).order_by("pk").first()
        if overseer is not None:
            break
    if overseer is None:
        raise BenchError(f"no inspector or admin at {top}")
    seen = Campaign.objects.visible_to(overseer).filter(below(top)).count()
    if seen != campaigns_below:
        raise BenchError(f"{overseer} sees {seen} of the {campaigns_below} campaigns under {top}")
    return Subjects(campaign, lead, liaison, top, overseer, campaigns_below)


# -- plumbing -----------------------------------------------------------------------------------


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def bearer_for(user) -> tuple[dict, Callable[[], None]]:
    """The API header of a fresh token of the user, and how to revoke it afterwards."""
    from fazhi.accounts.services import api_token_create, api_token_revoke

    token, key = api_token_create(acting_user=user, name="bench/pages.py")
    return (
        {"HTTP_AUTHORIZATION": f"Bearer {key}"},
        lambda: api_token_revoke(acting_user=user, token=token),
    )


def fetch(client, url: str, params: dict | None = None, **headers) -> Callable[[], object]:
    def call():
        response = client.get(url, params or {}, **headers)
        if response.status_code != 200:
            raise BenchError(f"GET {url} {params or ''} answered {response.status_code}")
        return response

    return call


def sql(query: str, params: list) -> Callable[[], list]:
    from django.db import connection

    def call():
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    return call


def expect(response, *texts, what: str) -> None:
    """Fail loudly when the page does not show what its bare query found."""
    from django.utils.html import escape

    html = response.content.decode()
    missing = [t for t in texts if str(t) not in html and escape(str(t)) not in html]
    if missing:
        raise BenchError(f"{what}: the page does not show {missing[:5]}")


@contextmanager
def timed_queries():
    """How many queries ran inside, and their time in the database: executing each and
    fetching its rows (SQLite steps through a query as its rows are fetched, so the fetch is
    the database's time too; psycopg receives every row within execute, and its fetch, which
    only turns rows into tuples, cannot be wrapped: its cursor takes no new attributes). The
    rest of a page's time is Python's."""
    from django.db import connection

    seen = {"count": 0, "seconds": 0.0}

    def wrapper(execute, sql_text, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql_text, params, many, context)
        finally:
            seen["count"] += 1
            seen["seconds"] += time.perf_counter() - started
            _time_fetches(context["cursor"], seen)

    with connection.execute_wrapper(wrapper):
        yield seen


def _time_fetches(cursor, seen: dict) -> None:
    """Count the time of the cursor's next fetches into `seen` (Django fetches through
    fetchmany, fetchone or fetchall of the driver's cursor it wraps)."""
    raw = getattr(cursor, "cursor", cursor)
    for name in ("fetchmany", "fetchone", "fetchall"):
        method = getattr(raw, name, None)
        if method is None or getattr(method, "_timed", False):
            continue

        def timed_fetch(*args, _method=method, **kwargs):
            started = time.perf_counter()
            try:
                return _method(*args, **kwargs)
            finally:
                seen["seconds"] += time.perf_counter() - started

        timed_fetch._timed = True
        try:
            setattr(raw, name, timed_fetch)
        except (AttributeError, TypeError):  # a C cursor that takes no attributes
            return


def measure(
    name: str,
    page: Callable[[], object],
    baseline: Callable[[], object] | None,
    *,
    baseline_name: str = "bare SQL",
    goal_ms: float | None,
    goal_ratio: float | None = None,
    note: str = "",
    options,
) -> Figure:
    started = time.perf_counter()
    page()
    repeat, warmup = options.repeat, options.warmup
    if time.perf_counter() - started > SLOW_SECONDS:  # keep the run to minutes: a few runs
        repeat, warmup = 3, 0
        note = "; ".join(part for part in (note, f"SLOW: {repeat} runs only") if part)
    page_samples = timed(page, repeat=repeat, warmup=warmup)
    base = timed(baseline, repeat=repeat, warmup=warmup) if baseline else None
    database_ms, python_ms, queries = split(page, calls=min(SPLIT_CALLS, repeat))
    cost = f"database {database_ms:.1f} ms + Python {python_ms:.1f} ms ({queries} queries)"
    figure = report(
        Figure(
            bench=BENCH,
            name=name,
            median_ms=page_samples.median_ms,
            p95_ms=page_samples.p95_ms,
            goal_p95_ms=goal_ms,
            baseline=baseline_name if base else "",
            baseline_p95_ms=base.p95_ms if base else None,
            goal_ratio=goal_ratio,
            note="; ".join(part for part in (note, cost) if part),
        )
    )
    if options.profile and not figure.met:
        profile(page)
    return figure


def split(page: Callable[[], object], *, calls: int) -> tuple[float, float, int]:
    """(database ms, Python ms, queries) of the page: each time the median over `calls` calls,
    the database's and the rest measured in the same calls (one call alone is too noisy on a
    shared machine: a call slowed by another process puts everything on one side)."""
    database, python, queries = [], [], 0
    for _ in range(max(1, calls)):
        with timed_queries() as seen:
            started = time.perf_counter()
            page()
            total = time.perf_counter() - started
        database.append(seen["seconds"])
        python.append(max(0.0, total - seen["seconds"]))
        queries = seen["count"]
    return statistics.median(database) * 1000, statistics.median(python) * 1000, queries


def profile(page: Callable[[], object], *, calls: int = 10, lines: int = 18) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        page()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(lines)
    print("\n".join("    | " + line for line in out.getvalue().splitlines() if line.strip()))


# -- SQL that differs between the two databases --------------------------------------------------


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def area_sql(column: str) -> str:
    """The area key of a sort key (what comes before its first dot)."""
    if vendor() == "postgresql":
        return f"split_part({column}, '.', 1)"
    return f"substr({column}, 1, instr({column} || '.', '.') - 1)"


LEAF = "NOT EXISTS (SELECT 1 FROM campaigns_item ch WHERE ch.parent_id = i.id)"


# -- 1. the campaign dashboard ------------------------------------------------------------------


def campaign_dashboard(s: Subjects, options) -> None:
    from django.urls import reverse

    bare = sql(
        f"SELECT {area_sql('i.sort_key')} AS area, i.status, COUNT(*), "  # noqa: S608
        "SUM(i.evidence_count), SUM(a.score), "
        "SUM(CASE WHEN i.deadline < %s THEN 1 ELSE 0 END) "
        "FROM campaigns_item i "
        "LEFT JOIN reviews_assessment a ON a.item_id = i.id AND a.side = 'self' "
        f"WHERE i.campaign_id = %s AND {LEAF} GROUP BY 1, 2",
        [date.today(), s.campaign.pk],  # noqa: DTZ011 - a date to compare with, as the page does
    )
    rows = bare()
    total, materials = sum(r[2] for r in rows), sum(r[3] or 0 for r in rows)
    page = fetch(client_for(s.lead), reverse("dashboards:campaign", args=[s.campaign.pk]))
    expect(
        page(),
        f"<strong>{total}</strong>",
        f"<strong>{materials}</strong>",
        what="campaign dashboard",
    )
    measure(
        f"campaign dashboard ({total} items)",
        page,
        bare,
        baseline_name="one aggregate SQL",
        # The goals: the page draws a dozen panels from several queries, and on
        # PostgreSQL each query is a round trip and a plan.
        goal_ms=40 if vendor() == "postgresql" else 25,
        options=options,
    )


# -- 2. the province's index of dashboards --------------------------------------------------------


def province_dashboard(s: Subjects, options) -> None:
    from django.urls import reverse

    bare = sql(
        "SELECT i.campaign_id, i.status, COUNT(*), SUM(i.evidence_count), "  # noqa: S608
        "SUM(CASE WHEN i.deadline < %s THEN 1 ELSE 0 END) "
        "FROM campaigns_item i JOIN campaigns_campaign c ON c.id = i.campaign_id "
        "JOIN orgs_region r ON r.id = c.region_id "
        f"WHERE r.path LIKE %s AND {LEAF} GROUP BY i.campaign_id, i.status",
        [date.today(), s.top.path + "%"],  # noqa: DTZ011
    )
    rows = bare()
    totals: dict[int, int] = {}
    for row in rows:
        totals[row[0]] = totals.get(row[0], 0) + row[2]
    first_page = sql(
        "SELECT c.id, c.name FROM campaigns_campaign c JOIN orgs_region r ON r.id = c.region_id "
        "WHERE r.path LIKE %s ORDER BY c.created_at DESC, c.id DESC LIMIT 25",
        [s.top.path + "%"],
    )()
    page = fetch(client_for(s.overseer), reverse("dashboards:index"))
    expect(
        page(),
        *(name for _, name in first_page),
        f'<td class="num">{totals.get(first_page[0][0], 0)}</td>',
        what="index of dashboards",
    )
    measure(
        f"province dashboards ({s.campaigns_below} campaigns)",
        page,
        bare,
        baseline_name="one aggregate SQL over all",
        goal_ms=150,
        note=f"{s.overseer.username}, page 1 of 25",
        options=options,
    )


# -- 3. item lists ------------------------------------------------------------------------------


def common_value(query: str, params: list):
    found = sql(query, params)()
    return found[0][0] if found else None


def campaign_item_lists(s: Subjects, options) -> None:
    from django.urls import reverse

    c = s.campaign.pk
    status = (
        common_value(
            "SELECT status FROM campaigns_item i WHERE campaign_id = %s AND status <> 'not_started' "
            "GROUP BY status ORDER BY COUNT(*) DESC",
            [c],
        )
        or "not_started"
    )
    word = common_value(
        "SELECT substr(title, 1, 2) FROM campaigns_item WHERE campaign_id = %s "
        "GROUP BY 1 ORDER BY COUNT(*) DESC",
        [c],
    )
    unit = s.liaison.unit_id
    variants = [
        ("", {}, []),
        ("status", {"status": status}, [("i.status = %s", status)]),
        (
            "unit",
            {"unit": unit},
            [("i.id IN (SELECT item_id FROM campaigns_assignment WHERE unit_id = %s)", unit)],
        ),
        ("q", {"q": word}, [("(i.code LIKE %s OR i.title LIKE %s)", f"{word}%", f"%{word}%")]),
        (
            "status+unit",
            {"status": status, "unit": unit},
            [
                ("i.status = %s", status),
                ("i.id IN (SELECT item_id FROM campaigns_assignment WHERE unit_id = %s)", unit),
            ],
        ),
    ]
    client = client_for(s.lead)
    url = reverse("campaigns:detail", args=[c])
    for label, params, conditions in variants:
        where = "".join(f" AND {condition}" for condition, *_ in conditions)
        values = [value for _, *parts in conditions for value in parts]
        bare = sql(
            "SELECT i.id, i.code, i.title, i.status, i.deadline, i.points, i.evidence_count, "  # noqa: S608
            "n.title, p.title, g.title, ip.code FROM campaigns_item i "
            "JOIN frameworks_node n ON n.id = i.node_id "
            "LEFT JOIN frameworks_node p ON p.id = n.parent_id "
            "LEFT JOIN frameworks_node g ON g.id = p.parent_id "
            "LEFT JOIN campaigns_item ip ON ip.id = i.parent_id "
            f"WHERE i.campaign_id = %s{where} ORDER BY i.sort_key LIMIT 50",
            [c, *values],
        )
        count = sql(
            f"SELECT COUNT(*) FROM campaigns_item i WHERE i.campaign_id = %s{where}",  # noqa: S608
            [c, *values],
        )()[0][0]
        list_page(
            f"campaign items {label or 'unfiltered'}",
            fetch(client, url, params),
            bare,
            shown=lambda rows, count=count: [f"共 {count} 条", *(row[1] for row in rows)],
            note=f"{count} rows" + (f", {params}" if params else ""),
            options=options,
        )


def list_page(name: str, page, bare, *, shown, note: str, options) -> None:
    """A list page against the bare SQL of its main list: the query must find rows, the page
    must show what `shown(rows)` names, then both are timed (goal: p95 ≤ 25 ms)."""
    rows = bare()
    if not rows:
        raise BenchError(f"{name}: the bare query found nothing ({note})")
    expect(page(), *shown(rows), what=name)
    measure(name, page, bare, goal_ms=25, note=note, options=options)


def my_tasks(s: Subjects, options) -> None:
    from django.urls import reverse

    unit = s.liaison.unit_id
    status = common_value(
        "SELECT i.status FROM campaigns_item i JOIN campaigns_assignment a ON a.item_id = i.id "
        "WHERE a.unit_id = %s AND i.status <> 'not_started' GROUP BY 1 ORDER BY COUNT(*) DESC",
        [unit],
    )
    client = client_for(s.liaison)
    for params in [{}, {"status": status}] if status else [{}]:
        where = " AND i.status = %s" if params else ""
        values = [params["status"]] if params else []
        bare = sql(
            "SELECT i.id, i.code, i.title, i.status, i.deadline, c.name, "  # noqa: S608
            "(SELECT COUNT(*) FROM evidence_evidence e WHERE e.item_id = i.id "
            "AND e.unit_id = %s AND e.deleted_at IS NULL) "
            "FROM campaigns_item i "
            "JOIN campaigns_assignment a ON a.item_id = i.id AND a.unit_id = %s "
            "JOIN campaigns_campaign c ON c.id = i.campaign_id "
            f"WHERE {LEAF}{where} "
            "ORDER BY i.deadline IS NULL, i.deadline, i.campaign_id, i.sort_key LIMIT 50",
            [unit, unit, *values],
        )
        list_page(
            f"my tasks {params.get('status', 'unfiltered')}",
            fetch(client, reverse("campaigns:my_tasks"), params),
            bare,
            shown=lambda rows: [row[2] for row in rows],
            note=f"{s.liaison.username}" + (f", {params}" if params else ""),
            options=options,
        )


def evidence_ledger(s: Subjects, options) -> None:
    from django.urls import reverse

    c = s.campaign.pk
    scope = (
        "FROM evidence_evidence e JOIN campaigns_item i ON i.id = e.item_id "
        "LEFT JOIN evidence_evidenceversion v ON v.id = e.current_id "
        "LEFT JOIN evidence_blob b ON b.id = v.blob_id "
        "WHERE i.campaign_id = %s AND e.deleted_at IS NULL"
    )
    unit = common_value(
        f"SELECT e.unit_id {scope} GROUP BY 1 ORDER BY COUNT(*) DESC",  # noqa: S608
        [c],
    )
    area = common_value(
        f"SELECT {area_sql('i.sort_key')} {scope} GROUP BY 1 ORDER BY COUNT(*) DESC",  # noqa: S608
        [c],
    )
    kind = common_value(
        f"SELECT b.kind {scope} GROUP BY 1 ORDER BY COUNT(*) DESC",  # noqa: S608
        [c],
    )
    if unit is None:
        raise BenchError(f"campaign {c} has no materials")
    by_unit = ("e.unit_id = %s", unit)
    by_area = ("(i.sort_key = %s OR i.sort_key LIKE %s)", area, f"{area}.%")
    by_kind = ("b.kind = %s", kind)
    variants = [
        ("", {}, []),
        ("unit", {"unit": unit}, [by_unit]),
        ("area", {"area": area}, [by_area]),
        ("type", {"kind": kind}, [by_kind]),
        ("unit+area+type", {"unit": unit, "area": area, "kind": kind}, [by_unit, by_area, by_kind]),
    ]
    listed = scope.replace(
        "WHERE",
        "JOIN orgs_unit u ON u.id = e.unit_id "
        "LEFT JOIN accounts_user uu ON uu.id = e.uploaded_by_id WHERE",
    )
    client = client_for(s.lead)
    url = reverse("evidence:ledger", args=[c])
    for label, params, conditions in variants:
        where = "".join(f" AND {condition}" for condition, *_ in conditions)
        values = [value for _, *parts in conditions for value in parts]
        bare = sql(
            "SELECT e.id, e.title, e.doc_number, e.issued_on, e.effective_on, e.created_at, "  # noqa: S608
            "i.code, i.title, u.name, v.original_name, b.kind, b.size, b.page_count, "
            "b.extract_status, b.sha256, uu.display_name, "
            "(SELECT COUNT(*) FROM evidence_evidenceversion vv WHERE vv.evidence_id = e.id) "
            f"{listed}{where} ORDER BY i.sort_key, e.created_at, e.id LIMIT 50",
            [c, *values],
        )
        count = sql(f"SELECT COUNT(*) {scope}{where}", [c, *values])()[0][0]  # noqa: S608
        list_page(
            f"evidence ledger {label or 'unfiltered'}",
            fetch(client, url, params),
            bare,
            shown=lambda rows, count=count: [f"共 {count} 条", *(row[1] for row in rows)],
            note=f"{count} rows" + (f", {params}" if params else ""),
            options=options,
        )


def round_queue(s: Subjects, options) -> None:
    """The review round's queue (审核轮次) of the campaign's latest round, as its lead office
    sees it: every item of the round with where it stands."""
    from django.urls import reverse

    from fazhi.reviews.models import Round

    round_ = Round.objects.filter(campaign=s.campaign).order_by("-number").first()
    if round_ is None:
        raise BenchError(f"campaign {s.campaign.pk} has no review round")
    bare = sql(
        "SELECT r.id, i.code, i.title, i.status, r.verdict, r.decided_at "
        "FROM reviews_review r JOIN campaigns_item i ON i.id = r.item_id "
        "WHERE r.round_id = %s AND i.archived_at IS NULL ORDER BY i.sort_key LIMIT 50",
        [round_.pk],
    )
    count = sql(
        "SELECT COUNT(*) FROM reviews_review r JOIN campaigns_item i ON i.id = r.item_id "
        "WHERE r.round_id = %s AND i.archived_at IS NULL",
        [round_.pk],
    )()[0][0]
    list_page(
        "review round queue",
        fetch(client_for(s.lead), reverse("reviews:round", args=[round_.pk])),
        bare,
        shown=lambda rows: [row[1] for row in rows],
        note=f"round {round_.number}, {count} items",
        options=options,
    )


def api_items(s: Subjects, headers: dict, options) -> None:
    from django.test import Client

    c = s.campaign.pk
    bare = sql(
        "SELECT i.id, i.code, i.title, i.points, i.is_refined, i.deadline, i.status, "
        "i.evidence_count, i.return_reason FROM campaigns_item i WHERE i.campaign_id = %s "
        "ORDER BY i.sort_key",
        [c],
    )
    rows = bare()
    page = fetch(Client(), f"/api/campaigns/{c}/items", **headers)
    answer = page().json()
    if [row["code"] for row in answer] != [row[1] for row in rows]:
        raise BenchError(f"/api/campaigns/{c}/items does not list the campaign's items")
    measure(
        f"API items of a campaign ({len(rows)})",
        page,
        bare,
        goal_ms=None,
        note="unpaginated",
        options=options,
    )


# -- 4. full-text search ------------------------------------------------------------------------


def fts_sql(expression: str, campaign_id: int) -> tuple[str, list]:
    """The materials of the campaign whose words match, joined straight to the index: what
    `search.matching_ids` asks of FTS5 or of the GIN index, without Django around it. (Written
    as `e.id IN (SELECT rowid … MATCH …)` instead, SQLite probes the campaign's index once per
    matching id: a plan the page itself avoids by OR-ing the title condition.)"""
    if vendor() == "postgresql":
        index = (
            "FROM evidence_searchdocument d JOIN evidence_evidence e ON e.id = d.evidence_id "
            "WHERE to_tsvector('simple', d.words) @@ to_tsquery('simple', %s)"
        )
    else:
        index = (
            "FROM evidence_search_fts f JOIN evidence_evidence e ON e.id = f.rowid "
            "WHERE evidence_search_fts MATCH %s"
        )
    joined = index.replace("WHERE", "JOIN campaigns_item i ON i.id = e.item_id WHERE")
    return (
        f"SELECT e.id {joined} AND i.campaign_id = %s AND e.deleted_at IS NULL",  # noqa: S608
        [expression, campaign_id],
    )


def searches(s: Subjects, headers: dict, options) -> None:
    from django.test import Client
    from django.urls import reverse

    from fazhi.evidence import search

    c = s.campaign.pk
    rare = common_value(
        "SELECT e.title FROM evidence_evidence e JOIN campaigns_item i ON i.id = e.item_id "
        "WHERE i.campaign_id = %s AND e.deleted_at IS NULL ORDER BY e.id DESC",
        [c],
    )
    client = client_for(s.lead)
    url = reverse("campaigns:search", args=[c])
    api = Client()
    for query in [*SEARCHES, rare]:
        ids = search.matching_ids(query, campaign_id=c)
        alive = (
            "FROM evidence_evidence e JOIN campaigns_item i ON i.id = e.item_id "
            "WHERE i.campaign_id = %s AND e.deleted_at IS NULL"
        )
        bare = sql(*fts_sql(ids.params[0], c))
        matched = len(bare())
        like = f"%{query}%"
        expected = sql(
            f"SELECT COUNT(*) {alive} AND (e.title LIKE %s OR e.doc_number LIKE %s "  # noqa: S608
            f"OR e.id IN ({ids.sql}))",
            [c, like, like, *ids.params],
        )()[0][0]
        page = fetch(client, url, {"q": query})
        expect(page(), f"找到 {expected} 份材料", what=f"search {query!r}")
        label = "rare: a title" if query == rare else query
        measure(
            f"search page {label}",
            page,
            bare,
            baseline_name="bare FTS SQL",
            goal_ms=100,
            note=f"{expected} found ({matched} by words)",
            options=options,
        )
        if query not in (SEARCHES[0], SEARCHES[-1], rare):
            continue  # the endpoint runs the page's query: three of them keep the run short
        endpoint = fetch(
            api, "/api/evidence/search", {"campaign": c, "q": query, "limit": 50}, **headers
        )
        hits = endpoint().json()
        if len(hits) != min(50, expected):
            raise BenchError(f"API search {query!r} gave {len(hits)} hits, expected {expected}")
        measure(
            f"API search {label}",
            endpoint,
            bare,
            baseline_name="bare FTS SQL",
            goal_ms=100,
            note=f"{len(hits)} hits",
            options=options,
        )


# -- the run ------------------------------------------------------------------------------------


def header(s: Subjects) -> None:
    counts = sql(
        "SELECT (SELECT COUNT(*) FROM campaigns_campaign), (SELECT COUNT(*) FROM campaigns_item), "
        "(SELECT COUNT(*) FROM evidence_evidence), (SELECT COUNT(*) FROM evidence_searchdocument)",
        [],
    )()[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# {machine()}, load average {load} at start")
    print(
        f"# {database()}: {counts[0]} campaigns, {counts[1]} items, {counts[2]} materials "
        f"({counts[3]} with search words)"
    )
    print(
        f"# campaign {s.campaign.pk} {s.campaign} ({s.campaign.region}) as {s.lead.username}; "
        f"liaison {s.liaison.username}; {s.top} ({s.campaigns_below} campaigns) as "
        f"{s.overseer.username}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile pages that miss")
    parser.add_argument(
        "--only",
        choices=["dashboards", "lists", "search"],
        action="append",
        help="measure only these parts (repeatable)",
    )
    options = parser.parse_args()

    setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    subjects = find_subjects()
    from fazhi.core.heap import freeze_startup_objects

    freeze_startup_objects()  # as a web worker does once started (fazhi/wsgi.py)
    header(subjects)
    started = time.perf_counter()
    headers, revoke = bearer_for(subjects.lead)
    try:
        parts = options.only or ["dashboards", "lists", "search"]
        if "dashboards" in parts:
            campaign_dashboard(subjects, options)
            province_dashboard(subjects, options)
        if "lists" in parts:
            campaign_item_lists(subjects, options)
            my_tasks(subjects, options)
            evidence_ledger(subjects, options)
            round_queue(subjects, options)
            api_items(subjects, headers, options)
        if "search" in parts:
            searches(subjects, headers, options)
    finally:
        revoke()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"# {time.perf_counter() - started:.0f} s, load average {load} at the end", flush=True)


if __name__ == "__main__":
    main()
