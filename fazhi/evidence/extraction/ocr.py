"""The text of scanned pages and photos, recognised by Tesseract with its simplified-Chinese
model (Debian's tesseract-ocr and tesseract-ocr-chi-sim, installed by
scripts/system_packages.sh; nothing is downloaded at run time). PDF pages are drawn one at a
time by pdftoppm (poppler-utils), so memory holds one page image whatever the file's size.

The tesseract command line rather than pytesseract: pytesseract is itself a wrapper that
writes temporary files and runs the same command; calling it here gives the timeout, the
process group to kill and the error text directly, and adds no dependency.

Each page runs in its own session so that a timeout kills it with any child; one thread per
page (OMP_THREAD_LIMIT=1), as the worker shares its machine with the web server."""

from __future__ import annotations

import functools
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fazhi.core.tempfiles import temp_dir

from .result import ExtractionError
from .text import TextOutput, page_numbers

if TYPE_CHECKING:
    from PIL import Image

LANGUAGE = "chi_sim"
# PDF pages are drawn at 300 dpi, the resolution Tesseract is trained for, but no larger than
# an A4 page at 300 dpi on its long side: a larger page or photo is shrunk to that.
PDF_DPI = 300
LONG_SIDE_PIXELS = 3508
NOT_INSTALLED = (
    "服务器未安装文字识别组件（tesseract-ocr、tesseract-ocr-chi-sim），扫描件和图片的文字未识别；"
    "请联系系统管理员。"
)
NO_RENDERER = (
    "服务器未安装 PDF 页面渲染组件（poppler-utils），扫描的 PDF 页面未识别文字；请联系系统管理员。"
)
NOT_AN_IMAGE = "图片已损坏或不是有效的图片文件，无法识别文字；请重新拍照或扫描后上传。"
TOO_LARGE = "图片尺寸过大（超过 {limit} 万像素），无法识别文字；请缩小后重新上传。"
HEIC = (
    "HEIC/HEIF 格式的照片暂不能识别文字；请在手机相机设置中选择“兼容性最佳”（JPEG）后重新拍摄，"
    "或转换为 JPG 后上传。"
)
# Between two Chinese characters or marks the model often puts a space that no writer did.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff65"
_SPACE_IN_CHINESE = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


@dataclass(frozen=True)
class OcrLimits:
    """How much recognising one file may cost: pages recognised at most (the rest are named in
    a warning) and seconds per page (drawing it, then recognising it)."""

    max_pages: int
    page_timeout: int


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


