"""The bound volumes (汇编): the filing's materials as PDF in the order of its contents, split
into volumes by page count or by area. A volume opens with a cover and its contents (目录), gives
each indicator a divider page, and numbers every page but the cover at the bottom with its
physical page number, so that the contents, the stamps and a PDF viewer agree.

A volume is laid out before anything is drawn: each material's pages are counted beforehand
(conversion.prepare_renditions) and the contents and dividers take a number of pages known from
their entries, so every page number is settled when the contents are drawn. Only the counts are
kept from that first reading; a volume's materials are read again when it is bound and let go
once it is written, so memory holds one volume, never the filing. Each volume is written under a
temporary name first, so a crash never leaves a complete-looking file.

A material that cannot be bound never costs the build: what cannot be read or shown is known
beforehand and laid out as a placeholder page; a PDF that reads but fails while its pages are
copied or stamped ("Invalid page object" and the like) fails only itself: the volume holding part
of it is discarded, then laid out and bound again with a placeholder in its place. Every material shown by a placeholder is listed in its volume's `placeholders`."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from fazhi.evidence.storage import blob_local_path
from fazhi.filing.contents import Indicator, Material, safe_name
from fazhi.filing.conversion import (
    IMAGE,
    IMAGE_DAMAGED,
    PDF_BIND_FAILED,
    Rendition,
    kind_label,
    open_pdf,
    placeholder,
    prepare_renditions,
)
from fazhi.filing.models import Split
from fazhi.filing.pdfpages import (
    DrawnPages,
    Entry,
    cjk_font,
    contents_page_count,
    divider_page_count,
    page_number_stamps,
)

log = logging.getLogger(__name__)

NAME_CHARS = 60
PLACEHOLDER_HEADING = "本材料无法在汇编中显示"
COVER_AREAS = 3


@dataclass(frozen=True)
class Placeholder:
    """A material a volume shows by a placeholder page: what it is, why, and where its original
    lies in the package."""

    code: str  # the indicator's
    title: str
    name: str
    package_path: str
    reason: str


@dataclass(frozen=True)
class Volume:
    number: int
    total: int
    path: Path
    pages: int
    first_code: str
    last_code: str
    title: str
    placeholders: tuple[Placeholder, ...] = ()


@dataclass(frozen=True)
class Part:
    """An indicator in a volume: all of its materials or, when it alone is more than a volume
    may hold, the share of them this volume holds."""

    indicator: Indicator
    materials: tuple[Material, ...]
    continued: bool = False

    @property
    def title(self) -> str:
        return self.indicator.title + ("（续）" if self.continued else "")

    @property
    def label(self) -> str:
        return f"{self.indicator.code} {self.title}"


@dataclass(frozen=True)
class Layout:
    """Where everything in a volume begins, as physical page numbers (the cover is page 1)."""

    contents_pages: int
    dividers: list[int]  # one per part
    starts: dict[int, int]  # by material number
    pages: int


@dataclass(frozen=True)
class Binding:
    """What every volume of one build shares."""

    title: str
    subtitle: str
    font: Path
    renditions: dict[str, Rendition]
    out_dir: Path
    placeholders: dict[int, Placeholder] = field(default_factory=dict)  # by material number

    def pages_of(self, material: Material) -> int:
        return self.renditions[material.blob.sha256].pages


def build_volumes(
    *,
    title: str,
    subtitle: str,
    indicators: list[Indicator],
    out_dir: Path,
    split: str,
    page_budget: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Volume]:
    """Write the volumes into `out_dir`, one PDF each. `split` is "pages" (fill each volume up to
    `page_budget` pages) or "area" (one volume per area)."""
    if split not in Split.values:
        raise ValueError(f"未知的分册方式：{split}")
    font = cjk_font()  # before any conversion: a missing font should fail the build at once
    materials = [material for indicator in indicators for material in indicator.materials]
    counter = _Progress(progress, materials=len(materials))
    renditions = prepare_renditions(materials, progress=counter.prepared)
    binding = Binding(title, subtitle, font, renditions, Path(out_dir))
    if split == Split.AREA:
        plans = _by_area(indicators)
    else:
        plans = _by_pages(indicators, budget=page_budget, pages_of=binding.pages_of)
    volumes = []
    for number, parts in enumerate(plans, start=1):
        volumes.append(
            _write_volume(binding, parts, number=number, total=len(plans), bound=counter.bound)
        )
        counter.tell()
    return volumes


class _Progress:
    """Counts each material twice, once prepared and once bound. The caller also takes every
    call as a sign of life, so it is called at least once per material."""

    def __init__(self, report: Callable[[int, int], None] | None, *, materials: int) -> None:
        self.report, self.done, self.total = report, 0, 2 * materials

    def prepared(self, done: int, _total: int) -> None:
        self.done = done
        self.tell()

    def bound(self) -> None:
        self.done = min(self.done + 1, self.total)  # a volume bound again counts once
        self.tell()

    def tell(self) -> None:
        if self.report:
            self.report(self.done, self.total)


# -- which indicators go into which volume -------------------------------------------------------


def _by_area(indicators: list[Indicator]) -> list[list[Part]]:
    areas: dict[str, list[Part]] = {}
    for indicator in indicators:
        areas.setdefault(indicator.area_code, []).append(_whole(indicator))
    return list(areas.values())


def _by_pages(
    indicators: list[Indicator], *, budget: int, pages_of: Callable[[Material], int]
) -> list[list[Part]]:
    """Fill each volume up to `budget` pages, keeping indicators whole; one that alone exceeds
    the budget is shared out between volumes of its own, at material boundaries."""

    def fits(parts: list[Part]) -> bool:
        return _layout(parts, pages_of).pages <= budget

    volumes: list[list[Part]] = []
    current: list[Part] = []
    for indicator in indicators:
        whole = _whole(indicator)
        if fits([*current, whole]):
            current.append(whole)
            continue
        if current:
            volumes.append(current)
        if fits([whole]):
            current = [whole]
            continue
        *full, last = _shares(indicator, fits)
        volumes.extend([share] for share in full)
        current = [last]  # the last share may leave room for the next indicators
    if current:
        volumes.append(current)
    return volumes


def _whole(indicator: Indicator) -> Part:
    return Part(indicator, tuple(indicator.materials))


def _shares(indicator: Indicator, fits: Callable[[list[Part]], bool]) -> list[Part]:
    """The indicator's materials in shares that each fit a volume, but for a single material
    larger than a volume, which stays whole in a share of its own."""
    shares: list[list[Material]] = []
    taken: list[Material] = []
    for material in indicator.materials:
        if taken and not fits([Part(indicator, (*taken, material))]):
            shares.append(taken)
            taken = []
        taken.append(material)
    shares.append(taken)
    return [Part(indicator, tuple(share), index > 0) for index, share in enumerate(shares)]


def _layout(parts: list[Part], pages_of: Callable[[Material], int]) -> Layout:
    entries = sum(1 + len(part.materials) for part in parts)
    contents_pages = contents_page_count(entries)
    page = 2 + contents_pages
    dividers, starts = [], {}
    for part in parts:
        dividers.append(page)
        page += divider_page_count(len(part.materials))
        for material in part.materials:
            starts[material.number] = page
            page += pages_of(material)
    return Layout(contents_pages, dividers, starts, page - 1)


# -- writing one volume --------------------------------------------------------------------------


class Unbindable(Exception):
    """A material's PDF failed while its pages were copied or stamped."""

    def __init__(self, material: Material, error: BaseException) -> None:
        super().__init__(f"{material.original_name}: {error!r}")
        self.material, self.error = material, error


