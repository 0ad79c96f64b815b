"""Shared fixtures: a small org tree and one named persona per role, plus the outsiders who
must be refused (a liaison of another unit, the lead office of another county)."""

import os
import uuid
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from fazhi.accounts.models import Role, User
from fazhi.orgs.models import Region, Unit

# The `page` fixture: a real browser for the journeys that need one.
pytest_plugins = ["fazhi.core.tests.browser"]

PASSWORD = "Fazhi@2026test"


@pytest.fixture(autouse=True)
def files_in_tmp(settings, tmp_path):
    """Each test stores its files apart: in its own folder on local disk, or, when the run is
    given object storage (FAZHI_S3_BUCKET, as scripts/run_tests.py does for its PostgreSQL
    pass), under its own key prefix in that bucket."""
    if os.environ.get("FAZHI_S3_BUCKET"):
        options = {**settings.STORAGES["default"]["OPTIONS"], "location": f"t/{uuid.uuid4().hex}"}
        default = {**settings.STORAGES["default"], "OPTIONS": options}
    else:
        default = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "files"},
        }
    settings.STORAGES = {**settings.STORAGES, "default": default}


def stored_names(folder: str) -> list[str]:
    """Every file stored under `folder`, relative to it, whichever storage holds them."""
    from django.core.files.storage import default_storage

    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # local disk: nothing was ever stored there
        return []
    names = list(files)
    for sub in folders:
        names += [f"{sub}/{name}" for name in stored_names(f"{folder}/{sub}")]
    return sorted(names)


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


@pytest.fixture(autouse=True)
def ocr_only_where_tested(request, settings):
    """Tesseract reads about a page a second, and the suite's small PDFs ("a page 1") look like
    scans to the extractor: OCR is off except in the tests marked `ocr`, which are about it."""
    if request.node.get_closest_marker("ocr") is None:
        settings.FAZHI_OCR_MAX_PAGES = 0


@pytest.fixture
def annual_reports_filed(tree):
    """Every government's and unit's 2024 annual report registered as submitted and published:
    tests dated in 2025's first months then meet only the reminders they are about, not the
    annual report's deadline chain (reported up by 1月31日, departments by 3月1日, published by
    4月1日), which has tests of its own."""
    from fazhi.monitoring.models import AnnualReport

    done = {
        "submitted_on": date(2025, 1, 20),
        "secrecy_reviewed_on": date(2025, 3, 10),
        "published_on": date(2025, 3, 20),
        "published_url": "https://www.example.gov.cn/2024ndbg",
    }
    AnnualReport.objects.bulk_create(
        [
            AnnualReport(region=region, unit=None, year=2024, **done)
            for region in Region.objects.all()
        ]
        + [
            AnnualReport(region_id=u.region_id, unit=u, year=2024, **done)
            for u in Unit.objects.all()
        ]
    )


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
def bearer():
    """The API header of a fresh token of a persona."""
    from fazhi.accounts.services import api_token_create

    def _bearer(user):
        _, key = api_token_create(acting_user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return _bearer


@pytest.fixture
def login(client):
    """Log a persona in on the test client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


def campaign_rows() -> list[dict]:
    """A framework of 2 areas, 2 groups and 4 indicators whose unit columns are written the
    way tables write them: short names, a group value, a name that matches nothing."""

    def node(code, title, level, parent=None, points=None, **extra):
        return {
            "code": code,
            "number": code.rsplit(".", 1)[-1],
            "title": title,
            "level": level,
            "parent_code": parent,
            "points": Decimal(points) if points is not None else None,
            **extra,
        }

    return [
        node("1", "依法全面履行政府职能", 1, points=20),
        node("1.1", "推进政府机构职能优化", 2, "1", points=20),
        node(
            "1.1.1",
            "行政复议案件依法办理",
            3,
            "1.1",
            10,
            lead_unit="区司法局",
            responsible_units=["区市场监管局"],
            deadline="2025年6月底前",
            required_evidence="复议决定书、工作报告",
        ),
        node(
            "1.1.2",
            "行政执法公示制度全面推行",
            3,
            "1.1",
            10,
            lead_unit="区市场监管局",
            responsible_units=["各镇街"],
            deadline="长期坚持",
        ),
        node("2", "健全依法行政制度体系", 1, points=20),
        node("2.1", "加强规范性文件监督管理", 2, "2", points=20),
        node(
            "2.1.3",
            "规范性文件合法性审查",
            3,
            "2.1",
            12,
            lead_unit="区司法局",
            responsible_units=["区气象局"],
        ),
        node("2.1.4", "备案审查", 3, "2.1", 8, lead_unit="区司法局"),
    ]


@pytest.fixture
def campaign(tree, people):
    """市中区's campaign on the small framework, created by its lead office."""
    from fazhi.accounts.system import SYSTEM
    from fazhi.campaigns.services import campaign_create
    from fazhi.frameworks.services import framework_create

    framework = framework_create(
        acting_user=SYSTEM, name="测试指标体系", edition="2025", rows=campaign_rows()
    )
    return campaign_create(
        acting_user=people.szq_lead,
        framework=framework,
        region=tree.szq,
        name="市中区创建全国法治政府建设示范区",
        period_start=date(2023, 1, 1),
        period_end=date(2025, 12, 31),
    )
