"""Odd values in a URL never make a server error. Every list endpoint of the API (read from
its OpenAPI schema) and every page (read from the URL configuration, with the query parameters
it was seen reading) gets negative, huge, non-numeric, non-UTF-8, NUL and overlong values in
each parameter, as the system administrator (who sees everything) and as a liaison; the answer
is a page or a refusal with a message, never a 5xx. Over 64 bits an id overflows SQLite's
integer and PostgreSQL's bigint; NUL is refused by PostgreSQL's driver; these run on both."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.functional import cached_property

from fazhi.api import api
from fazhi.campaigns import services as campaign_services
from fazhi.evidence import services as evidence_services
from fazhi.fieldwork import services as fieldwork_services
from fazhi.plans import services as plan_services
from fazhi.reviews import services as review_services
from fazhi.reviews.models import RoundScope

# Raw query-string values, already percent-encoded as a browser or a script would send them.
NASTY = {
    "negative": "-1",
    "zero": "0",
    "past 64 bits": "99999999999999999999",
    "past int64 by one": "9223372036854775808",
    "fraction": "1.5",
    "too big for a float": "1e400",
    "words": "abc",
    "empty": "",
    "superscript two (isdigit, not int)": "%C2%B2",
    "NUL": "a%00b",
    "not UTF-8": "%ff%fe",
    "search syntax": "%22%28*+NEAR+OR",
    "impossible date": "2025-02-30",
    "year one (year zero in UTC)": "0001-01-01",
    "500 Chinese characters": "%E6%B3%95" * 500,
}

HUGE_ID = "99999999999999999999"


@pytest.fixture
def world(campaign, people, tree):
    """One of everything a URL can name: an item with a material, an open round, the
    province's evaluation of 市中区, a notification, an API token."""
    item = campaign.items.get(code="1.1.1")
    evidence = evidence_services.evidence_upload(
        acting_user=people.szq_liaison,
        item=item,
        file=ContentFile("行政复议决定书 执法".encode(), name="复议.txt"),
    )
    campaign_services.item_submit(acting_user=people.szq_liaison, item=item)
    round_ = review_services.round_open(
        acting_user=people.szq_lead,
        campaign=campaign,
        name="内部审核",
        scope=RoundScope.ALL,
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        reviewers=[review_services.ReviewerSeat(people.szq_reviewer)],
    )
    evaluation = fieldwork_services.evaluation_create(
        acting_user=people.admin, region=tree.province, name="全省评估"
    )
    fieldwork_services.applicants_add(
        acting_user=people.admin, evaluation=evaluation, campaigns=[campaign]
    )
    plan_services.notifications_create(
        users=[people.szq_liaison, people.admin], kind="returned", text="退回", event="x", item=item
    )
    return SimpleNamespace(
        campaign=campaign,
        framework=campaign.framework,
        item=item,
        evidence=evidence,
        round=round_,
        review=round_.reviews.get(item=item),
        evaluation=evaluation,
        applicant=evaluation.applicants.get(),
        unit=tree.units.szq_sfj,
        user=people.szq_liaison,
        notification=people.szq_liaison.notifications.get(),
    )


PERSONAS = ["admin", "szq_liaison"]


def server_errors(answers) -> str:
    """The (url, response) pairs that were 5xx, one line each (long values cut short)."""
    failed = [f"{url[:120]} → {r.status_code}" for url, r in answers if r.status_code >= 500]
    return "\n".join(failed)


# -- the API -------------------------------------------------------------------------------------

# The value of each path parameter the schema names; a new name fails the test until it is here.
API_PATH_VALUES = {
    "campaign_id": lambda w: w.campaign.pk,
    "item_id": lambda w: w.item.pk,
    "evidence_id": lambda w: w.evidence.pk,
    "evaluation_id": lambda w: w.evaluation.pk,
    "review_id": lambda w: w.review.pk,
    "file_id": lambda w: 1,
    "ref": lambda w: w.framework.pk,
    "old_id": lambda w: w.framework.pk,
    "new_id": lambda w: w.framework.pk,
    "side": lambda w: "self",
    # Objects the world of this test does not make: an id naming nothing must answer 404 too.
    "inspection_id": lambda w: 1,
    "wave_id": lambda w: 1,
    "plan_id": lambda w: 1,
    "bank_id": lambda w: 1,
    "exam_id": lambda w: 1,
    "casereview_id": lambda w: 1,
    "standard_id": lambda w: 1,
}
# Required query parameters, with a valid value, so that each other parameter is tried alone.
API_REQUIRED_VALUES = {
    "campaign": lambda w: w.campaign.pk,
    "q": lambda w: "复议",
    "region": lambda w: "370402",
    "period": lambda w: "2025Q2",
}


