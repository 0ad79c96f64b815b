"""The demo campaign: 市中区's creation effort on the illustrative framework, set up five months
ago. The lead office refined a few indicators, gave every item a deadline and collected
materials from the units on about two items in three; a first review round ran and closed, a
second one is open today (reviews.demo tells that part). Some items are overdue, some due within days, most
due later, all counted from the day the demo is loaded.

What becomes of each item (its `Fate`) is planned here once, from the items alone, so that the
reviews' story and a later run that moves the deadlines to a new day find the same plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from fazhi.accounts.models import User
from fazhi.accounts.system import SYSTEM
from fazhi.campaigns import services
from fazhi.campaigns.models import AssignmentRole, Campaign, Item, StageKind
from fazhi.core.demo import Calendar, happening_at, rng
from fazhi.evidence import demo as files
from fazhi.frameworks.models import Framework
from fazhi.frameworks.selectors import framework_rows
from fazhi.frameworks.services import framework_create
from fazhi.orgs.models import Region, Unit
from fazhi.synthetic.text import REFINEMENTS, chinese_date

DEMO_NAME = "市中区创建全国法治政府建设示范区（演示）"
REGION = "370402"
LEAD_OFFICE = "szq_admin"
CREATED = -150  # days before the demo is loaded
# Indicators the lead office refined (细化分解), by lead unit: the n-th indicator it leads.
REFINED = [("区司法局", 1, REFINEMENTS[:2]), ("区政府办", 0, REFINEMENTS[:3])]
REFINED += [("区市场监管局", 0, REFINEMENTS[:3]), ("区应急局", 0, REFINEMENTS[:3])]


class Fate(StrEnum):
    """Where an item's story goes; the review rounds are reviews.demo's."""

    PASSED_FIRST = "passed_first"  # submitted before round 1, passed in it
    ANSWERED_PASSED = "answered_passed"  # returned in round 1, answered, passed in round 2
    ANSWERED_WAITING = "answered_waiting"  # returned in round 1, answered, waiting in round 2
    RETURNED_AGAIN = "returned_again"  # returned in round 1, answered, returned in round 2
    RETURNED_OPEN = "returned_open"  # returned in round 1, not answered yet
    PASSED_SECOND = "passed_second"  # first submitted in round 2, passed
    RETURNED_SECOND = "returned_second"  # first submitted in round 2, returned
    WAITING = "waiting"  # submitted in round 2, waiting for the reviewer
    IN_PROGRESS = "in_progress"  # materials coming in, not submitted
    NOT_STARTED = "not_started"  # nothing yet


FIRST_ROUND = {Fate.PASSED_FIRST, Fate.ANSWERED_PASSED, Fate.ANSWERED_WAITING}
FIRST_ROUND |= {Fate.RETURNED_AGAIN, Fate.RETURNED_OPEN}
RETURNED_FIRST = FIRST_ROUND - {Fate.PASSED_FIRST}
ANSWERED = {Fate.ANSWERED_PASSED, Fate.ANSWERED_WAITING, Fate.RETURNED_AGAIN}
SECOND_ROUND = {Fate.PASSED_SECOND, Fate.RETURNED_SECOND, Fate.WAITING}
# How many items meet each fate (the rest are not started), and their deadlines in days from
# today, in turn; None draws a date 2 weeks to 4 months ahead. Only items not approved count
# as overdue or due soon: a handful of each.
FATES: dict[Fate, tuple[int, list[int | None]]] = {
    Fate.PASSED_FIRST: (26, [-70, -62, -55, -48, -41, -34]),
    Fate.ANSWERED_PASSED: (4, [-35, -28, -21, -14]),
    Fate.ANSWERED_WAITING: (3, [6, 12, 20]),
    Fate.RETURNED_AGAIN: (1, [2]),
    Fate.RETURNED_OPEN: (3, [-3, 1, 10]),
    Fate.PASSED_SECOND: (8, [-5, 0, 5, 9, 14, 21, 30, 45]),
    Fate.RETURNED_SECOND: (2, [7, 15]),
    Fate.WAITING: (9, [3, 8, 10, 15, 18, 25, 30, 40, 60]),
    Fate.IN_PROGRESS: (18, [-12, -5, -1, 0, 2, 3, None]),
    Fate.NOT_STARTED: (0, [-8, 1, None]),
}
# When the item's first materials came in, in days from today.
UPLOADED = {Fate.IN_PROGRESS: (-60, -1)}
UPLOADED |= dict.fromkeys(FIRST_ROUND, (-115, -60))
UPLOADED |= dict.fromkeys(SECOND_ROUND, (-40, -12))


@dataclass
class Leaf:
    """One item units upload to, and what the demo does with it."""

    item: Item
    fate: Fate
    deadline: date
    lead: Unit | None  # None only for an item nobody was given (it stays not started)
    responsible: list[Unit] = field(default_factory=list)
    pieces: list[str] = field(default_factory=list)  # what its evidence requirement asks for
    special: bool = False  # carries one of `special_materials`


@dataclass
class Plan:
    campaign: Campaign
    cal: Calendar
    leaves: list[Leaf]
    liaisons: dict[int, User]  # unit id → the demo liaison of that unit
    lead_office: User

    def with_fate(self, *fates: Fate) -> list[Leaf]:
        return [leaf for leaf in self.leaves if leaf.fate in fates]

    def uploader(self, unit: Unit) -> tuple[User, Unit | None]:
        """A unit's liaison uploads for it; for units without a demo account the lead office
        uploads what the unit sent in (as offices do with materials handed over on a stick)."""
        liaison = self.liaisons.get(unit.pk)
        return (liaison, None) if liaison else (self.lead_office, unit)

    def submitter(self, leaf: Leaf) -> User:
        return self.liaisons.get(leaf.lead.pk) or self.lead_office


# -- the period ------------------------------------------------------------------------------


def demo_period(cal: Calendar) -> tuple[date, date]:
    """The evaluation period: from the start of the year two years back to the end of the year
    in which the naming stage ends."""
    return date(cal.today.year - 2, 1, 1), date(cal.day(200).year, 12, 31)


def demo_stages(cal: Calendar, period_end: date) -> dict[str, tuple[date, date]]:
    """Preparation is over, the self-check (自查) runs today, filing follows in three weeks."""
    start, _ = demo_period(cal)
    return {
        StageKind.PREPARE: (start, cal.day(-151)),
        StageKind.SELF_CHECK: (cal.day(-150), cal.day(20)),
        StageKind.FILING: (cal.day(21), cal.day(60)),
        StageKind.EVALUATION: (cal.day(61), cal.day(150)),
        StageKind.NAMING: (cal.day(151), period_end),
    }


def set_period(campaign: Campaign, cal: Calendar, *, acting_user, stages=None) -> None:
    """Period and stage dates counted from today (`stages` by `demo_stages` unless given);
    nothing is written when they already are."""
    start, end = demo_period(cal)
    stages = stages or demo_stages(cal, end)
    current = {stage.kind: (stage.starts_on, stage.ends_on) for stage in campaign.stages.all()}
    if (campaign.period_start, campaign.period_end) == (start, end) and current == stages:
        return
    services.campaign_update(
        acting_user=acting_user,
        campaign=campaign,
        name=campaign.name,
        level=campaign.level,
        period_start=start,
        period_end=end,
        description=campaign.description,
        stage_dates=stages,
    )


def set_deadlines(campaign: Campaign, wanted: dict[int, date], *, acting_user) -> int:
    """Give items (by id) their planned deadlines, one bulk assignment per date, and the
    indicators above refined items the last of their children's. Returns how many changed."""
    for parent_id, deadline in _parent_deadlines(campaign, wanted).items():
        wanted.setdefault(parent_id, deadline)
    by_date: dict[date, list[Item]] = defaultdict(list)
    for item in campaign.items.filter(pk__in=wanted):
        if item.deadline != wanted[item.pk]:
            by_date[wanted[item.pk]].append(item)
    for deadline, items in sorted(by_date.items()):
        services.items_assign(
            acting_user=acting_user, campaign=campaign, items=items, deadline=deadline
        )
    return sum(len(items) for items in by_date.values())