@functools.cache
def _languages(program: str) -> frozenset[str]:
    try:
        listed = subprocess.run(  # noqa: S603 - our own command, no shell
            [program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in listed.stdout.splitlines()[1:])


def ocr_available() -> bool:
    program = tesseract_path()
    return program is not None and LANGUAGE in _languages(program)


def recognise_image(path: Path, out: TextOutput, limits: OcrLimits) -> int:
    """Recognise a photo or scanned image (every page of a multi-page TIFF, up to the cap) into
    `out`; the number of pages it has. Raises ExtractionError for what is no readable image.
    Pillow's own guard refuses a "decompression bomb" (over about 179 million pixels)."""
    from PIL import Image  # imported here, as pypdf below: only the task worker recognises text

    _check_installed()
    try:
        with Image.open(path) as image:
            # An animated GIF's frames are not pages; a TIFF's are.
            page_count = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
            # A JPEG is decoded at a reduced scale straight away: a 48-megapixel phone photo
            # then takes a quarter of the memory.
            image.draft("L", _fitting(image.size))
            pages = _image_pages(image, min(page_count, limits.max_pages))
            _recognise_pages(pages, out, limits, page_count)
    except Image.DecompressionBombError as exc:
        limit = 2 * (Image.MAX_IMAGE_PIXELS or 0) // 10_000
        raise ExtractionError(TOO_LARGE.format(limit=limit)) from exc
    except (OSError, SyntaxError, ValueError) as exc:  # what Pillow raises for broken images
        raise ExtractionError(HEIC if _is_heif(path) else NOT_AN_IMAGE) from exc
    return page_count


def _fitting(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, LONG_SIDE_PIXELS / max(size))
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _is_heif(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(12)
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1")


def recognise_pdf_pages(path: Path, numbers: list[int], out: TextOutput, limits: OcrLimits) -> None:
    """Recognise the PDF pages `numbers` (1-based, those without a text layer) into the places
    the PDF reader kept for them in `out`."""
    _check_installed()
    if shutil.which("pdftoppm") is None:
        raise ExtractionError(NO_RENDERER)
    pages = _pdf_pages(path, numbers[: limits.max_pages], limits.page_timeout, out)
    _recognise_pages(pages, out, limits, len(numbers), scanned_of_pdf=True)


def _check_installed() -> None:
    if not ocr_available():
        raise ExtractionError(NOT_INSTALLED)


def _image_pages(image: Image.Image, count: int) -> Iterator[tuple[int, Path]]:
    """Each frame, upright (phones record the turn in EXIF), grey and no larger than an A4 scan,
    written to a temporary PNG for tesseract, one at a time."""
    from PIL import ImageOps, ImageSequence

    with temp_dir("ocr-") as work:
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > count:
                break
            page = ImageOps.exif_transpose(frame) if number == 1 else frame
            page = page.convert("L")
            page.thumbnail((LONG_SIDE_PIXELS, LONG_SIDE_PIXELS))
            target = Path(work) / f"page-{number}.png"
            page.save(target)
            yield number, target
            target.unlink()


def _pdf_pages(
    path: Path, numbers: list[int], timeout: int, out: TextOutput
) -> Iterator[tuple[int, Path]]:
    resolutions = _resolutions(path, numbers)
    with temp_dir("ocr-") as work:
        for number in numbers:
            prefix = Path(work) / f"page-{number}"
            command = ["pdftoppm", "-f", str(number), "-l", str(number), "-gray", "-png"]
            command += ["-r", str(resolutions[number]), "-singlefile", str(path), str(prefix)]
            done = _run(command, timeout)
            target = prefix.with_suffix(".png")
            if done is None or not target.exists():
                out.warn(f"PDF 第 {number} 页无法渲染为图像，未识别文字。")
                continue
            yield number, target
            target.unlink()


def _resolutions(path: Path, numbers: list[int]) -> dict[int, int]:
    """The dpi to draw each page at: PDF_DPI, less for a page larger than A4."""
    from pypdf import PdfReader

    found = dict.fromkeys(numbers, PDF_DPI)
    try:
        with path.open("rb") as handle:
            reader = PdfReader(handle)
            if reader.is_encrypted:
                reader.decrypt("")
            for number in numbers:
                box = reader.pages[number - 1].cropbox
                long_side = max(float(box.width), float(box.height))
                fitting = int(LONG_SIDE_PIXELS * 72 / long_side) if long_side > 0 else PDF_DPI
                found[number] = max(36, min(PDF_DPI, fitting))
    except Exception:  # a page tree pypdf cannot measure: pdftoppm may still draw it
        return dict.fromkeys(numbers, 150)
    return found


def _recognise_pages(
    pages: Iterator[tuple[int, Path]],
    out: TextOutput,
    limits: OcrLimits,
    total: int,
    *,
    scanned_of_pdf: bool = False,
) -> None:
    failed: list[int] = []
    for number, image_path in pages:
        text = _tesseract(image_path, limits.page_timeout)
        if text is None:
            failed.append(number)
            continue
        out.recognised(number, text)
    if failed:
        out.warn(
            f"第 {page_numbers(failed)} 页文字识别失败或超过 {limits.page_timeout} 秒，已跳过。"
        )
    if total > limits.max_pages:
        what = "扫描页" if scanned_of_pdf else "图片"
        out.warn(
            f"{what}共 {total} 页，超过每个文件文字识别（OCR）{limits.max_pages} 页的上限："
            f"只识别了前 {limits.max_pages} 页，其余 {total - limits.max_pages} 页的文字无法检索；"
            f"如需检索全文，请拆分成每份不超过 {limits.max_pages} 页后分别上传。"
        )


def _tesseract(image_path: Path, timeout: int) -> str | None:
    """The page's text, spaces between Chinese characters removed; None when tesseract failed."""
    command = [tesseract_path() or "tesseract", str(image_path), "stdout", "-l", LANGUAGE]
    done = _run(command, timeout)
    if done is None:
        return None
    return _SPACE_IN_CHINESE.sub("", done.stdout.decode("utf-8", "replace"))


def _run(command: list[str], timeout: int) -> subprocess.CompletedProcess | None:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    process = subprocess.Popen(  # noqa: S603 - fixed programs on our own temp files, no shell
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return None
    if process.returncode != 0:
        return None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
