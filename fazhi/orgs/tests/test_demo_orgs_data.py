"""Checks on the demo regions, units and users (fazhi/orgs/data/demo_orgs.yaml).

Plain PyYAML, no Django: run with ``pytest <this file> -p no:django``.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data" / "demo_orgs.yaml"

LEVELS = ["province", "city", "county", "town"]
KINDS = {"department", "town", "office"}
ROLES = {"admin", "lead_admin", "liaison", "reviewer", "expert", "leader", "inspector"}
SZQ = "370402"


@pytest.fixture(scope="module")
def orgs():
    with DATA.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def regions(orgs):
    return {r["code"]: r for r in orgs["regions"]}


@pytest.fixture(scope="module")
def units(orgs):
    return {u["code"]: u for u in orgs["units"]}


def ancestors(regions, code):
    """The region itself and all its ancestors."""
    out = []
    while code is not None:
        out.append(code)
        code = regions[code]["parent"]
    return out


def test_top_level(orgs):
    assert orgs["demo_password"] == "Fazhi@2026"
    assert set(orgs) == {"demo_password", "regions", "units", "users"}


def test_region_codes_unique(orgs):
    codes = [r["code"] for r in orgs["regions"]]
    assert len(codes) == len(set(codes))


def test_region_shape_and_parents(regions):
    for code, r in regions.items():
        assert set(r) == {"code", "name", "level", "parent"}, code
        assert isinstance(code, str) and r["name"], code
        assert r["level"] in LEVELS, code
        if r["level"] == "town":
            assert re.fullmatch(r"\d{12}", code), code
        else:
            assert re.fullmatch(r"\d{6}", code), code
        if r["level"] == "province":
            assert r["parent"] is None and code.endswith("0000")
            continue
        parent = regions.get(r["parent"])
        assert parent is not None, f"{code}: parent {r['parent']} missing"
        assert LEVELS.index(parent["level"]) == LEVELS.index(r["level"]) - 1, code
        # Division codes nest: city shares the province's 2 digits, county the city's 4, town the county's 6.
        prefix = {"city": 2, "county": 4, "town": 6}[r["level"]]
        assert code[:prefix] == r["parent"][:prefix], code


def test_known_division_codes(regions):
    expected = {
        "370000": "山东省",
        "370400": "枣庄市",
        "370402": "市中区",
        "370403": "薛城区",
        "370404": "峄城区",
        "370405": "台儿庄区",
        "370406": "山亭区",
        "370481": "滕州市",
        "371500": "聊城市",
        "371502": "东昌府区",
    }
    for code, name in expected.items():
        assert regions[code]["name"] == name
    towns = [c for c, r in regions.items() if r["parent"] == SZQ]
    assert len(towns) == 11
    assert all(regions[c]["level"] == "town" for c in towns)


def test_two_cities_for_isolation(regions):
    cities = {c for c, r in regions.items() if r["level"] == "city"}
    assert {"370400", "371500"} <= cities


def test_unit_codes_and_references(orgs, regions):
    codes = [u["code"] for u in orgs["units"]]
    assert len(codes) == len(set(codes)), [c for c, n in Counter(codes).items() if n > 1]
    for u in orgs["units"]:
        assert set(u) == {"code", "name", "short_name", "kind", "region", "sort"}, u["code"]
        assert u["region"] in regions, u["code"]
        assert u["kind"] in KINDS, u["code"]
        assert re.fullmatch(re.escape(u["region"]) + r"-[a-z0-9]+", u["code"]), u["code"]
        assert isinstance(u["sort"], int), u["code"]
        assert u["name"] and u["short_name"], u["code"]
        if u["kind"] == "town":
            assert regions[u["region"]]["level"] == "town", u["code"]


def test_szq_has_42_units(orgs, regions):
    szq = [u for u in orgs["units"] if SZQ in ancestors(regions, u["region"])]
    assert len(szq) == 42
    assert len({u["short_name"] for u in szq}) == 42
    assert sorted(u["sort"] for u in szq) == list(range(1, 43))
    by_short = {u["short_name"]: u for u in szq}
    assert by_short["区委依法治区办"]["kind"] == "office"
    assert by_short["区司法局"]["kind"] == "department"
    towns = [u for u in szq if u["kind"] == "town"]
    town_regions = {c for c, r in regions.items() if r["parent"] == SZQ}
    assert {u["region"] for u in towns} == town_regions


def test_other_places_have_units(orgs):
    per_region = Counter(u["region"] for u in orgs["units"])
    assert 5 <= per_region["370400"] <= 8
    assert 2 <= per_region["370403"] <= 3
    assert 2 <= per_region["371502"] <= 3


def test_users(orgs, regions, units):
    names = [u["username"] for u in orgs["users"]]
    assert len(names) == len(set(names))
    for u in orgs["users"]:
        assert set(u) == {"username", "display_name", "roles", "region", "unit"}, u["username"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", u["username"]), u["username"]
        assert u["display_name"], u["username"]
        assert u["roles"] and set(u["roles"]) <= ROLES, u["username"]
        assert u["region"] is None or u["region"] in regions, u["username"]
        if u["unit"] is not None:
            assert u["unit"] in units, u["username"]
            assert u["region"] is not None
            # A user's unit lies inside the user's region.
            assert u["region"] in ancestors(regions, units[u["unit"]]["region"]), u["username"]


def test_every_role_has_a_user(orgs):
    used = {r for u in orgs["users"] for r in u["roles"]}
    assert used == ROLES


def test_role_placement(orgs, regions, units):
    def who(role):
        return [u for u in orgs["users"] if role in u["roles"]]

    assert {u["region"] for u in who("lead_admin")} >= {"370402", "370400", "371502"}
    szq_lead = [u for u in who("lead_admin") if u["region"] == SZQ]
    assert szq_lead and units[szq_lead[0]["unit"]]["short_name"] == "区司法局"
    liaisons_szq = [u for u in who("liaison") if SZQ in ancestors(regions, u["region"])]
    assert 3 <= len(liaisons_szq) <= 4
    assert any(u["region"] == "370403" for u in who("liaison"))
    assert all(u["unit"] for u in who("liaison"))
    assert any(u["region"] == SZQ for u in who("reviewer"))
    assert any(u["region"] == "370400" for u in who("expert"))
    assert any(u["region"] == SZQ for u in who("leader"))
    assert any(u["region"] == "370400" for u in who("inspector"))
    assert all(u["region"] in (None, "370000") for u in who("admin"))