def _parent_deadlines(campaign: Campaign, wanted: dict[int, date]) -> dict[int, date]:
    latest: dict[int, date] = {}
    for pk, parent_id in campaign.items.filter(parent__isnull=False).values_list("pk", "parent"):
        if pk in wanted:
            latest[parent_id] = max(latest.get(parent_id, wanted[pk]), wanted[pk])
    return latest


# -- the plan --------------------------------------------------------------------------------


def demo_plan(campaign: Campaign, cal: Calendar) -> Plan:
    """Every leaf item with its fate and deadline. The same items give the same plan."""
    leaves = list(
        campaign.items.filter(children__isnull=True)
        .select_related("parent")
        .prefetch_related("assignments__unit")
        .order_by("sort_key")
    )
    units_of = {item.pk: _units(item) for item in leaves}
    liaisons = {
        user.unit_id: user
        for user in User.objects.filter(
            roles__code="liaison", unit__region__path__startswith=campaign.region.path
        ).select_related("unit")
    }
    special = {item.pk: fate for fate, item in _special_items(leaves, units_of).items()}
    fates = _fates(leaves, units_of, liaisons, special)
    plan_leaves = []
    taken: dict[Fate, int] = defaultdict(int)
    for item in leaves:
        fate = fates[item.pk]
        offsets = FATES[fate][1]
        offset = offsets[min(taken[fate], len(offsets) - 1)]
        taken[fate] += 1
        if offset is None:
            offset = rng("deadline", item.code).randint(14, 120)
        lead, responsible = units_of[item.pk]
        source = item if item.required_evidence else (item.parent or item)
        pieces = files.required_pieces(source)
        plan_leaves.append(
            Leaf(item, fate, cal.day(offset), lead, responsible, pieces, item.pk in special)
        )
    lead_office = User.objects.get(username=LEAD_OFFICE)
    return Plan(campaign, cal, plan_leaves, liaisons, lead_office)