def api_get_operations():
    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        if "get" in methods:
            yield path, methods["get"].get("parameters", [])


def api_url(path: str, params: list[dict], world, *, odd: str, value: str) -> str:
    """The operation's URL with valid values everywhere except `odd`, which gets `value`."""
    query = []
    for param in params:
        name = param["name"]
        if param["in"] == "path":
            raw = value if name == odd else API_PATH_VALUES[name](world)
            path = path.replace("{" + name + "}", str(raw))
        elif name == odd:
            query.append(f"{name}={value}")
        elif param.get("required"):
            query.append(f"{name}={API_REQUIRED_VALUES[name](world)}")
    return path + ("?" + "&".join(query) if query else "")


def test_the_schema_lists_every_list_endpoint_with_its_parameters():
    operations = dict(api_get_operations())
    assert "/api/evidence/search" in operations
    names = {p["name"] for p in operations["/api/campaigns/{campaign_id}/items"]}
    assert names == {"campaign_id", "status", "unit", "q"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_api_parameter_makes_a_server_error(persona, people, world, client, bearer):
    headers = bearer(getattr(people, persona))
    client.raise_request_exception = False  # a failure is an answer to count, not to stop at
    answers = []
    for path, params in api_get_operations():
        for param in params:
            for value in NASTY.values():
                url = api_url(path, params, world, odd=param["name"], value=value)
                answers.append((url, client.get(url, **headers)))
    assert len(answers) > 300
    assert not server_errors(answers), server_errors(answers)
    not_json = [url for url, r in answers if not r["Content-Type"].startswith("application/json")]
    assert not not_json, not_json[:5]


def test_an_out_of_range_api_parameter_is_refused_with_a_message(people, world, client, bearer):
    headers = bearer(people.admin)
    search = f"/api/evidence/search?campaign={world.campaign.pk}&q=复议"
    response = client.get(search + "&limit=-1", **headers)
    assert response.status_code == 422
    assert response.json()["detail"] == "参数 limit 应不小于 1。"
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]  # pydantic's, as before

    items = f"/api/campaigns/{world.campaign.pk}/items"
    response = client.get(f"{items}?unit={HUGE_ID}", **headers)
    assert response.status_code == 422
    assert response.json()["detail"] == f"参数 unit 应不大于 {2**63 - 1}。"
    response = client.get(f"{items}?unit=abc&q={'法' * 101}", **headers)
    assert response.json()["detail"] == "参数 unit 应为整数；参数 q 最长 100 个字。"
    response = client.get(f"/api/campaigns/{HUGE_ID}/items", **headers)
    assert response.status_code == 422
    assert response.json()["detail"] == f"参数 campaign_id 应不大于 {2**63 - 1}。"

    assert client.get(search + "&limit=5", **headers).json()[0]["title"] == "复议"


# -- the pages -----------------------------------------------------------------------------------

# The object each page's URL names, by URL name and argument; pages left out are tried with
# ids that name nothing (and still must answer 404, not fail).
PAGE_ARGS = {
    "pk": {
        "accounts:token_revoke": None,
        "accounts:user_edit": "user",
        "accounts:user_reset_password": "user",
        "orgs:unit_edit": "unit",
        "frameworks:": "framework",
        "campaigns:item": "item",
        "campaigns:": "campaign",
        "evidence:ledger": "campaign",
        "evidence:": "evidence",
        "reviews:rounds": "campaign",
        "reviews:log_export": "campaign",
        "reviews:scores": "campaign",
        "reviews:round": "round",
        "reviews:decide": "review",
        "dashboards:": "campaign",
        "plans:notification_open": "notification",
        "fieldwork:scores": "applicant",
        "fieldwork:applicant_remove": "applicant",
        "fieldwork:": "evaluation",
        "filing:campaign": "campaign",
        "filing:start": "campaign",
        "filing:report_draft": "campaign",
        "filing:choices": "campaign",
        "filing:choice_": "item",
        "filing:submit": "campaign",
        "filing:reopen": "campaign",
    },
    "item_pk": {"": "item"},
    "campaign_pk": {"": "campaign"},
    "unit_pk": {"": "unit"},
}
PAGE_WORDS = {"fmt": "xlsx", "side": "self", "panel": "status"}


