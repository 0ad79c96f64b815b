"""The authorization matrix: every address of the site and every operation of the API, asked by
every persona (the outsider of another county and the liaison of another unit among them) about
objects inside and outside their reach, with GET and with POST. Each answer must be the one the
rules in `authz_policy` give: served, 403, 404, refused with nothing changed, or sent to log in.
Whatever a persona is served is read for the markers planted in what it must never see (unzipped:
Excel, Word and ZIP downloads too). A new address without an entry in `authz_routes` fails."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import uuid
import zipfile
from collections import Counter
from functools import partial
from urllib.parse import unquote

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from fazhi.api import api
from fazhi.core.tests.authz_payloads import Ctx
from fazhi.core.tests.authz_policy import (
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    NOT_SERVED,
    OK,
    REFUSALS,
    REFUSED,
    county,
    forbidden_markers,
    refused_whatever_the_target,
)
from fazhi.core.tests.authz_routes import OPERATIONS, PAGES, Route
from fazhi.core.tests.authz_world import PERSONA, PERSONAS, SCJG, SFJ, WRITTEN, XC, build_world

LOGIN_PATH = "/accounts/login/"
ALL_MARKERS = [SFJ, SCJG, XC, *WRITTEN.values()]
# Bookkeeping that any request may write and that changes nothing a user did: the session's
# sliding expiry (at most once a minute) and a token's last use (to the minute).
BOOKKEEPING = {("UPDATE", "accounts_apitoken"), ("UPDATE", "django_session")}
DML = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


# -- what the site has -------------------------------------------------------------------------


def _patterns(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def operations_in_schema() -> list[str]:
    paths = api.get_openapi_schema()["paths"]
    return [f"{method.upper()} {path}" for path, ops in paths.items() for method in ops]


def _as_schema_path(pattern: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def pages_in_urlconf() -> list[str]:
    """Every URL pattern but those the OpenAPI schema describes (their operations are entries)."""
    api_paths = {op.split(" ", 1)[1] for op in operations_in_schema()}
    return sorted(
        {p for p in _patterns(get_resolver().url_patterns) if _as_schema_path(p) not in api_paths}
    )


def test_every_route_and_operation_has_an_entry_in_the_matrix():
    pages, operations = pages_in_urlconf(), operations_in_schema()
    missing = [p for p in pages if p not in PAGES] + [o for o in operations if o not in OPERATIONS]
    assert not missing, "新路由未列入授权矩阵: " + "、".join(missing)
    stale = sorted(set(PAGES) - set(pages)) + sorted(set(OPERATIONS) - set(operations))
    assert not stale, "授权矩阵中的路由已不存在: " + "、".join(stale)


# -- the world, built once for the module ------------------------------------------------------


@pytest.fixture
def files_in_tmp():
    """The world's files stay where `world` put them for the whole module."""