def _write_volume(
    binding: Binding, parts: list[Part], *, number: int, total: int, bound: Callable[[], None]
) -> Volume:
    """Bind the volume; each material that fails on the way is given a placeholder and the
    volume bound again, so at most once per material in it."""
    while True:
        try:
            return _try_volume(binding, parts, number=number, total=total, bound=bound)
        except Unbindable as failed:
            material = failed.material
            log.warning("汇编时无法装订 %s：%r", material.package_path, failed.error)
            reason = PDF_BIND_FAILED.format(error=_error_name(failed.error))
            binding.renditions[material.blob.sha256] = placeholder(reason)


def _error_name(error: BaseException) -> str:
    text = " ".join(str(error).split())[:80]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _try_volume(
    binding: Binding, parts: list[Part], *, number: int, total: int, bound: Callable[[], None]
) -> Volume:
    layout = _layout(parts, binding.pages_of)
    title = f"{binding.title} 第{number}册"
    path = binding.out_dir / f"{safe_name(binding.title, NAME_CHARS)}-第{number}册.pdf"
    drawn = _drawn_pages(binding, parts, layout, volume=(number, total))
    writer = _bound_pages(binding, parts, layout, drawn, bound=bound)
    _stamp_page_numbers(writer, owners=_pdf_pages(binding, parts, layout))
    _bookmark(writer, parts, layout)
    writer.add_metadata({"/Title": title})
    writer.page_mode = "/UseOutlines"
    _write_atomically(writer, path)
    return Volume(
        number=number,
        total=total,
        path=path,
        pages=layout.pages,
        first_code=parts[0].indicator.code,
        last_code=parts[-1].indicator.code,
        title=title,
        placeholders=tuple(
            binding.placeholders[m.number]
            for part in parts
            for m in part.materials
            if m.number in binding.placeholders
        ),
    )


