"""How each material shows in the bound volumes: a PDF as it is; an image on an A4 page; an office
document or text file as the PDF headless LibreOffice makes of it, kept in storage at
`derived/pdf/{sha256}.pdf` so that a rebuild does not convert it again; anything else (OFD, for
which Debian has no converter, archives, audio and video, damaged files) as a placeholder page that
says why and where the original lies in the package.

Renditions are worked out per content (SHA-256), so a file filed under several indicators is read
and converted once. LibreOffice converts many files in one run, which saves starting it for each;
a run that fails or hangs costs only its own files a second, single-file try."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from pypdf import PasswordType, PdfReader

from fazhi.core.tempfiles import temp_dir
from fazhi.evidence.extraction.kinds import LABELS, file_kind
from fazhi.evidence.extraction.libreoffice import soffice_path, soffice_run
from fazhi.evidence.extraction.pdf import unbindable_pages
from fazhi.evidence.extraction.result import ExtractionError
from fazhi.evidence.extraction.sniff import content_kind
from fazhi.evidence.extraction.text import page_numbers
from fazhi.evidence.models import Blob
from fazhi.evidence.storage import blob_local_path
from fazhi.filing.contents import Material

log = logging.getLogger(__name__)

CACHE_FOLDER = "derived/pdf"
# What LibreOffice turns into PDF, by the kinds evidence knows files by.
OFFICE_KINDS = frozenset(
    {"docx", "doc", "wps", "rtf", "odt", "xlsx", "xls", "et", "ods"}
    | {"pptx", "ppt", "dps", "odp", "txt", "html"}
)
# LibreOffice chooses its import filter partly by extension, and takes a .wps for Microsoft
# Works: WPS's own extensions are given the Microsoft format they hold.
WPS_FORMATS = {"wps": "doc", "et": "xls", "dps": "ppt"}
IMAGE_SUFFIXES = frozenset({"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"})
ARCHIVE_SUFFIXES = frozenset({"zip", "rar", "7z", "gz", "tar"})
MEDIA_SUFFIXES = frozenset({"mp3", "wav", "m4a", "mp4", "mov", "avi", "wmv", "flv", "mkv"})

BATCH_SIZE = 10  # so that a file that hangs LibreOffice holds up few others
RUN_SECONDS = 60  # starting LibreOffice, on top of the time each file gets
SECONDS_PER_FILE = 60
HEARTBEAT_SECONDS = 10

ORIGINAL, CONVERTED, IMAGE, PLACEHOLDER = "original", "converted", "image", "placeholder"

NO_LIBREOFFICE = "服务器未安装 LibreOffice，无法把该文件转换为 PDF。"
CONVERSION_FAILED = (
    "LibreOffice 未能把该文件转换为 PDF（文件可能已损坏、设置了打开密码，或转换超时）。"
)
PDF_PASSWORD = "PDF 设置了打开密码，无法编入汇编。"
PDF_DAMAGED = "PDF 文件已损坏，无法读取。"
PDF_EMPTY = "PDF 文件中没有页面。"
PDF_PAGE_TREE = "PDF 文件的页面结构已损坏（第 {pages} 页），无法装订。"
PDF_BIND_FAILED = "装订时读取该 PDF 出错（{error}），文件可能已损坏。"
IMAGE_DAMAGED = "图片已损坏或格式无法识别。"
NOT_SHOWN = {
    "ofd": "OFD 版式文件暂无可用的转换工具，无法编入汇编。",
    "archive": "压缩包无法编入汇编，请解压后查看其中的文件。",
    "media": "音频、视频材料无法编入汇编。",
}
UNKNOWN_KIND = "该类型的文件无法编入汇编。"
KIND_LABELS = {**LABELS, "archive": "压缩包", "media": "音频、视频"}


class PasswordRequired(Exception):
    pass


class BrokenPageTree(Exception):
    def __init__(self, pages: str) -> None:
        super().__init__(pages)
        self.pages = pages


@dataclass(frozen=True)
class Rendition:
    """How one content shows: `pages` pages of the original PDF, of its conversion or of an
    image, or one placeholder page giving `reason`."""

    source: str
    pages: int = 1
    reason: str = ""

    @property
    def is_pdf(self) -> bool:
        return self.source in (ORIGINAL, CONVERTED)


def placeholder(reason: str) -> Rendition:
    return Rendition(PLACEHOLDER, 1, reason)


def cache_name(sha256: str) -> str:
    return f"{CACHE_FOLDER}/{sha256}.pdf"


def material_kind(material: Material) -> str:
    """pdf, image, an office kind, ofd, archive, media, or the bare extension."""
    suffix = material.extension
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in ARCHIVE_SUFFIXES:
        return "archive"
    if suffix in MEDIA_SUFFIXES:
        return "media"
    return file_kind(material.original_name) or suffix


def kind_label(material: Material) -> str:
    kind = material_kind(material)
    if kind in KIND_LABELS:
        return KIND_LABELS[kind]
    return f"{material.extension.upper()} 文件" if material.extension else "未知类型"


# -- working out every rendition -----------------------------------------------------------------


def prepare_renditions(
    materials: list[Material], *, progress: Callable[[int, int], None] | None = None
) -> dict[str, Rendition]:
    """The rendition of each content among `materials`, by SHA-256, with every PDF counted and
    checked. `progress(done, total)` counts materials; while LibreOffice works it is repeated
    every few seconds as a sign of life."""
    total, done = len(materials), 0
    renditions: dict[str, Rendition] = {}
    waiting: dict[str, list[Material]] = {}  # by content, the materials it waits to convert for
    program = soffice_path()

    def tell(count: int = 0) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, total)

    for material in materials:
        sha256 = material.blob.sha256
        if sha256 in waiting:
            waiting[sha256].append(material)
            continue
        if sha256 not in renditions:
            rendition = _rendition_without_converting(material, can_convert=program is not None)
            if rendition is None:
                waiting[sha256] = [material]
                continue
            renditions[sha256] = rendition
        tell(1)
    to_convert = [group[0] for group in waiting.values()]
    for start in range(0, len(to_convert), BATCH_SIZE):
        batch = to_convert[start : start + BATCH_SIZE]
        converted = _convert_batch(batch, program=program, heartbeat=tell)
        for sha256, rendition in converted.items():
            renditions[sha256] = rendition
            tell(len(waiting[sha256]))
    return renditions


def _rendition_without_converting(material: Material, *, can_convert: bool) -> Rendition | None:
    """The rendition when it needs no LibreOffice run (a cached conversion counts); None when
    the material waits for one."""
    kind = material_kind(material)
    if kind == "pdf":
        return _original_pdf(material.blob)
    if kind == "image":
        # fpdf2 reads the image when the volume is drawn; one that fails there is drawn as a
        # placeholder page, which takes the same single page.
        return Rendition(IMAGE)
    if kind not in OFFICE_KINDS:
        return placeholder(NOT_SHOWN.get(kind, UNKNOWN_KIND))
    cached = _cached_conversion(material.blob.sha256)
    if cached is not None:
        return cached
    return None if can_convert else placeholder(NO_LIBREOFFICE)


def _original_pdf(blob: Blob) -> Rendition:
    with blob_local_path(blob) as path:
        return _checked_pdf(path, source=ORIGINAL)


def _cached_conversion(sha256: str) -> Rendition | None:
    name = cache_name(sha256)
    if not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as cached:
        rendition = _checked_pdf(cached, source=CONVERTED)
    if rendition.is_pdf:
        return rendition
    # Only a complete conversion is stored, so an entry that does not open was cut short while
    # being written: convert again.
    default_storage.delete(name)
    return None


def _checked_pdf(file, *, source: str) -> Rendition:
    """The PDF's rendition when binding and stamping can read all of it, else a placeholder."""
    try:
        pages = _count_pages(file)
    except PasswordRequired:
        return placeholder(PDF_PASSWORD)
    except BrokenPageTree as exc:
        return placeholder(PDF_PAGE_TREE.format(pages=exc.pages))
    except Exception:  # pypdf fails in many ways on damaged files
        log.info("PDF 无法读取", exc_info=True)
        return placeholder(PDF_DAMAGED)
    return Rendition(source, pages) if pages else placeholder(PDF_EMPTY)


