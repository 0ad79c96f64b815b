"""One synthetic campaign: its stages, items (indicators and refined items), the units given
each (两张清单), item states, and its materials with versions, blobs and search words; all made
as the services would leave them (`campaign_create`, `item_refine`, `evidence_upload` followed by
text extraction, `item_submit`), but inserted in bulk."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from fazhi.campaigns.models import (
    STAGE_ORDER,
    Assignment,
    AssignmentRole,
    Campaign,
    Item,
    ItemStatus,
    Stage,
    StageKind,
)
from fazhi.campaigns.services import _combined_status
from fazhi.evidence.models import Blob, Evidence, EvidenceVersion, ExtractStatus, SearchDocument
from fazhi.evidence.search import campaign_word
from fazhi.evidence.storage import blob_name
from fazhi.frameworks.models import Framework, Node
from fazhi.orgs.models import UnitKind
from fazhi.synthetic.ids import Ids
from fazhi.synthetic.orgs import Place
from fazhi.synthetic.reviews import plan_reviews
from fazhi.synthetic.text import (
    DOC_KINDS,
    PHOTO_SUFFIXES,
    REFINEMENTS,
    SHEET_SUFFIXES,
    TOPICS,
    BodyPool,
    Words,
    chinese_date,
)

BATCH = 2000
LEAF_STATES = [
    (ItemStatus.APPROVED, 30),
    (ItemStatus.SUBMITTED, 22),
    (ItemStatus.RETURNED, 10),
    (ItemStatus.IN_PROGRESS, 28),
    (ItemStatus.NOT_STARTED, 10),
]
# (extension, blob kind, share): what units upload, by the seeds' accounts.
FILE_KINDS = [
    ("pdf", "pdf", 38),
    ("docx", "docx", 27),
    ("doc", "doc", 5),
    ("ofd", "ofd", 4),
    ("xlsx", "xlsx", 12),
    ("jpg", "image", 14),
]
DEADLINE_OFFSETS = [-75, -40, -20, -6, 10, 25, 45, 75]  # days from today: some are overdue
DUPLICATE_SHARE = 0.03  # the same file uploaded again (what the duplicate check is for)
REPLACED_SHARE = 0.04  # materials whose file was replaced once
DELETED_SHARE = 0.01


@dataclass
class Leaf:
    item: Item
    units: list  # [(unit, role)], lead first
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Built:
    campaign: Campaign
    items: list[Item]
    indicators: list[Item]  # the framework's indicators (scored)
    leaves: list[Leaf]
    counts: Counter


@dataclass
class Context:
    """What every campaign of one run shares."""

    seed: int
    framework: Framework
    nodes: list[Node]  # the framework's indicators, in order
    ids: Ids
    words: Words
    bodies: BodyPool
    now: datetime
    areas: list[Node]  # the framework's areas (一级指标)
    experts: list  # who gives the province's written scores
    files: bool = False
    blob_count: int = 0
    stored: dict = field(default_factory=dict)  # sha256 → blob, when files are written
    inserted: set = field(default_factory=set)  # ids of the blobs already inserted


def load_indicators(framework: Framework) -> list[Node]:
    parents = Node.objects.filter(framework=framework, parent__isnull=False).values("parent_id")
    return list(
        Node.objects.filter(framework=framework).exclude(pk__in=parents).order_by("sort_key")
    )


def build_campaign(ctx: Context, place: Place, *, items_target: int, materials: int) -> Built:
    rng = random.Random(f"{ctx.seed}:{place.region.code}")
    today = ctx.now.date()
    campaign = Campaign.objects.create(
        name=f"{place.full_name}创建全国法治政府建设示范{'区' if place.prefix == '区' else place.prefix}",
        level="national",
        region=place.region,
        framework=ctx.framework,
        description="基准测试用合成数据（fazhi bench seed）。",
        period_start=date(today.year - 2, 1, 1),
        period_end=date(today.year, 12, 31),
        created_by=place.lead,
    )
    Stage.objects.bulk_create(
        Stage(
            campaign=campaign,
            kind=kind,
            position=STAGE_ORDER[kind],
            starts_on=today + timedelta(days=60 * (STAGE_ORDER[kind] - 2)),
            ends_on=today + timedelta(days=60 * (STAGE_ORDER[kind] - 1) - 1),
        )
        for kind in StageKind.values
    )
    counts = Counter(campaigns=1, stages=len(StageKind.values))
    items, indicators, leaves, assignments = _items(ctx, rng, campaign, place, items_target)
    rows = _materials(ctx, rng, place, leaves, materials)
    _states(ctx, rng, items, leaves)
    built = Built(campaign, items, indicators, leaves, counts)
    review_rows = plan_reviews(ctx, rng, place, built)  # sets return reasons on the items
    Item.objects.bulk_create(items, batch_size=BATCH)
    Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    counts.update(items=len(items), assignments=len(assignments))
    for model, objects in (*rows, *review_rows):
        model.objects.bulk_create(objects, batch_size=BATCH)
        counts[model._meta.model_name] += len(objects)
    return built


# -- items -----------------------------------------------------------------------------------


def _items(ctx: Context, rng, campaign: Campaign, place: Place, items_target: int):
    today = ctx.now.date()
    items, indicators, leaves, assignments = [], [], [], []
    refine = _refinements(rng, len(ctx.nodes), items_target)
    for position, node in enumerate(ctx.nodes):
        units = _units_for(rng, place, node)
        deadline = today + timedelta(days=rng.choice(DEADLINE_OFFSETS))
        indicator = Item(
            pk=ctx.ids.take(Item),
            campaign=campaign,
            node=node,
            code=node.code,
            sort_key=node.sort_key,
            title=node.title,
            points=node.points,
            scoring_rules=node.scoring_rules,
            required_evidence=node.required_evidence,
            deadline=deadline,
        )
        items.append(indicator)
        indicators.append(indicator)
        children = refine.get(position, 0)
        titles = rng.sample(REFINEMENTS, children)
        for number, title in enumerate(titles, start=1):
            child = Item(
                pk=ctx.ids.take(Item),
                campaign=campaign,
                node=node,
                parent=indicator,
                code=f"{node.code}.{number}",
                sort_key=f"{node.sort_key}.{number:04d}",
                title=title,
                is_refined=True,
                deadline=deadline,
            )
            items.append(child)
            leaves.append(Leaf(child, units))
        if not children:
            leaves.append(Leaf(indicator, units))
        for item in [indicator, *items[len(items) - children :]]:
            assignments.extend(
                Assignment(pk=ctx.ids.take(Assignment), item=item, unit=unit, role=role)
                for unit, role in units
            )
    return items, indicators, leaves, assignments


def _refinements(rng, indicators: int, items_target: int) -> dict[int, int]:
    """Which indicators are refined, into how many items, to reach about `items_target`."""
    wanted = max(0, items_target - indicators)
    refined: dict[int, int] = {}
    for position in rng.sample(range(indicators), indicators):
        if wanted <= 1:
            break
        children = min(rng.choice((2, 3, 3, 4)), max(wanted, 2))
        refined[position] = children
        wanted -= children
    return refined


def _units_for(rng, place: Place, node: Node) -> list:
    """The lead and responsible units the framework table names, found by their short names
    (区司法局 is 县司法局 in a county), as `campaign_create`'s matcher would; groups (各镇街,
    各行政执法部门) become a few of their members."""
    chosen: dict = {}

    def add(name: str, role: str) -> None:
        if name in ("各镇街",):
            group = [u for u in place.units if u.kind == UnitKind.TOWN]
        elif name in ("各行政执法部门", "区政府各部门"):
            group = [u for u in place.units if u.kind == UnitKind.DEPARTMENT]
        else:
            unit = place.by_short.get(name.replace("区", place.prefix)[1:])
            if unit is not None:
                chosen.setdefault(unit, role)
            return
        for unit in rng.sample(group, min(len(group), rng.randint(2, 4))):
            chosen.setdefault(unit, AssignmentRole.RESPONSIBLE)

    add(node.lead_unit or "", AssignmentRole.LEAD)
    if AssignmentRole.LEAD not in chosen.values():
        departments = [u for u in place.units if u.kind == UnitKind.DEPARTMENT]
        chosen[rng.choice(departments)] = AssignmentRole.LEAD
    for name in node.responsible_units or []:
        add(name, AssignmentRole.RESPONSIBLE)
    return sorted(chosen.items(), key=lambda pair: pair[1] != AssignmentRole.LEAD)


# -- materials -------------------------------------------------------------------------------


def _materials(ctx: Context, rng, place: Place, leaves, materials: int) -> list:
    """Pick each leaf's state and give the leaves that units work on their materials."""
    for leaf in leaves:
        leaf.item.status = _pick(rng, LEAF_STATES)
    working = [leaf for leaf in leaves if leaf.item.status != ItemStatus.NOT_STARTED]
    weights = [rng.lognormvariate(0, 0.8) for _ in working]
    per_leaf = Counter({id(leaf): 1 for leaf in working})
    extra = max(0, materials - len(working))
    per_leaf.update(id(leaf) for leaf in rng.choices(working, weights, k=extra))
    bodies = ctx.bodies.bodies(place.prefix)
    blobs, evidence, versions, documents = [], [], [], []
    made: list[Blob] = []  # earlier blobs, for duplicates

    def keep(blob: Blob) -> None:
        if blob.pk not in ctx.inserted:  # with files, identical content is one blob
            ctx.inserted.add(blob.pk)
            blobs.append(blob)

    for leaf in working:
        for number in range(per_leaf[id(leaf)]):
            unit, _role = leaf.units[0] if rng.random() < 0.6 else rng.choice(leaf.units)
            liaison = place.liaisons[unit.pk]
            material = _material(ctx, rng, place, unit, leaf.item, bodies)
            if made and rng.random() < DUPLICATE_SHARE:
                blob = rng.choice(made)
            else:
                blob = material.blob(ctx)
                keep(blob)
                made.append(blob)
            row = Evidence(
                pk=ctx.ids.take(Evidence),
                item=leaf.item,
                unit=unit,
                title=material.title,
                doc_number=material.doc_number,
                issued_on=material.issued_on,
                metadata_from_text=material.guessed,
                uploaded_by=liaison,
            )
            history = []
            if rng.random() < REPLACED_SHARE:
                old = _material(ctx, rng, place, unit, leaf.item, bodies).blob(ctx)
                keep(old)
                history.append(old)
            history.append(blob)
            for version_number, version_blob in enumerate(history, start=1):
                version = EvidenceVersion(
                    pk=ctx.ids.take(EvidenceVersion),
                    evidence=row,
                    number=version_number,
                    blob=version_blob,
                    original_name=material.original_name,
                    uploaded_by=liaison,
                )
                versions.append(version)
            row.current, row.kind = version, blob.kind
            if number > 0 and rng.random() < DELETED_SHARE:
                row.deleted_at, row.deleted_by = ctx.now, liaison
            else:
                leaf.evidence.append(row)
            evidence.append(row)
            documents.append(
                SearchDocument(
                    evidence=row,
                    words=campaign_word(leaf.item.campaign_id)
                    + " "
                    + ctx.words.joined(row.title, row.doc_number, "", leaf.item.code, *blob.pieces),
                )
            )
    if ctx.files:
        for blob in blobs:
            default_storage.save(blob.storage_name, ContentFile(blob.content))
    return [
        (Blob, blobs),
        (Evidence, evidence),
        (EvidenceVersion, versions),
        (SearchDocument, documents),
    ]


