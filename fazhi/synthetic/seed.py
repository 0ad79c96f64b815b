"""`seed()`: a synthetic province for benchmarks, inserted in bulk.

Scales (from the issue): a province has 16 cities and 136 counties; each of these 152 regions
runs one campaign of about 240 items and 3,000 materials.
- county: the province, one city and one county; one campaign (the county's).
- city: the province, one city and its 9 counties; ten campaigns (the city's and its counties').
- province: 16 cities and 136 counties; 152 campaigns, some 456,000 materials.

Each campaign is one transaction. Without `files`, blobs have made-up unique hashes and no
stored file (lists, search and dashboards work; downloads of seeded materials do not); with
`files`, each blob's text is stored as a small real file, content-addressed as uploads are.
Everything is determined by `seed`. See fazhi/synthetic/orgs.py for the usernames."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from fazhi.campaigns.models import Assignment, Item
from fazhi.evidence.models import Blob, Evidence, EvidenceVersion
from fazhi.fieldwork.models import Applicant, Evaluation, Evaluator
from fazhi.frameworks.demo import load_demo_framework
from fazhi.frameworks.models import Node
from fazhi.orgs.models import Region
from fazhi.reviews.models import (
    Assessment,
    CampaignGrant,
    Comment,
    Deduction,
    GrantPurpose,
    Review,
    Round,
    RoundReviewer,
)
from fazhi.synthetic.campaigns import Context, build_campaign, load_indicators
from fazhi.synthetic.cleanup import delete_province, seeded_tables
from fazhi.synthetic.ids import Ids
from fazhi.synthetic.orgs import PASSWORD, build_province
from fazhi.synthetic.places import PROVINCE_CODE
from fazhi.synthetic.text import BodyPool, Words

ITEMS_PER_CAMPAIGN = 240
MATERIALS_PER_CAMPAIGN = 3000
BODY_POOL = 600
SQLITE_CACHE_KIB = -512 * 1024  # negative: KiB, i.e. 512 MB
SCALES = {
    "county": [1],
    "city": [9],
    "province": [9] * 8 + [8] * 8,  # 136 counties in 16 cities
}
ID_MODELS = (
    Item,
    Assignment,
    Blob,
    Evidence,
    EvidenceVersion,
    Round,
    RoundReviewer,
    Review,
    Comment,
    Assessment,
    Deduction,
)


class AlreadySeeded(Exception):
    """The database already holds a synthetic province."""


@dataclass
class SeedSummary:
    scale: str
    seed: int
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    deleted: int = 0


@contextmanager
def large_cache() -> Iterator[None]:
    """SQLite, for this connection and this run only: a page cache of 512 MB instead of 2 MB
    (the province is 2 GB of pages and indexes), and no fsync at the checkpoints after each
    campaign's commit. A crash of the machine mid-seed may then lose the last campaigns; the
    seed is a benchmark tool, run again with --replace."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        previous = {}
        pragmas = {"cache_size": SQLITE_CACHE_KIB}
        if not connection.in_atomic_block:  # SQLite keeps the safety level within one
            pragmas["synchronous"] = 0
        for pragma, value in pragmas.items():
            cursor.execute(f"PRAGMA {pragma}")
            previous[pragma] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {pragma} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for pragma, value in previous.items():
                cursor.execute(f"PRAGMA {pragma} = {value}")


def province_exists() -> bool:
    return Region.objects.filter(code=PROVINCE_CODE).exists()


def seed(
    scale: str,
    *,
    files: bool = False,
    seed: int = 2026,
    replace: bool = False,
    progress: Callable[[str], None] = print,
    materials_per_campaign: int = MATERIALS_PER_CAMPAIGN,
    items_per_campaign: int = ITEMS_PER_CAMPAIGN,
) -> SeedSummary:
    """Seed the synthetic province at `scale`. The two last arguments make smaller campaigns
    for tests; benchmarks keep the issue's sizes."""
    if scale not in SCALES:
        raise ValueError(f"未知的规模 {scale!r}，可选：{'、'.join(SCALES)}")
    with large_cache():
        return _seed(
            scale, files, seed, replace, progress, materials_per_campaign, items_per_campaign
        )