def _count_pages(file) -> int:
    """Read every page as binding and stamping will (its box and its decoded contents), so that
    a file that would fail them fails here, where a placeholder can still take its place."""
    reader = open_reader(file)
    broken = unbindable_pages(reader.pages)
    if broken:
        raise BrokenPageTree(page_numbers(broken))
    for page in reader.pages:
        page.get_contents()
    return len(reader.pages)


def open_reader(file) -> PdfReader:
    """The PDF opened, and decrypted when it opens with the empty password (restrictions on
    printing or copying set only an owner password)."""
    reader = PdfReader(file)
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise PasswordRequired
    return reader


def open_pdf(blob: Blob, rendition: Rendition) -> PdfReader:
    """The PDF bound for `blob`: the original or its conversion, read into memory (as pypdf
    does with a path) so that no file stays open while a volume of thousands is bound."""
    if rendition.source == ORIGINAL:
        with blob_local_path(blob) as path:
            return open_reader(path)
    with default_storage.open(cache_name(blob.sha256), "rb") as cached:
        return open_reader(io.BytesIO(cached.read()))


# -- LibreOffice ---------------------------------------------------------------------------------


def _convert_batch(
    materials: list[Material], *, program: str, heartbeat: Callable[[], None]
) -> dict[str, Rendition]:
    """Convert the materials' contents in one LibreOffice run; each that did not come out of it
    gets a run of its own, so that a file that crashes or hangs LibreOffice costs only itself."""
    renditions: dict[str, Rendition] = {}
    with temp_dir("pdf-") as folder, ExitStack() as originals:
        work = Path(folder)
        (work / "in").mkdir()
        (work / "out").mkdir()
        sources: dict[str, Path] = {}
        for material in materials:
            sha256 = material.blob.sha256
            original = originals.enter_context(blob_local_path(material.blob))
            try:
                sources[sha256] = _linked_source(original, material, work / "in")
            except ExtractionError:  # an office file with an open password, a zip bomb
                renditions[sha256] = placeholder(CONVERSION_FAILED)

        def convert(chosen: dict[str, Path]) -> dict[str, Rendition]:
            _soffice(program, list(chosen.values()), out=work / "out", heartbeat=heartbeat)
            return {sha256: _kept_conversion(sha256, work / "out") for sha256 in chosen}

        converted = convert(sources) if sources else {}
        if len(sources) > 1:
            for sha256, rendition in list(converted.items()):
                if not rendition.is_pdf:
                    converted[sha256] = convert({sha256: sources[sha256]})[sha256]
        renditions.update(converted)
    return renditions


