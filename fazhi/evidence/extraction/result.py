"""What reading a file gives back, and the one error every reader raises."""

from __future__ import annotations

from dataclasses import dataclass

# A PDF's warning that some pages cannot be bound, read by the campaign's materials check
# (evidence.selectors.unbindable) by this prefix.
UNBINDABLE_PREFIX = "PDF 页面结构损坏"


@dataclass(frozen=True)
class Extracted:
    text: str
    page_count: int | None
    kind: str
    warnings: tuple[str, ...] = ()
    # Pages whose text was recognised by OCR from their image rather than read from the file.
    recognised_pages: int = 0


class ExtractionError(Exception):
    """A file that cannot be read; the message is shown to the user as it is, in Chinese."""