def _units(item: Item) -> tuple[Unit | None, list[Unit]]:
    assignments = sorted(item.assignments.all(), key=lambda a: a.role != AssignmentRole.LEAD)
    units = [a.unit for a in assignments]
    return (units[0], units[1:]) if units else (None, [])


def _fates(leaves: list[Item], units_of, liaisons, special: dict[int, Fate]) -> dict[int, Fate]:
    """Returns and the items waiting for review go first to units with a demo liaison, so that
    logging in as one shows them; the rest is drawn at random, the same way every time."""
    fates = dict(special)
    draw = rng("fates")
    open_items = [item for item in leaves if item.pk not in fates and units_of[item.pk][0]]
    draw.shuffle(open_items)
    with_liaison = [item for item in open_items if units_of[item.pk][0].pk in liaisons]
    # In a fixed order (never a set's, which changes from one process to the next).
    liaison_first = [f for f in FATES if f in RETURNED_FIRST | {Fate.RETURNED_SECOND, Fate.WAITING}]
    for fate in [*liaison_first, *(f for f in FATES if f not in liaison_first)]:
        wanted = FATES[fate][0] - sum(1 for f in fates.values() if f == fate)
        pool = with_liaison if fate in liaison_first else open_items
        for item in [i for i in pool if i.pk not in fates][: max(wanted, 0)]:
            fates[item.pk] = fate
    return {item.pk: fates.get(item.pk, Fate.NOT_STARTED) for item in leaves}


def _special_items(leaves: list[Item], units_of) -> dict[Fate, Item]:
    """The 区司法局 items that carry the materials every check needs: a notice with its number
    (passed), a report from before the period (returned for it), the same notice again."""
    own = [
        item
        for item in leaves
        if units_of[item.pk][0] and units_of[item.pk][0].short_name == "区司法局"
    ]
    refined = [item for item in own if item.is_refined]
    plain = [item for item in own if not item.is_refined]
    return {
        Fate.PASSED_FIRST: plain[0],
        Fate.RETURNED_OPEN: refined[0],
        Fate.IN_PROGRESS: plain[1],
    }


# -- materials -------------------------------------------------------------------------------