def _seed(scale, files, seed, replace, progress, materials_per_campaign, items_per_campaign):
    started = time.monotonic()
    summary = SeedSummary(scale, seed)
    if province_exists():
        if not replace:
            raise AlreadySeeded(PROVINCE_CODE)
        with transaction.atomic():
            summary.deleted = delete_province(f"{PROVINCE_CODE}/")
        progress(f"已删除上一次的合成数据：{summary.deleted} 行。")
    rng = random.Random(f"{seed}:province")
    framework = load_demo_framework()
    with transaction.atomic():
        province = build_province(rng, SCALES[scale], make_password(PASSWORD))
    summary.counts.update(
        regions=1 + len(province.places),
        units=sum(len(p.units) for p in province.places),
        users=province.users,
    )
    words = Words()
    ctx = Context(
        seed=seed,
        framework=framework,
        nodes=load_indicators(framework),
        ids=Ids(*ID_MODELS),
        words=words,
        bodies=BodyPool(seed, BODY_POOL, words),
        now=timezone.now(),
        areas=list(Node.objects.filter(framework=framework, parent__isnull=True)),
        experts=province.experts,
        files=files,
    )
    # The county scale seeds the county's campaign only; the others every region's.
    places = province.places[1:] if scale == "county" else province.places
    campaigns = []
    for number, place in enumerate(places, start=1):
        with transaction.atomic():
            built = build_campaign(
                ctx, place, items_target=items_per_campaign, materials=materials_per_campaign
            )
            ctx.ids.reset_sequences()
        campaigns.append(built.campaign)
        summary.counts.update(built.counts)
        progress(
            f"[{number}/{len(places)}] {built.campaign.name}：{built.counts['items']} 个任务项，"
            f"{built.counts['evidence']} 份材料（{time.monotonic() - started:.0f} 秒）"
        )
    with transaction.atomic():
        summary.counts.update(_evaluation(rng, province, campaigns, ctx.now))
    analyse()
    summary.seconds = time.monotonic() - started
    return summary


def analyse() -> None:
    """PostgreSQL plans each query by its statistics of the tables, which a bulk insert leaves
    behind: a table last analysed while empty is taken for one row whatever it holds, and joins
    over it become nested scans polynomial in the rows. The seeded tables are analysed once
    they are filled, so that the pages, benchmarks and tests that follow are planned on what
    is there."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, seeded_tables()))}")


def _evaluation(rng, province, campaigns, now) -> Counter:
    """The province's evaluation of every seeded campaign, its experts taken on (and granted
    each campaign, as `applicants_add` does), field and survey scores for most applicants."""
    evaluation = Evaluation.objects.create(
        region=province.region,
        name=f"{province.region.name}{now.year}年度法治政府建设示范创建评估（合成）",
        created_by=province.lead,
    )
    Evaluator.objects.bulk_create(
        Evaluator(evaluation=evaluation, user=expert, granted_by=province.lead)
        for expert in province.experts
    )
    applicants = []
    for campaign in campaigns:
        scored = rng.random() < 0.7
        applicants.append(
            Applicant(
                evaluation=evaluation,
                campaign=campaign,
                field_score=Decimal(rng.randint(7000, 9800)) / 100 if scored else None,
                survey_score=Decimal(rng.randint(8500, 9900)) / 100 if scored else None,
                updated_by=province.lead if scored else None,
                updated_at=now - timedelta(days=rng.randint(1, 30)) if scored else None,
            )
        )
    Applicant.objects.bulk_create(applicants)
    grants = [
        CampaignGrant(
            campaign=campaign,
            user=expert,
            purpose=GrantPurpose.EVALUATION,
            granted_by=province.lead,
        )
        for campaign in campaigns
        for expert in province.experts
    ]
    CampaignGrant.objects.bulk_create(grants, batch_size=2000)
    return Counter(
        evaluations=1,
        applicants=len(applicants),
        evaluators=len(province.experts),
        grants=len(grants),
    )
