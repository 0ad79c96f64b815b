"""Moving a live campaign to another edition of its framework (指标体系修订): the plan.

A province revises its framework in the middle of a campaign (枣庄 absorbed "新修订的42项内容"
half-way through 237 items). The campaign's items are matched to the new edition through the
edition diff that `framework diff` shows (`frameworks.diff`, matched by content, so a renumbered
or reworded indicator is still the same one), and each item falls in one of four groups:

- carried (沿用): the indicator is in the new edition with the same points and rules; the item
  keeps its pk, so its units, refined items, materials, reviews and scores stay with it;
- changed (分值或评分标准修改): carried as well, but the points, the scoring rules or the veto
  changed, so its scores are marked for re-check;
- new (新增): an indicator only the new edition has; a new item with the units its table names,
  starting 未开始;
- withdrawn (撤销): an indicator the new edition dropped; the item is archived with everything
  attached and stays readable.

This module only reads: `plan_migration` builds the plan the preview page, the command line and
the service (`services.campaign_migrate`, which applies it) share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count

from fazhi.campaigns.models import Assignment, Campaign, Item
from fazhi.frameworks.diff import FieldChange, FrameworkDiff, diff_frameworks
from fazhi.frameworks.models import Framework, Node
from fazhi.frameworks.selectors import framework_rows

KINDS = ("carried", "changed", "new", "withdrawn")
KIND_LABELS = {
    "carried": "沿用",
    "changed": "分值或评分标准修改",
    "new": "新增",
    "withdrawn": "撤销",
}
# A change to these means the scores given so far may no longer hold.
RECHECK_FIELDS = ("points", "scoring_rules", "veto")


@dataclass
class Attached:
    """What hangs off an item (with its refined items): what a migration must not lose."""

    assignments: int = 0
    refined: int = 0
    evidence: int = 0
    reviews: int = 0
    scores: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class PlanEntry:
    kind: str
    item: Item | None = None  # the campaign's indicator item (None for a new indicator)
    old: dict | None = None  # the indicator in the current edition
    new: dict | None = None  # ... and in the target edition
    changes: list[FieldChange] = field(default_factory=list)
    attached: Attached = field(default_factory=Attached)
    refined: list[Item] = field(default_factory=list)  # refined items under the item, any depth

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def code(self) -> str:
        return (self.new or self.old or {}).get("code", "")

    @property
    def title(self) -> str:
        return (self.new or self.old or {}).get("title", "")

    @property
    def area(self) -> str:
        """The area (一级指标) the entry is listed under: the new edition's, or the old one's."""
        return (self.new or self.old or {}).get("area", "")

    @property
    def recheck_note(self) -> str:
        return "；".join(
            f"{c.label}由“{_plain(c.old)}”改为“{_plain(c.new)}”"
            for c in self.changes
            if c.field in RECHECK_FIELDS
        )

    @property
    def renumbered(self) -> bool:
        return bool(self.old and self.new and self.old["code"] != self.new["code"])


@dataclass
class EditionPlan:
    campaign: Campaign
    source: Framework
    target: Framework
    entries: list[PlanEntry]
    pairs: dict[str, str] = field(default_factory=dict)  # old node code → new, every level

    def of_kind(self, kind: str) -> list[PlanEntry]:
        return [entry for entry in self.entries if entry.kind == kind]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for entry in self.entries:
            counts[entry.kind] += 1
        return counts

    def as_json(self, *, applied: bool) -> dict:
        """The shape the command line prints with --json (documented in the README)."""
        return {
            "campaign": {"id": self.campaign.pk, "name": self.campaign.name},
            "from": _framework_json(self.source),
            "to": _framework_json(self.target),
            "applied": applied,
            "counts": self.counts(),
            **{kind: [_entry_json(entry) for entry in self.of_kind(kind)] for kind in KINDS},
        }


def _framework_json(framework: Framework) -> dict:
    return {"id": framework.pk, "name": framework.name, "edition": framework.edition}


def _plain(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text and text.replace(".", "").isdigit() else text


def _entry_json(entry: PlanEntry) -> dict:
    row: dict = {
        "item_id": entry.item.pk if entry.item else None,
        "old_code": entry.old["code"] if entry.old else None,
        "new_code": entry.new["code"] if entry.new else None,
        "title": entry.title,
        "area": entry.area,
    }
    if entry.kind == "new":
        row["points"] = _plain(entry.new.get("points")) or None
        row["lead_unit"] = entry.new.get("lead_unit") or ""
        row["responsible_units"] = list(entry.new.get("responsible_units") or [])
    else:
        row["attached"] = entry.attached.as_dict()
        row["refined_codes"] = [item.code for item in entry.refined]
    if entry.changes:
        row["changes"] = [
            {"field": c.field, "label": c.label, "old": _plain(c.old), "new": _plain(c.new)}
            for c in entry.changes
        ]
    if entry.kind == "changed":
        row["recheck"] = entry.recheck_note
    return row


# -- checks ----------------------------------------------------------------------------------


def check_target(campaign: Campaign, target: Framework) -> None:
    """A campaign moves only to another edition of the framework it runs on."""
    source = campaign.framework
    if target.pk == source.pk:
        raise ValidationError(
            {"framework": f"本活动已在使用“{source}”，请选择该指标体系的另一个版本。"}
        )
    if target.name != source.name:
        raise ValidationError(
            {
                "framework": f"“{target}”不是本活动指标体系“{source.name}”的版本，不能迁移；"
                f"请选择“{source.name}”的其他版本。"
            }
        )


def edition_choices(*, campaign: Campaign, user):
    """The other editions of the campaign's framework that the user can see."""
    return (
        Framework.objects.visible_to(user)
        .filter(name=campaign.framework.name)
        .exclude(pk=campaign.framework_id)
        .order_by("-created_at", "-id")
    )