def _linked_source(original: Path, material: Material, folder: Path) -> Path:
    """The original under a name LibreOffice reads right: its content SHA-256, and the extension
    of the format its bytes hold."""
    content = content_kind(original)
    kind = material_kind(material)
    suffix = content if content in OFFICE_KINDS else WPS_FORMATS.get(kind, kind)
    source = folder / f"{material.blob.sha256}.{suffix}"
    try:
        source.symlink_to(original.resolve())
    except OSError:
        shutil.copyfile(original, source)
    return source


def _kept_conversion(sha256: str, out: Path) -> Rendition:
    """LibreOffice's PDF, checked and stored in the cache; only a complete, readable PDF is kept."""
    produced = out / f"{sha256}.pdf"
    if not produced.is_file():
        return placeholder(CONVERSION_FAILED)
    rendition = _checked_pdf(produced, source=CONVERTED)
    if not rendition.is_pdf:
        return placeholder(CONVERSION_FAILED)
    with produced.open("rb") as content:
        stored = default_storage.save(cache_name(sha256), File(content))
    if stored != cache_name(sha256):
        default_storage.delete(stored)  # another build stored the same conversion meanwhile
    return rendition


def _soffice(
    program: str, sources: list[Path], *, out: Path, heartbeat: Callable[[], None]
) -> None:
    """Run LibreOffice to convert `sources` into `out`, and kill it when their time is up. Every
    run gets a fresh profile: a run killed half-way may leave its profile unusable, and parallel
    workers must not share one."""
    run = Path(tempfile.mkdtemp(prefix="run-", dir=out.parent))
    deadline = time.monotonic() + RUN_SECONDS + SECONDS_PER_FILE * len(sources)
    with soffice_run(program, sources, target="pdf", outdir=out, work=run) as process:
        _wait(process, deadline=deadline, heartbeat=heartbeat)


def _wait(process: subprocess.Popen, *, deadline: float, heartbeat: Callable[[], None]) -> None:
    """Wait for LibreOffice until `deadline`, calling `heartbeat` every few seconds: a long
    batch must not look like a dead build."""
    while (left := deadline - time.monotonic()) > 0:
        try:
            process.wait(timeout=min(left, HEARTBEAT_SECONDS))
            return
        except subprocess.TimeoutExpired:
            heartbeat()
    log.warning("LibreOffice 转换超时，已终止")