def _drawn_pages(
    binding: Binding,
    parts: list[Part],
    layout: Layout,
    *,
    volume: tuple[int, int],
) -> Iterator[PageObject]:
    """Every page the volume draws itself, in the volume's order."""
    pages = DrawnPages(binding.font)
    pages.cover(
        title=binding.title,
        subtitle=binding.subtitle,
        volume=volume[0],
        total=volume[1],
        scope=_cover_scope(parts),
        on=timezone.localdate(),
    )
    pages.contents(_contents_entries(parts, layout))
    for part in parts:
        pages.divider(
            code=part.indicator.code,
            title=part.title,
            facts=_divider_facts(part),
            entries=[_material_entry(m, layout) for m in part.materials],
        )
        for material in part.materials:
            rendition = binding.renditions[material.blob.sha256]
            if rendition.source == IMAGE:
                _draw_image(binding, pages, part, material)
            elif not rendition.is_pdf:
                _draw_placeholder(binding, pages, part, material, rendition.reason)
    return iter(PdfReader(io.BytesIO(pages.output())).pages)


def _draw_image(binding: Binding, pages: DrawnPages, part: Part, material: Material) -> None:
    try:
        with blob_local_path(material.blob) as path:
            pages.picture(path)  # fpdf2 reads the image in as it places it
    except Exception:  # Pillow and fpdf2 fail in many ways on damaged images
        _draw_placeholder(binding, pages, part, material, IMAGE_DAMAGED)


def _draw_placeholder(
    binding: Binding, pages: DrawnPages, part: Part, material: Material, reason: str
) -> None:
    pages.placeholder(heading=PLACEHOLDER_HEADING, facts=_placeholder_facts(material, reason))
    binding.placeholders[material.number] = Placeholder(
        code=part.indicator.code,
        title=material.title,
        name=material.original_name,
        package_path=material.package_path,
        reason=reason,
    )


def _bound_pages(
    binding: Binding,
    parts: list[Part],
    layout: Layout,
    drawn: Iterator[PageObject],
    *,
    bound: Callable[[], None],
) -> PdfWriter:
    writer = PdfWriter()

    def add(pages) -> None:
        for page in pages:
            writer.add_page(page)

    add(islice(drawn, 1 + layout.contents_pages))
    for part in parts:
        add(islice(drawn, divider_page_count(len(part.materials))))
        for material in part.materials:
            rendition = binding.renditions[material.blob.sha256]
            if rendition.is_pdf:
                _add_material(writer, material, rendition)
            else:
                add(islice(drawn, 1))
            bound()
    return writer


def _add_material(writer: PdfWriter, material: Material, rendition: Rendition) -> None:
    """Copy the material's pages in. pypdf may fail on a damaged file only once it copies it,
    when some of its pages are in already: the failure is the material's, and the volume that
    holds them is discarded and bound again (copying each file through a writer of its own
    instead would take every build about twice as long for a rare file)."""
    try:
        pages = open_pdf(material.blob, rendition).pages
        if len(pages) != rendition.pages:
            raise ValueError(f"{len(pages)} pages, {rendition.pages} counted")
        for page in pages:
            writer.add_page(page)
    except Exception as exc:  # pypdf fails in many ways, RecursionError among them
        raise Unbindable(material, exc) from exc


def _pdf_pages(binding: Binding, parts: list[Part], layout: Layout) -> dict[int, Material]:
    """The material each page copied from a PDF comes from, by physical page number."""
    owners = {}
    for part in parts:
        for material in part.materials:
            if binding.renditions[material.blob.sha256].is_pdf:
                start = layout.starts[material.number]
                for page in range(start, start + binding.pages_of(material)):
                    owners[page] = material
    return owners


