"""What reading a file gives back, and the one error every reader raises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Extracted:
    text: str
    page_count: int | None
    kind: str
    warnings: tuple[str, ...] = ()


class ExtractionError(Exception):
    """A file that cannot be read; the message is shown to the user as it is, in Chinese."""