def special_materials(plan: Plan) -> list[tuple[Leaf, files.DemoFile]]:
    """The notice (twice: on another item too), a yearly summary and a report dated two years
    before the period began, as the checks page should find them."""
    by_fate = {leaf.fate: leaf for leaf in plan.leaves if leaf.special}
    issued = plan.cal.day(-130)
    notice = files.docx_bytes(
        [
            "枣庄市市中区人民政府办公室",
            f"市中政办发〔{issued.year}〕15号",
            "关于印发《市中区行政复议案件办理规范》的通知",
            "各镇人民政府、街道办事处，区政府各部门：",
            "为规范行政复议案件办理，提升行政复议公信力，现将《市中区行政复议案件办理规范》"
            "印发给你们，请认真贯彻执行。",
            chinese_date(issued),
        ],
        heading_lines=3,
        red_header=True,
    )
    summary = plan.cal.day(-120).year - 1
    old = demo_period(plan.cal)[0].year - 2
    return [
        (
            by_fate[Fate.PASSED_FIRST],
            files.DemoFile("关于印发《市中区行政复议案件办理规范》的通知.docx", notice),
        ),
        (
            by_fate[Fate.PASSED_FIRST],
            _report(
                f"{summary}年度行政执法公示工作总结",
                f"市中区司法局{summary}年度行政执法公示工作总结",
                "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度，"
                "全年公示执法信息一千二百余条。",
                date(summary, 12, 20),
            ),
        ),
        (
            by_fate[Fate.RETURNED_OPEN],
            _report(
                f"{old}年规范性文件备案审查情况",
                f"市中区{old}年规范性文件备案审查情况报告",
                "全年审查规范性文件二十三件，纠正问题文件两件。",
                date(old, 12, 28),
            ),
        ),
        # The same notice again on another item: what the duplicate check is for.
        (by_fate[Fate.IN_PROGRESS], files.DemoFile("复议规范（重复上传）.docx", notice)),
    ]


def _report(name: str, heading: str, text: str, dated: date) -> files.DemoFile:
    content = files.docx_bytes([heading, text, chinese_date(dated)], heading_lines=1)
    return files.DemoFile(f"{name}.docx", content)


def upload_material(plan: Plan, leaf: Leaf, *, number: int, offset: int, serial: int) -> None:
    """The `number`-th material of the item, uploaded `offset` days from today: mostly the lead
    unit's, now and then a responsible unit's part."""
    leaf.item.refresh_from_db()  # reviews move it on through other copies of the row
    draw = rng("material", leaf.item.code, number)
    unit = leaf.lead
    if number and leaf.responsible and draw.random() < 0.3:
        unit = draw.choice(leaf.responsible)
    acting_user, for_unit = plan.uploader(unit)
    start, _ = demo_period(plan.cal)
    issued = max(plan.cal.day(offset - draw.randint(2, 40)), start)
    piece = leaf.pieces[number % len(leaf.pieces)] if leaf.pieces else leaf.item.title
    file = files.material_file(
        draw, piece=piece, item=leaf.item, unit=unit, issued_on=issued, serial=serial
    )
    with happening_at(plan.cal.moment(offset, draw.randint(8, 17), draw.randint(0, 59))):
        files.upload(acting_user=acting_user, item=leaf.item, file=file, unit=for_unit)


def upload_special_materials(plan: Plan) -> None:
    for day, (leaf, file) in enumerate(special_materials(plan), start=-100):
        with happening_at(plan.cal.moment(day, 9, 30)):
            acting_user, unit = plan.uploader(leaf.lead)
            files.upload(acting_user=acting_user, item=leaf.item, file=file, unit=unit)


def collect_demo_materials(plan: Plan) -> None:
    """The units' materials: one to three on each item they started, on days spread before
    its submission. The first part of the story reviews.demo tells."""
    for serial, leaf in enumerate(plan.leaves, start=1):
        if leaf.fate == Fate.NOT_STARTED:
            continue
        draw = rng("materials", leaf.item.code)
        first, last = UPLOADED[leaf.fate]
        for number in range(draw.choice([1, 1, 2, 2, 3])):
            offset = draw.randint(first, last)
            upload_material(plan, leaf, number=number, offset=offset, serial=serial * 10 + number)


# -- loading ---------------------------------------------------------------------------------


