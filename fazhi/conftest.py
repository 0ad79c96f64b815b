"""Shared fixtures: a small org tree and one named persona per role, plus the outsiders who
must be refused (a liaison of another unit, the lead office of another county)."""

from types import SimpleNamespace

import pytest

from fazhi.accounts.models import Role, User
from fazhi.orgs.models import Region, Unit

PASSWORD = "Fazhi@2026test"


def make_region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    return Region.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        path=f"{parent.path if parent else ''}{code}/",
        depth=parent.depth + 1 if parent else 0,
    )


def make_user(username: str, *roles: str, region=None, unit=None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        display_name=username,
        region=region or (unit.region if unit else None),
        unit=unit,
        **extra,
    )
    user.roles.set(Role.objects.filter(code__in=roles))
    return user


@pytest.fixture
def tree(db):
    """山东省 → 枣庄市 → 市中区 (with 司法局, 市场监管局, 中心街街道) and 薛城区 (with 司法局)."""
    province = make_region("370000", "山东省", "province")
    city = make_region("370400", "枣庄市", "city", province)
    szq = make_region("370402", "市中区", "county", city)
    xc = make_region("370403", "薛城区", "county", city)
    town = make_region("370402001000", "中心街街道", "town", szq)
    units = SimpleNamespace(
        szq_sfj=Unit.objects.create(
            region=szq, code="370402-sfj", name="市中区司法局", short_name="区司法局"
        ),
        szq_scjg=Unit.objects.create(
            region=szq, code="370402-scjg", name="市中区市场监督管理局", short_name="区市场监管局"
        ),
        szq_town=Unit.objects.create(
            region=town,
            code="370402001-zxj",
            name="中心街街道办事处",
            short_name="中心街街道",
            kind="town",
        ),
        xc_sfj=Unit.objects.create(
            region=xc, code="370403-sfj", name="薛城区司法局", short_name="区司法局"
        ),
    )
    return SimpleNamespace(province=province, city=city, szq=szq, xc=xc, town=town, units=units)


@pytest.fixture
def people(tree):
    """One persona per role, named after where they sit."""
    u = tree.units
    return SimpleNamespace(
        admin=make_user("admin", "admin", region=tree.province),
        city_lead=make_user("city_lead", "lead_admin", region=tree.city),
        szq_lead=make_user("szq_lead", "lead_admin", unit=u.szq_sfj),
        xc_lead=make_user("xc_lead", "lead_admin", unit=u.xc_sfj),
        szq_liaison=make_user("szq_liaison", "liaison", unit=u.szq_sfj),
        scjg_liaison=make_user("scjg_liaison", "liaison", unit=u.szq_scjg),
        xc_liaison=make_user("xc_liaison", "liaison", unit=u.xc_sfj),
        szq_reviewer=make_user("szq_reviewer", "reviewer", unit=u.szq_sfj),
        szq_leader=make_user("szq_leader", "leader", region=tree.szq),
        city_inspector=make_user("city_inspector", "inspector", region=tree.city),
        nobody=make_user("nobody", region=tree.szq),
    )


@pytest.fixture
def login(client):
    """Log a persona in on the test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
