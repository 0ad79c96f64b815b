"""DOCX (and .docm, .dotx) through python-docx's package reader. The XML is walked directly rather
than through python-docx's paragraph objects, whose text leaves out content controls, tracked
insertions and text boxes, all common in official documents."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .text import TextOutput

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Word stores a text box twice, as DrawingML (mc:Choice) and as VML (mc:Fallback).
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SIDE_PARTS = ("/word/header", "/word/footer", "/word/footnotes", "/word/endnotes")
_PAGES = re.compile(rb"<(?:\w+:)?Pages>\s*(\d+)\s*</")


def read_docx(path: Path, out: TextOutput) -> int | None:
    # imported here: work-plan imports call this reader too, and the web worker that serves
    # their pages needs python-docx only while it reads a file
    from docx.opc.package import OpcPackage

    package = OpcPackage.open(str(path))
    for line in _blocks(_element(package.main_document_part)):
        if not out.add(line):
            return _page_count(package)
    seen: set[str] = set()
    for part in package.iter_parts():
        if str(part.partname).startswith(_SIDE_PARTS):
            for line in _blocks(_element(part)):
                # The same header or footer is usually repeated in every section.
                if line not in seen:
                    seen.add(line)
                    if not out.add(line):
                        return _page_count(package)
    return _page_count(package)


def _element(part):
    from docx.oxml.parser import parse_xml

    element = getattr(part, "element", None)
    return element if element is not None else parse_xml(part.blob)


def _blocks(container) -> Iterator[str]:
    """One string per paragraph and per table row, in reading order."""
    for child in container:
        tag = child.tag
        if tag == W + "p":
            text, boxes = _paragraph(child)
            yield text
            for box in boxes:
                yield from _blocks(box)
        elif tag == W + "tbl":
            for row in child.iter(W + "tr"):
                if _owning_table(row) is child:  # rows of nested tables come with their cell
                    yield "\t".join(" ".join(_blocks(cell)) for cell in row.findall(W + "tc"))
        elif isinstance(tag, str) and tag != MC_FALLBACK:
            yield from _blocks(child)


def _owning_table(row):
    parent = row.getparent()
    while parent is not None and parent.tag != W + "tbl":
        parent = parent.getparent()
    return parent


def _paragraph(paragraph) -> tuple[str, list]:
    parts: list[str] = []
    boxes: list = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag == W + "tab":
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
            elif tag == W + "txbxContent":
                boxes.append(child)
            elif isinstance(tag, str) and tag != MC_FALLBACK:
                walk(child)

    walk(paragraph)
    return "".join(parts), boxes


def _page_count(package) -> int | None:
    """The page count Word saved in docProps/app.xml; absent when another program wrote the file."""
    for part in package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            match = _PAGES.search(part.blob[:65536])
            count = int(match.group(1)) if match else 0
            return count or None
    return None
