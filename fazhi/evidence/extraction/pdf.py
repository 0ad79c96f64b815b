"""PDF through pypdf. Many government PDFs are "encrypted" with only an owner password (to
forbid editing or printing) and open with an empty user password; those are read."""

from __future__ import annotations

import logging
from numbers import Real
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from .result import UNBINDABLE_PREFIX, ExtractionError
from .text import TextOutput, page_numbers, visible_length

ENCRYPTED = "PDF 文件已加密，无法读取文字，请上传未加密的版本。"
UNSUPPORTED_CIPHER = "PDF 文件使用了 AES 加密，而服务器缺少解密组件（cryptography），无法读取文字；请上传未加密的版本或联系管理员。"
DAMAGED = "PDF 文件已损坏，无法读取。"
# A page with fewer visible characters than this is taken for a scan (its text may be
# recognised by OCR): scanning apps stamp their name, and scans a page number, in a few.
SCANNED_PAGE_CHARS = 20

# pypdf logs every oddity of real-world PDFs as a warning; they say nothing to our users.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def read_pdf(path: Path, out: TextOutput) -> int:
    try:
        return _read(path, out)
    except DependencyError as exc:
        # With AES-128 the empty password is checked without AES, so pypdf only finds out that
        # it cannot decrypt when it reaches the first encrypted object.
        raise ExtractionError(UNSUPPORTED_CIPHER) from exc


def _read(path: Path, out: TextOutput) -> int:
    # An open file rather than the path: given a path, pypdf reads the whole file into memory.
    with path.open("rb") as fh:
        try:
            reader = PdfReader(fh)
        except DependencyError:
            raise
        except Exception as exc:
            raise ExtractionError(DAMAGED) from exc
        if reader.is_encrypted:
            _decrypt_with_empty_password(reader)
        try:
            pages = reader.pages
            page_count = len(pages)
        except DependencyError:
            raise
        except Exception as exc:
            raise ExtractionError(DAMAGED) from exc
        broken = unbindable_pages(pages)
        if broken:
            out.warn(
                f"{UNBINDABLE_PREFIX}（第 {page_numbers(broken)} 页），生成汇编时将以占位页代替；"
                "请重新导出或扫描后再上传。"
            )
        unreadable = []
        for number, page in enumerate(pages, start=1):
            try:
                text = page.extract_text()
            except DependencyError:
                raise
            except Exception:  # one broken page should not cost the text of the others
                unreadable.append(number)
                continue
            if visible_length(text or "") < SCANNED_PAGE_CHARS:
                out.add_scanned_page(number, text)
            elif not out.add(text):
                break
        if unreadable:
            out.warn(f"PDF 文件第 {page_numbers(unreadable)} 页的文字无法读取，已跳过。")
        return page_count


def unbindable_pages(pages) -> list[int]:
    """The numbers of the pages a PDF writer cannot copy: a page-tree leaf that is not a /Page
    (pypdf reads a leaf without /Type as a page, but refuses it when binding: "Invalid page
    object"), one whose box has no size or cannot be read, or one whose /Rotate is not a
    number (stamping turns the page upright first: "bad operand type"). Cheap: it reads only the page
    tree, not the pages' contents."""
    broken = []
    for number, page in enumerate(pages, start=1):
        try:
            usable = (
                page.get("/Type") == "/Page"
                and page.cropbox.width > 0
                and page.cropbox.height > 0
                and isinstance(page.rotation, Real)  # turned upright before stamping
            )
        except Exception:  # a box of broken numbers or references
            usable = False
        if not usable:
            broken.append(number)
    return broken


def _decrypt_with_empty_password(reader: PdfReader) -> None:
    try:
        result = reader.decrypt("")
    except DependencyError as exc:
        raise ExtractionError(UNSUPPORTED_CIPHER) from exc
    except Exception as exc:
        raise ExtractionError(ENCRYPTED) from exc
    if result == PasswordType.NOT_DECRYPTED:
        raise ExtractionError(ENCRYPTED)
