"""Collecting and tidying extracted text. Readers hand pieces to a TextOutput as they go, so a
huge document stops being read once there is more text than will be kept."""

from __future__ import annotations

import re

_LINE_BREAKS = str.maketrans(dict.fromkeys("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", "\n"))
# Lone surrogates come out of broken PDF fonts and would make the database refuse the row.
_UNWANTED = re.compile(
    r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b\ufeff\ufffe\uffff\ud800-\udfff]"
)
_BLANKS = re.compile(r"[^\S\n]+")
_LINE_EDGES = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Runs of spaces, tabs and full-width spaces become one space; line breaks stay (at most one
    empty line in a row); control characters go."""
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS)
    text = _UNWANTED.sub("", text)
    text = _BLANKS.sub(" ", text)
    text = _LINE_EDGES.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()


def visible_length(text: str) -> int:
    """Characters that are not blanks, to tell a page with text from one with next to none."""
    return sum(1 for character in text if not character.isspace())


def page_numbers(numbers: list[int], shown: int = 3) -> str:
    """For warnings: [2, 5, 7, 9] → "2、5、7 等"."""
    listed = "、".join(str(number) for number in numbers[:shown])
    return listed + (" 等" if len(numbers) > shown else "")


class TextOutput:
    """Pieces of text (a paragraph, a table row, a page) in reading order, plus warnings.

    Raw text shrinks when normalised, so twice the kept length is collected before a reader is
    told to stop."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.warnings: list[str] = []
        self._parts: list[str] = []
        self._size = 0
        self._stopped = False
        # Pages without a text layer (scans): where their text goes once recognised.
        self.scanned_pages: list[int] = []
        self.recognised_pages: list[int] = []
        self._places: dict[int, int] = {}

    @property
    def full(self) -> bool:
        return self._stopped or self._size > 2 * self.limit

    def add(self, piece: str | None, *, same_line: bool = False) -> bool:
        """Keep a piece on a new line (or, for a stream cut into chunks, right after the previous
        one); False once enough text is collected and the reader should stop."""
        if self.full:
            return False
        if piece:
            if self._parts and not same_line:
                piece = "\n" + piece
            self._parts.append(piece)
            self._size += len(piece)
        return not self.full

    def add_scanned_page(self, page: int, piece: str | None) -> None:
        """A page with next to no text of its own, likely a scan: its little text (a page
        number, a scanning app's mark) is kept in a place its recognised text may take."""
        if self.full:
            return
        piece = piece or ""
        self.scanned_pages.append(page)
        self._places[page] = len(self._parts)
        self._parts.append(("\n" if self._parts else "") + piece)
        self._size += len(piece)

    def recognised(self, page: int, piece: str) -> None:
        """The text OCR read from a page: in the page's place when the PDF reader kept one (if
        it says more than the page's own text), else after what is there."""
        piece = piece.strip()
        if not visible_length(piece):
            return
        at = self._places.get(page)
        if at is None:
            self.add(piece)
        elif visible_length(piece) > visible_length(self._parts[at]):
            self._size += len(piece) - len(self._parts[at])
            self._parts[at] = ("\n" if at else "") + piece
        else:
            return
        self.recognised_pages.append(page)

    def stop(self) -> None:
        """A reader that left part of the file unread says so; the text counts as cut short."""
        self._stopped = True

    def clear_text(self) -> None:
        """Forget the text so far, for a second attempt with another reader."""
        self._parts.clear()
        self._size = 0

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def text(self) -> str:
        return "".join(self._parts)
