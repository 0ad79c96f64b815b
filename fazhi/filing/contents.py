"""What goes into a filing, in order: the campaign's items (indicators) by their place in the
framework, each with the materials chosen for the filing in their chosen order (by default the
approved items' materials in upload order, see `fazhi/filing/choices.py`). The package, the
bound volumes and the index workbook are all laid out from this one list, so their numbering
agrees."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Prefetch

from fazhi.campaigns import selectors as campaign_selectors
from fazhi.campaigns.models import Campaign, ItemStatus
from fazhi.evidence.models import Blob, Evidence
from fazhi.filing.choices import in_filing, in_filing_order


@dataclass(frozen=True)
class Material:
    number: int  # 序号, counted across the whole filing
    title: str
    doc_number: str
    issued_on: date | None
    unit: str
    original_name: str
    blob: Blob
    package_path: str = ""  # where the file lies in the package ZIP
    evidence_id: int = 0
    version_id: int = 0
    version_number: int = 0

    @property
    def pages(self) -> int | None:
        return self.blob.page_count

    @property
    def extension(self) -> str:
        name = self.original_name.lower()
        return name.rsplit(".", 1)[1] if "." in name else ""


@dataclass
class Indicator:
    code: str
    title: str
    area_code: str
    area_title: str
    lead_unit: str
    folder: str = ""  # the indicator's folder in the package ZIP
    materials: list[Material] = field(default_factory=list)


def filing_contents(*, campaign: Campaign, approved_only: bool = False) -> list[Indicator]:
    """Every item that carries evidence or has no refined children, in framework order.
    Read with the system's reach: a filing is the whole campaign's, and who may build or fetch
    it is checked on the build, not here."""
    area_key = campaign_selectors.area_key
    areas = {area_key(node.sort_key): node for node in campaign_selectors.campaign_areas(campaign)}
    items = (
        campaign.items.select_related("node")
        .prefetch_related(
            "children",
            campaign_selectors.assignments_prefetch(),
            Prefetch(
                "evidence",
                queryset=Evidence.objects.alive()
                .filter(current__isnull=False)
                .select_related("unit", "current__blob", "filing_choice")
                .order_by("created_at", "id"),
                to_attr="live_evidence",
            ),
        )
        .order_by("sort_key")
    )
    if approved_only:
        items = items.filter(status=ItemStatus.APPROVED)
    indicators, number = [], 0
    for item in items:
        if item.children.all() and not item.live_evidence:
            continue  # refined: its children carry the work
        area = areas.get(area_key(item.sort_key))
        lead = campaign_selectors.lead_of(item)
        indicator = Indicator(
            code=item.code,
            title=item.title,
            area_code=area.code if area else "",
            area_title=area.title if area else "",
            lead_unit=lead.name if lead else "",
            folder=safe_name(f"{item.code} {item.title}", FOLDER_CHARS),
        )
        chosen = [e for e in in_filing_order(item.live_evidence) if in_filing(e, item)]
        for position, evidence in enumerate(chosen, start=1):
            number += 1
            original = evidence.current.original_name
            indicator.materials.append(
                Material(
                    number=number,
                    title=evidence.title,
                    doc_number=evidence.doc_number,
                    issued_on=evidence.issued_on,
                    unit=evidence.unit.name,
                    original_name=original,
                    blob=evidence.current.blob,
                    package_path=f"{indicator.folder}/{file_name(position, evidence.title, original)}",
                    evidence_id=evidence.pk,
                    version_id=evidence.current_id,
                    version_number=evidence.current.number,
                )
            )
        indicators.append(indicator)
    return indicators


FOLDER_CHARS = 60  # Windows still trips over paths much past 200 characters
FILE_CHARS = 80
UNSAFE = re.compile(r'[\x00-\x1f\\/:*?"<>|]+')


def safe_name(text: str, limit: int) -> str:
    """A file or folder name every system accepts: no path separators or characters Windows
    forbids, no trailing dots or spaces, cut to `limit` characters."""
    name = UNSAFE.sub(" ", text)
    name = re.sub(r"\s+", " ", name).strip()[:limit].rstrip(". ")
    return name or "未命名"


def file_name(position: int, title: str, original_name: str) -> str:
    """`01-标题.pdf`: the position keeps the upload order when a folder is sorted by name; the
    original file's extension keeps it openable."""
    suffix = original_name.rsplit(".", 1)[1].lower() if "." in original_name else ""
    stem = safe_name(title, FILE_CHARS)
    return f"{position:02d}-{stem}.{suffix}" if suffix else f"{position:02d}-{stem}"