def _storage(tmp_path_factory, settings_storages) -> dict:
    if os.environ.get("FAZHI_S3_BUCKET"):
        default = settings_storages["default"]
        options = {**default["OPTIONS"], "location": f"t/{uuid.uuid4().hex}"}
        return {**settings_storages, "default": {**default, "OPTIONS": options}}
    location = tmp_path_factory.mktemp("authz-files")
    local = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location},
    }
    return {**settings_storages, "default": local}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, in a transaction that is rolled back when the module is done; each persona's
    test runs in a savepoint inside it, and each request in a savepoint inside that."""
    from django.conf import settings

    files = override_settings(STORAGES=_storage(tmp_path_factory, settings.STORAGES))
    files.enable()
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            # From here on a request that queues work (a filing build, text extraction) only
            # queues it: the matrix asks who may, not what the work produces.
            tasks = override_settings(
                TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
            )
            tasks.enable()
            try:
                yield built
            finally:
                tasks.disable()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            files.disable()


# -- one request -------------------------------------------------------------------------------


class RowWrites:
    """Rows inserted, updated or deleted while a request is served, bookkeeping aside."""

    def __init__(self):
        self.rows = 0
        self.tables: set[str] = set()

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        match = DML.match(sql)
        if match:
            verb, table = match.group(1).split()[0].upper(), match.group(2)
            changed = context["cursor"].rowcount or 0
            if verb == "INSERT" and changed <= 0:
                # SQLite counts an INSERT … RETURNING only once its rows are fetched (an insert
                # that ignores a conflict may so be counted when it wrote nothing)
                changed = len(params) if many else 1
            if changed and (verb, table) not in BOOKKEEPING and table != "django_session":
                self.rows += changed
                self.tables.add(table)
        return result


def _call(client: Client, method: str, url: str, data, *, body: str, headers: dict, arrange=None):
    writes = RowWrites()
    savepoint = transaction.savepoint()
    try:
        if arrange is not None:
            arrange()
        with connection.execute_wrapper(writes):
            if method == "GET":
                response = client.get(url, **headers)
            elif body == "json":  # POST, PUT or PATCH
                response = client.generic(
                    method, url, json.dumps(data or {}), content_type="application/json", **headers
                )
            else:
                response = client.post(url, data or {}, **headers)
            content = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
    finally:
        transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(False)  # back at the savepoint: nothing left to undo
    return response, content, writes


def readable(response, content: bytes) -> bytes:
    """What a persona reads from an answer: the body (each member of an Excel, Word or ZIP
    file unpacked) and the file name it is saved under."""
    parts = [unquote(response.get("Content-Disposition", "")).encode()]
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.infolist():
                parts += [member.filename.encode(), archive.read(member)]
    else:
        parts.append(content)
    return b"\n".join(parts)


def _said(response) -> str:
    """The messages the answer put on the page, to tell a refusal from a form left empty."""
    request = getattr(response, "wsgi_request", None)
    said = [str(m) for m in get_messages(request)] if request is not None else []
    return f"（页面提示：{'；'.join(said)[:200]}）" if said else ""


def _judge(expected: str, response, writes: RowWrites, method: str, route: Route) -> str | None:
    """What is wrong with the answer, or None."""
    status = response.status_code
    location = response.get("Location", "")
    to_login = status in (301, 302) and location.startswith(LOGIN_PATH)
    wrote = (
        f"，并改动了 {writes.rows} 行（{'、'.join(sorted(writes.tables))}）" if writes.rows else ""
    )
    if expected == OK:
        if not 200 <= status < 400 or (to_login and not route.public):
            return f"应允许，实际 {status} {location}"
        if method != "GET" and route.writes and not writes.rows:
            return f"应允许并改动数据，实际 {status} 未改动任何行"
        return None
    if expected == LOGIN:
        ok = (status == 401 or to_login) and not writes.rows
        return None if ok else f"应要求登录，实际 {status} {location}{wrote}"
    if expected in (FORBIDDEN, HIDDEN):
        ok = status == int(expected) and not writes.rows
        return None if ok else f"应为 {expected}，实际 {status} {location}{wrote}"
    if expected == REFUSED:
        ok = status < 500 and not writes.rows and not (to_login and not route.public)
        return None if ok else f"应拒绝且不改动数据，实际 {status}{wrote}"
    if expected == NOT_SERVED:
        ok = status in (403, 404, 405) and not writes.rows
        return None if ok else f"只接受 POST，GET 实际 {status}{wrote}"
    raise AssertionError(expected)


# -- the cases ---------------------------------------------------------------------------------


def _url(key: str, route: Route, x: Ctx) -> str:
    path = key.split(" ", 1)[1] if " /" in key else "/" + key
    fields = {"t": x.target, "c": x.c, "who": _whose(x)}
    if "-" in x.target:
        fields["side"], fields["rest"] = x.target.split("-", 1)
    for name, spec in route.args:
        value = spec[1:].format(**fields) if spec.startswith("=") else x.id(spec.format(**fields))
        path = re.sub(rf"<(?:\w+:)?{name}>|\{{{name}\}}", str(value), path)
    return path + (f"?{route.query(x)}" if route.query else "")


def _whose(x: Ctx) -> str:
    """A persona's own notification or token, or another's (the anonymous visitor asks about
    nobody's)."""
    own = x.persona if x.persona != "anonymous" else "nobody"
    if x.target == "own":
        return own
    return "szq_lead" if own == "admin" else "admin"


def cases(persona: str):
    """(key, route, method, target, expected) of everything the persona is asked. Answers that
    cannot depend on the object are asked about one object only: being sent to log in, being
    turned away by role, being served (the first object in reach of each county stands for the
    others), and a 404 for an object of a county the persona has no reach into at all."""
    p = PERSONA[persona]
    asked = set()
    for table in (PAGES, OPERATIONS):
        for key, route in table.items():
            if " /" in key:
                methods = [key.split(" ", 1)[0]]
            else:
                methods = ["GET", "POST"] if route.post is not None else ["GET"]
            for method in methods:
                rule = route.get if method == "GET" else route.post
                for target in route.targets:
                    expected = expectation(persona, route, method, target)
                    if expected == NOT_SERVED and persona != "admin":
                        continue  # refused by method, the same for all: asked of the admin
                    same = _stands_for_others(p, rule, expected, target)
                    if same is not None:
                        if (key, method, same) in asked:
                            continue
                        asked.add((key, method, same))
                    yield key, route, method, target, expected


def _stands_for_others(p, rule, expected: str, target: str) -> str | None:
    """A key shared by the targets one of which answers for all, or None."""
    where = county(target)
    if expected in (LOGIN, NOT_SERVED):
        return expected
    if expected == FORBIDDEN and rule is not None and refused_whatever_the_target(rule, p):
        return expected
    if expected == OK:  # one object of each county (or owner) the persona reaches
        return f"{expected}:{where}"
    unreached = where in ("szq", "xc") and where not in p.counties and where not in p.grants
    return f"{expected}:{where}" if expected == HIDDEN and unreached else None


def expectation(persona: str, route: Route, method: str, target: str) -> str:
    p = PERSONA[persona]
    if p.anonymous and not route.public:
        return LOGIN
    rule = route.get if method == "GET" else route.post
    if rule is None:
        return NOT_SERVED
    return rule(p, target)


@pytest.fixture
def quiet_refusals():
    """Each 403 and 404 would be logged with its traceback: thousands of them, all expected."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.mark.parametrize("persona", [p.name for p in PERSONAS])
def test_every_persona_gets_the_answer_the_rules_give(world, db, quiet_refusals, persona):
    user = world.users.get(persona)
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {world.bearer[persona]}"} if user else {}
    markers = [m.encode() for m in forbidden_markers(PERSONA[persona])]
    # What the persona may read must show somewhere, or the scan for the rest proves nothing.
    unread = {m.encode() for m in ALL_MARKERS} - set(markers)
    wrong = []
    for key, route, method, target, expected in cases(persona):
        x = Ctx(world, persona, target, user)
        response, content, writes = _call(
            client,
            method,
            _url(key, route, x),
            route.data(x) if route.data and method != "GET" else None,
            body=route.body,
            headers=bearer if " /" in key and not route.session else {},
            arrange=partial(route.arrange, x) if route.arrange else None,
        )
        where = f"{method} {key} [{target}]"
        if problem := _judge(expected, response, writes, method, route):
            wrong.append(f"{where}: {problem}")
        elif expected == OK and method == "GET":
            text = readable(response, content)
            if seen := [m.decode() for m in markers if m in text]:
                wrong.append(f"{where}: 读到了不应看到的内容 {'、'.join(seen)}")
            unread = {m for m in unread if m not in text}
        if route.relogin and user is not None:
            client.force_login(user)
    if unread:
        wrong.append(f"应能看到却在任何页面都没读到：{'、'.join(m.decode() for m in unread)}")
    assert not wrong, f"{persona}：{len(wrong)} 处与授权规则不符\n" + "\n".join(wrong)


def test_every_address_serves_someone_and_refuses_someone(capsys):
    """No entry is open to every persona or closed to all by mistake; and the figures the
    closing note quotes (read them with -s)."""
    combos = Counter()
    for persona in PERSONA:
        for key, route, method, target in _all_combinations():
            combos[key, method, expectation(persona, route, method, target) == OK] += 1
    route_methods = {(key, method) for key, method, _ in combos}
    served = {(key, method) for key, method, ok in combos if ok}
    refused = {(key, method) for key, method, ok in combos if not ok}
    assert route_methods - served == {("api/", "GET")}  # django-ninja's root names nothing
    public = {key for key, route in PAGES.items() if route.public}
    assert {km for km in route_methods if km[0] not in public} <= refused

    asked = [(persona, expected) for persona in PERSONA for *_, expected in cases(persona)]
    refusals = Counter(expected for _, expected in asked if expected in REFUSALS)
    with capsys.disabled():
        print(
            f"\n授权矩阵：{len(PAGES)} 个地址 + {len(OPERATIONS)} 个 API 操作，"
            f"{len(route_methods)} 个地址-方法组合 × {len(PERSONA)} 个角色 = "
            f"{len(route_methods) * len(PERSONA)}；含对象内外共 {sum(combos.values())} 种组合，"
            f"实际请求 {len(asked)} 次，其中断言拒绝 {sum(refusals.values())} 次"
            f"（{'，'.join(f'{o} {n}' for o, n in sorted(refusals.items()))}）"
        )


def _all_combinations():
    for table in (PAGES, OPERATIONS):
        for key, route in table.items():
            methods = [key.split(" ", 1)[0]] if " /" in key else ["GET", "POST"]
            for method in methods:
                if (route.get if method == "GET" else route.post) is None:
                    continue  # a GET of a POST-only address is no entry of the matrix
                for target in route.targets:
                    yield key, route, method, target