def load_demo_campaign(framework: Framework, cal: Calendar | None = None) -> Campaign:
    """Create the demo campaign as the lead office set it up, with the few materials every check
    needs (the units' other materials and the reviews are reviews.demo's story); or, when it
    exists, move its period and deadlines to today."""
    cal = cal or Calendar.from_clock()
    existing = Campaign.objects.filter(name=DEMO_NAME).first()
    if existing is not None:
        refresh_demo_campaign(existing, cal)
        return existing
    lead = User.objects.get(username=LEAD_OFFICE)
    start, end = demo_period(cal)
    with happening_at(cal.moment(CREATED, 9)):
        campaign = services.campaign_create(
            acting_user=lead,
            framework=framework,
            region=Region.objects.get(code=REGION),
            name=DEMO_NAME,
            period_start=start,
            period_end=end,
            description="市中区依法治区办组织各责任单位开展创建工作。演示数据，日期随载入日期更新。",
        )
        set_period(campaign, cal, acting_user=lead)
    with happening_at(cal.moment(CREATED + 2, 15)):
        _refine(campaign, lead)
        plan = demo_plan(campaign, cal)
        set_deadlines(
            campaign, {leaf.item.pk: leaf.deadline for leaf in plan.leaves}, acting_user=lead
        )
    upload_special_materials(plan)
    return campaign


def _refine(campaign: Campaign, lead: User) -> None:
    indicators = campaign.items.filter(is_refined=False).order_by("sort_key")
    for short_name, position, titles in REFINED:
        led = indicators.filter(
            assignments__role=AssignmentRole.LEAD, assignments__unit__short_name=short_name
        )
        parent = led[position]
        for title in titles:
            services.item_refine(acting_user=lead, parent=parent, title=title)


def refresh_demo_campaign(campaign: Campaign, cal: Calendar) -> int:
    """A later run: the period, the stages and the deadlines counted from the new today, so the
    same handful of items are overdue and due soon. Nothing is written on the same day."""
    set_period(campaign, cal, acting_user=SYSTEM)
    plan = demo_plan(campaign, cal)
    return set_deadlines(
        campaign, {leaf.item.pk: leaf.deadline for leaf in plan.leaves}, acting_user=SYSTEM
    )


# -- a revised edition to move the demo campaign to -------------------------------------------

REVISION_EDITION = "2026年修订（演示）"
REVISED_POINTS_AT = 0  # the first indicator gives one point ...
WITHDRAWN_AT = 5  # ... to the indicator that replaces the sixth, which is withdrawn
NEW_INDICATOR = {
    "title": "行政规范性文件合法性审核机制全面落实",
    "description": "行政规范性文件全部经合法性审核，审核意见书面留存，审核率达到100%。",
    "scoring_rules": "发现一件未经合法性审核即印发的扣1分；审核意见未书面留存的扣0.5分。",
    "required_evidence": "合法性审核意见书；规范性文件备案登记表",
    "lead_unit": "区司法局",
    "responsible_units": ["区政府办"],
}


def load_demo_revision(framework: Framework) -> Framework:
    """A small revision of the demo framework, for `campaign migrate` and its preview: one
    indicator's points changed, one withdrawn, one new naming its units. Loaded once."""
    existing = Framework.objects.filter(name=framework.name, edition=REVISION_EDITION).first()
    if existing is not None:
        return existing
    rows = framework_rows(framework=framework)
    parents = {row["parent_code"] for row in rows}
    leaves = [row for row in rows if row["code"] not in parents]
    changed, withdrawn = leaves[REVISED_POINTS_AT], leaves[WITHDRAWN_AT]
    changed["points"] -= 1
    siblings = [row for row in rows if row["parent_code"] == withdrawn["parent_code"]]
    taken, number = {row["code"] for row in rows}, len(siblings) + 1
    while f"{withdrawn['parent_code']}.{number}" in taken:
        number += 1
    new = {
        **withdrawn,
        **NEW_INDICATOR,
        "code": f"{withdrawn['parent_code']}.{number}",
        "number": str(number),
        "points": withdrawn["points"] + 1,
        "evaluation_methods": ["材料评审"],
        "veto": False,
        "deadline": "",
    }
    position = rows.index(siblings[-1]) + 1
    rows.insert(position, new)
    rows.remove(withdrawn)
    for row in rows:
        row.pop("row", None)
    return framework_create(
        acting_user=SYSTEM,
        name=framework.name,
        edition=REVISION_EDITION,
        description="演示用的修订版本：可在创建活动页面“迁移到指标体系新版本”预览并迁移。",
        is_illustrative=True,
        aggregation=framework.aggregation,
        veto_effect=framework.veto_effect,
        rows=rows,
    )
