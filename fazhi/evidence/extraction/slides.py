"""PPTX (and .ppsx) through python-pptx: the text frames and tables of each slide, groups
included; one page per slide."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pptx.package import Package

from .text import TextOutput


def read_pptx(path: Path, out: TextOutput) -> int:
    # Presentation() refuses slide shows (.ppsx); the package's main part reads them all alike.
    presentation = Package.open(str(path)).main_document_part.presentation
    slides = presentation.slides
    for slide in slides:
        for line in _shape_lines(slide.shapes):
            if not out.add(line):
                return len(slides)
    return len(slides)


def _shape_lines(shapes: Iterable) -> Iterator[str]:
    for shape in shapes:
        if hasattr(shape, "shapes"):  # a group
            yield from _shape_lines(shape.shapes)
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            yield shape.text_frame.text
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)
