"""Reads of frameworks, always through the scoping mechanism."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q

from fazhi.core.listing import parse_id
from fazhi.frameworks.models import Framework, FrameworkImport, ImportStatus

ROW_FIELDS = (
    "code",
    "number",
    "title",
    "description",
    "points",
    "scoring_rules",
    "evaluation_methods",
    "required_evidence",
    "veto",
    "lead_unit",
    "responsible_units",
    "deadline",
    "level",
)


def framework_list(*, user, query: str = ""):
    frameworks = Framework.objects.visible_to(user).select_related("owner_region")
    if query:
        frameworks = frameworks.filter(Q(name__icontains=query) | Q(edition__icontains=query))
    return frameworks


def framework_by_ref(*, user, ref: str) -> Framework:
    """REF is an id or a name (with several editions of that name, the newest)."""
    frameworks = Framework.objects.visible_to(user)
    pk = parse_id(ref)
    if pk is not None:
        found = frameworks.filter(pk=pk).first()
    else:
        found = frameworks.filter(name=ref).order_by("-created_at", "-id").first()
        if found is None and "@" in str(ref):
            name, edition = str(ref).rsplit("@", 1)
            found = frameworks.filter(name=name, edition=edition).first()
    if found is None:
        raise ObjectDoesNotExist(f"找不到指标体系 “{ref}”（或您无权查看）。")
    return found


def framework_rows(*, framework: Framework) -> list[dict]:
    """The whole tree as depth-first node rows in one query."""
    rows = []
    for node in framework.nodes.order_by("sort_key").values(
        *ROW_FIELDS, "parent__code", "source_row"
    ):
        node["parent_code"] = node.pop("parent__code")
        node["row"] = node.pop("source_row")
        rows.append(node)
    return rows


def node_matches(*, framework: Framework, query: str) -> set[str]:
    """Codes of nodes whose code, title or text contains the query, with their ancestors so the
    tree can show each match in its place."""
    hits = framework.nodes.filter(
        Q(code__startswith=query)
        | Q(title__icontains=query)
        | Q(description__icontains=query)
        | Q(scoring_rules__icontains=query)
        | Q(lead_unit__icontains=query)
    ).values_list("sort_key", flat=True)
    keys = set()
    for sort_key in hits:
        parts = sort_key.split(".")
        keys.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return (
        set(framework.nodes.filter(sort_key__in=keys).values_list("code", flat=True))
        if keys
        else set()
    )


def framework_area_summary(*, rows: list[dict]) -> list[dict]:
    """Per top-level area: its points and how many leaves it has, for the framework page."""
    parents = {row["parent_code"] for row in rows}
    areas = {row["code"]: {**row, "leaves": 0} for row in rows if row["level"] == 1}
    owner = {}
    for row in rows:
        area_code = row["code"] if row["level"] == 1 else owner.get(row["parent_code"])
        owner[row["code"]] = area_code
        if row["code"] not in parents and area_code in areas:
            areas[area_code]["leaves"] += 1
    return list(areas.values())


def import_draft(*, user, pk: int) -> FrameworkImport:
    """A user's own pending import: drafts are never shown to anyone else."""
    return FrameworkImport.objects.visible_to(user).filter(created_by=user).get(pk=pk)


def pending_imports(*, user):
    return FrameworkImport.objects.filter(
        created_by=user, status__in=(ImportStatus.PREVIEW, ImportStatus.PARSING)
    )