# -- the plan --------------------------------------------------------------------------------


def plan_migration(*, campaign: Campaign, target: Framework) -> EditionPlan:
    """Every current item of the campaign, and every new indicator, with where it goes."""
    check_target(campaign, target)
    source = campaign.framework
    old_list, new_list = framework_rows(framework=source), framework_rows(framework=target)
    # The same comparison as `framework diff` (frameworks.exports.compare), on rows kept here.
    diff = diff_frameworks(old_list, new_list)
    old_rows, new_rows = _by_code_with_area(old_list), _by_code_with_area(new_list)
    pairs = paired_codes(diff, old_rows, new_rows)
    changes_by_old = {e.old["code"]: e.changes for e in diff.entries if e.old and e.new}
    new_leaves = _leaf_codes(new_rows.values())

    items = list(campaign.items.order_by("sort_key"))
    node_codes = dict(Node.objects.filter(framework=source).values_list("pk", "code"))
    attached = _attached_counts(items)
    carried_new_codes = set()
    entries: list[PlanEntry] = []
    for item in items:
        if item.is_refined:
            continue
        old_code = node_codes.get(item.node_id, item.code)
        new_code = pairs.get(old_code)
        entry = PlanEntry(kind="withdrawn", item=item, old=old_rows.get(old_code))
        if entry.old is None:  # an item without its node in the edition (never expected)
            entry.old = {"code": item.code, "title": item.title, "area": ""}
        entry.refined = [i for i in items if i.sort_key.startswith(item.sort_key + ".")]
        entry.attached = _sum_attached(attached, [item, *entry.refined])
        if new_code in new_leaves:
            entry.new = new_rows[new_code]
            entry.changes = changes_by_old.get(old_code, [])
            recheck = any(c.field in RECHECK_FIELDS for c in entry.changes)
            entry.kind = "changed" if recheck else "carried"
            carried_new_codes.add(new_code)
        entries.append(entry)
    for code, row in new_rows.items():
        if code in new_leaves and code not in carried_new_codes:
            entries.append(PlanEntry(kind="new", new=row))
    return EditionPlan(
        campaign=campaign,
        source=source,
        target=target,
        entries=_ordered(entries, new_rows),
        pairs=pairs,
    )


def paired_codes(diff: FrameworkDiff, old_rows: dict, new_rows: dict) -> dict[str, str]:
    """Old node code → new node code for every node the diff matched. The diff lists only the
    nodes that differ; a node it does not mention was matched unchanged, and an unchanged node
    keeps its code (a different code is reported as "moved")."""
    pairs: dict[str, str] = {}
    mentioned = set()
    for entry in diff.entries:
        if entry.old:
            mentioned.add(entry.old["code"])
            if entry.new:
                pairs[entry.old["code"]] = entry.new["code"]
    for code in old_rows:
        if code not in mentioned and code in new_rows:
            pairs[code] = code
    return pairs


def _by_code_with_area(rows_in_order: list[dict]) -> dict[str, dict]:
    """The edition's node rows by code (tree order kept), each with its area's title."""
    rows = {row["code"]: row for row in rows_in_order}
    for row in rows.values():
        top = row
        while top.get("parent_code") in rows:
            top = rows[top["parent_code"]]
        row["area"] = top["title"] if top is not row else ""
    return rows


def _leaf_codes(rows) -> set[str]:
    rows = list(rows)
    parents = {row["parent_code"] for row in rows}
    return {row["code"] for row in rows if row["code"] not in parents}


def _ordered(entries: list[PlanEntry], new_rows: dict) -> list[PlanEntry]:
    """In the new edition's order; withdrawn items after, in the old order."""
    position = {code: index for index, code in enumerate(new_rows)}
    kept = [e for e in entries if e.new is not None]
    kept.sort(key=lambda e: position[e.new["code"]])
    return kept + [e for e in entries if e.new is None]


def _attached_counts(items: list[Item]) -> dict[int, Attached]:
    """Per item, what hangs off it, in one query per kind of thing."""
    from fazhi.evidence.models import Evidence
    from fazhi.reviews.models import Assessment, Review

    ids = [item.pk for item in items]
    counts: dict[int, Attached] = defaultdict(Attached)
    sources = (
        ("assignments", Assignment.objects.filter(item_id__in=ids)),
        ("evidence", Evidence.objects.alive().filter(item_id__in=ids)),
        ("reviews", Review.objects.filter(item_id__in=ids)),
        ("scores", Assessment.objects.filter(item_id__in=ids)),
    )
    for name, queryset in sources:
        for row in queryset.values("item_id").annotate(n=Count("pk")):
            setattr(counts[row["item_id"]], name, row["n"])
    return counts


def _sum_attached(counts: dict[int, Attached], items: list[Item]) -> Attached:
    total = Attached(refined=len(items) - 1)
    for item in items:
        part = counts.get(item.pk)
        if part is not None:
            total.evidence += part.evidence
            total.reviews += part.reviews
            total.scores += part.scores
    # The indicator's own units: refined items copy them, so adding theirs would count twice.
    own = counts.get(items[0].pk)
    total.assignments = own.assignments if own else 0
    return total