def page_patterns():
    """(URL name, pattern) of every page, API and health check aside."""

    def walk(patterns, namespace=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "api":
                    yield from walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                yield f"{namespace}:{p.name}", p

    return list(walk(get_resolver().url_patterns))


def page_kwargs(name: str, pattern: URLPattern, world, *, ids: str | None = None) -> dict:
    kwargs = {}
    for arg in pattern.pattern.converters:
        if arg in PAGE_WORDS:
            kwargs[arg] = PAGE_WORDS[arg]
            continue
        if ids is not None:
            kwargs[arg] = ids
            continue
        choices = PAGE_ARGS.get(arg, {})
        key = next((prefix for prefix in choices if name.startswith(prefix)), None)
        obj = getattr(world, choices[key]) if key is not None and choices[key] else None
        kwargs[arg] = obj.pk if obj is not None else 987654
    return kwargs


class RecordingQueryDict(QueryDict):
    """A query string that remembers which parameters the view asked for."""

    asked: set[str] = set()

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def _getlist(self, key, *args, **kwargs):
        self.asked.add(key)
        return super()._getlist(key, *args, **kwargs)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


@pytest.fixture
def asked_parameters(monkeypatch):
    """Requests made under this fixture record the query parameters their view reads."""

    def get(request):
        from django.core.handlers.wsgi import get_bytes_from_wsgi

        raw = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
        return RecordingQueryDict(raw, encoding=request._encoding)

    asked: set[str] = set()
    monkeypatch.setattr(RecordingQueryDict, "asked", asked)
    prop = cached_property(get)
    prop.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", prop)
    return asked


def pages_and_parameters(client, world, asked: set[str]) -> list[tuple[str, list[str]]]:
    """Every page a GET reaches that reads query parameters, with those it reads."""
    found = []
    for name, pattern in page_patterns():
        if name in {"accounts:login", "accounts:logout", "core:health"}:
            continue
        url = reverse(name, kwargs=page_kwargs(name, pattern, world))
        asked.clear()
        response = client.get(url)
        assert response.status_code < 500, url
        if asked:
            found.append((url, sorted(asked)))
    return found


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_parameter_makes_a_server_error(persona, people, world, login, asked_parameters):
    """Each odd value goes into every parameter of a page at once (pages drop what they cannot
    use and go on, so every parameter is read); a page that refuses the lot is asked again one
    parameter at a time, so that an early refusal hides no later failure."""
    client = login(getattr(people, persona))
    pages = pages_and_parameters(client, world, asked_parameters)
    read = {key for _, keys in pages for key in keys}
    if persona == "admin":  # the filters the pages are known to have are all found
        assert {"page", "q", "query", "unit", "status", "area", "from", "to", "role"} <= read
    client.raise_request_exception = False
    answers = []
    for url, keys in pages:
        for value in NASTY.values():
            odd = f"{url}?" + "&".join(f"{key}={value}" for key in keys)
            response = client.get(odd)
            answers.append((odd, response))
            if 400 <= response.status_code < 500 and len(keys) > 1:
                answers += [(f"{url}?{k}={value}", client.get(f"{url}?{k}={value}")) for k in keys]
    assert len(answers) > 300
    assert not server_errors(answers), server_errors(answers)


@pytest.mark.parametrize("persona", PERSONAS)
def test_ids_past_64_bits_in_a_page_address_answer_404(persona, people, world, login):
    client = login(getattr(people, persona))
    client.raise_request_exception = False
    answers = []
    for name, pattern in page_patterns():
        if not pattern.pattern.converters or name == "accounts:logout":
            continue
        url = reverse(name, kwargs=page_kwargs(name, pattern, world, ids=HUGE_ID))
        answers.append((url, client.get(url)))
    assert not server_errors(answers), server_errors(answers)
    assert {r.status_code for _, r in answers} <= {403, 404, 405}


def test_an_odd_filter_is_dropped_with_a_note_and_the_others_still_apply(people, world, login):
    client = login(people.admin)
    page = client.get(
        reverse("campaigns:detail", args=[world.campaign.pk]),
        {"unit": HUGE_ID, "q": "行政复议"},
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "筛选条件“单位”的值无效，已忽略。" in html
    assert "行政复议案件依法办理" in html and "备案审查" not in html  # the search still applies

    ledger = client.get(
        reverse("evidence:ledger", args=[world.campaign.pk]), {"from": "2025-02-30", "unit": "²"}
    )
    html = ledger.content.decode()
    assert ledger.status_code == 200
    assert "“上传日期从”不是有效日期" in html and "筛选条件“单位”的值无效" in html
    assert "复议" in html  # the material is listed, unfiltered by the dropped values