def _stamp_page_numbers(writer: PdfWriter, *, owners: dict[int, Material]) -> None:
    """Lay a page number over every page but the cover, in the middle of the bottom edge as the
    page is seen: a page's /Rotate is first turned into its contents (as pypdf advises before
    merging), so that its boxes are the visible page. A page that fails is its material's
    failure (`owners`), which a placeholder then replaces."""
    numbered = list(writer.pages)[1:]

    def guarded(number: int, work: Callable[[], object]):
        try:
            return work()
        except Exception as exc:
            if number not in owners:
                raise  # a page the volume drew itself: a fault of ours, not of a file
            raise Unbindable(owners[number], exc) from exc

    sizes = []
    for number, page in enumerate(numbered, start=2):
        if guarded(number, lambda p=page: p.rotation):
            guarded(number, page.transfer_rotation_to_content)
        sizes.append(
            guarded(number, lambda p=page: (float(p.cropbox.width), float(p.cropbox.height)))
        )
    stamps = PdfReader(io.BytesIO(page_number_stamps(sizes, first=2))).pages
    for number, (page, stamp) in enumerate(zip(numbered, stamps, strict=True), start=2):

        def lay(page=page, stamp=stamp) -> None:
            box = page.cropbox
            origin = Transformation().translate(float(box.left), float(box.bottom))
            page.merge_transformed_page(stamp, origin)
            page.compress_content_streams()  # merging leaves the page's contents uncompressed

        guarded(number, lay)


def _bookmark(writer: PdfWriter, parts: list[Part], layout: Layout) -> None:
    """Bookmarks: 目录, then area → indicator → material."""
    writer.add_outline_item(title="目录", page_number=1)
    areas = {}
    for part, divider in zip(parts, layout.dividers, strict=True):
        area = _area_label(part.indicator)
        if area not in areas:
            areas[area] = writer.add_outline_item(title=area, page_number=divider - 1)
        item = writer.add_outline_item(
            title=part.label, page_number=divider - 1, parent=areas[area]
        )
        for material in part.materials:
            start = layout.starts[material.number]
            writer.add_outline_item(
                title=_material_label(material), page_number=start - 1, parent=item
            )


def _write_atomically(writer: PdfWriter, path: Path) -> None:
    partial = path.with_name(f".{path.name}.part")
    try:
        with partial.open("wb") as out:
            writer.write(out)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


# -- the words on the drawn pages ----------------------------------------------------------------


def _cover_scope(parts: list[Part]) -> list[str]:
    first, last = parts[0].indicator.code, parts[-1].indicator.code
    materials = sum(len(part.materials) for part in parts)
    areas = list(dict.fromkeys(_area_label(part.indicator) for part in parts))
    shown = areas[:COVER_AREAS] + (
        [f"等 {len(areas)} 个一级指标"] if len(areas) > COVER_AREAS else []
    )
    return [
        f"收录指标：{first} 至 {last}" if first != last else f"收录指标：{first}",
        f"共 {len(parts)} 项指标、{materials} 份材料",
        *shown,
    ]


def _contents_entries(parts: list[Part], layout: Layout) -> list[Entry]:
    entries = []
    for part, divider in zip(parts, layout.dividers, strict=True):
        entries.append(Entry(part.label, divider))
        entries.extend(_material_entry(material, layout) for material in part.materials)
    return entries


def _material_entry(material: Material, layout: Layout) -> Entry:
    text = _material_label(material)
    if material.doc_number:
        text += f"　{material.doc_number}"
    return Entry(text, layout.starts[material.number], indent=True)


def _material_label(material: Material) -> str:
    return f"{material.number}. {material.title}"


def _area_label(indicator: Indicator) -> str:
    return f"{indicator.area_code} {indicator.area_title}".strip() or "其他指标"


def _divider_facts(part: Part) -> list[str]:
    indicator = part.indicator
    facts = [
        f"所属领域：{_area_label(indicator)}",
        f"牵头单位：{indicator.lead_unit or '未指定'}",
    ]
    everything = len(indicator.materials)
    if not everything:
        facts.append("本指标暂无佐证材料")
    elif len(part.materials) < everything:
        facts.append(f"佐证材料：共 {everything} 项，本册收录 {len(part.materials)} 项")
    else:
        facts.append(f"佐证材料：{everything} 项")
    return facts


def _placeholder_facts(material: Material, reason: str) -> list[tuple[str, str]]:
    facts = [("材料", _material_label(material))]
    if material.doc_number:
        facts.append(("文号", material.doc_number))
    return [
        *facts,
        ("原文件名", material.original_name),
        ("文件类型", kind_label(material)),
        ("文件大小", filesizeformat(material.blob.size).replace("\xa0", " ")),
        ("未能显示的原因", reason),
        ("原件见材料包", material.package_path),
    ]