def _pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


class Material:
    """One generated file: its title, number, date and text, and the blob that stores it."""

    __slots__ = ("title", "doc_number", "issued_on", "guessed", "original_name", "kind", "pieces")

    def blob(self, ctx: Context) -> Blob:
        text = "\n".join(self.pieces)
        ctx.blob_count += 1
        if ctx.files:
            # Plain text under the material's extension, or a placeholder for a photo: small,
            # real, content-addressed files that downloads and archives can read.
            content = text.encode() or f"照片占位 {self.title} {ctx.blob_count}".encode()
            sha256, size = hashlib.sha256(content).hexdigest(), len(content)
            if sha256 in ctx.stored:
                return ctx.stored[sha256]
        else:
            # No file is written: a made-up but unique hash, and a size like the real files'.
            content = b""
            sha256 = hashlib.sha256(f"fazhi-bench:{ctx.seed}:{ctx.blob_count}".encode()).hexdigest()
            size = (len(text) or 1000) * (40 if self.kind != "image" else 3000)
        blob = Blob(
            pk=ctx.ids.take(Blob),
            sha256=sha256,
            size=size,
            storage_name=blob_name(sha256),
            kind=self.kind,
            extract_status=ExtractStatus.DONE if text else ExtractStatus.EMPTY,
            text=text,
            page_count=None if self.kind == "image" else max(1, len(text) // 400 + 1),
            extracted_at=ctx.now,
        )
        blob.pieces = self.pieces
        blob.content = content
        if ctx.files:
            ctx.stored[sha256] = blob
        return blob


def _material(ctx: Context, rng, place: Place, unit, item: Item, bodies: list[str]) -> Material:
    material = Material()
    today = ctx.now.date()
    issued = today - timedelta(days=rng.randint(20, 700))
    topic = rng.choice(TOPICS)
    extension, kind = _pick(rng, [((e, k), share) for e, k, share in FILE_KINDS])
    issuer = unit.name
    doc_number = ""
    if kind == "image":
        title = f"{unit.short_name}{topic}{rng.choice(PHOTO_SUFFIXES)}（{rng.randint(1, 12)}）"
        material.pieces = ()
        guessed = []
    elif kind == "xlsx":
        title = f"{place.full_name}{issued.year}年{topic}{rng.choice(SHEET_SUFFIXES)}"
        material.pieces = (title, rng.choice(bodies), chinese_date(issued))
        guessed = ["issued_on"]
    else:
        shape = rng.random()
        if shape < 0.55:
            word = place.doc_words[unit.pk]
            doc_number = f"{place.abbr}{word}发〔{issued.year}〕{rng.randint(1, 80)}号"
            title = f"关于印发《{place.full_name}{topic}{rng.choice(DOC_KINDS)}》的通知"
            guessed = ["doc_number", "issued_on"]
        elif shape < 0.8:
            title = f"{unit.short_name}{issued.year}年度{topic}工作总结"
            guessed = ["issued_on"]
        else:
            title = f"关于{place.full_name}{topic}工作情况的报告"
            guessed = ["issued_on"]
        material.pieces = tuple(
            piece for piece in (issuer, doc_number, title, rng.choice(bodies), issuer) if piece
        ) + (chinese_date(issued),)
    material.title = title
    material.doc_number = doc_number
    material.issued_on = issued if guessed else None
    material.guessed = guessed
    material.original_name = f"{title}.{extension}"
    material.kind = kind
    return material


# -- states ----------------------------------------------------------------------------------


def _states(ctx: Context, rng, items: list[Item], leaves: list[Leaf]) -> None:
    """Counts and dates as the services leave them; a refined indicator takes its state from
    its refined items (`refresh_item_status`)."""
    for leaf in leaves:
        item = leaf.item
        item.evidence_count = len(leaf.evidence)
        if item.status in (ItemStatus.SUBMITTED, ItemStatus.RETURNED, ItemStatus.APPROVED):
            item.submitted_at = ctx.now - timedelta(
                days=rng.randint(3, 40), minutes=rng.randint(0, 600)
            )
            item.status_changed_at = item.submitted_at + timedelta(days=rng.randint(0, 2))
    children: dict[int, list[Item]] = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)
    for item in items:
        kids = children.get(item.pk)
        if kids:
            item.evidence_count = sum(kid.evidence_count for kid in kids)
            item.status = _combined_status([kid.status for kid in kids])
