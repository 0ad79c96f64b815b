"""Crafted Office packages for the limits tests: small files that unpack to hundreds of MB, and
workbooks whose XML claims a huge sheet. Members are written streamed, a MB at a time, so that
building a bomb never holds it in memory."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

MB = 1024 * 1024
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def docx_bomb(path: Path, *, unpacked_mb: int) -> Path:
    """A valid .docx whose one paragraph is `unpacked_mb` MB of the same letter."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{CT}"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override '
            'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        with package.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode())
            chunk = b"A" * MB
            for _ in range(unpacked_mb):
                member.write(chunk)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


def xlsx_from_xml(
    path: Path,
    sheets: dict[str, Iterable[bytes]],
    *,
    shared_strings: Iterable[str] | None = None,
    styles: bool = True,
) -> Path:
    """A workbook whose sheets' XML is written from the given chunks, streamed into the package:
    what a generator or a hostile hand writes, not what openpyxl would."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
            for n in range(1, len(names) + 1)
        )
        extra = (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared_strings is not None
            else ""
        )
        styles_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
        package.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{CT}"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            + (
                f'<Override PartName="/xl/styles.xml" ContentType="{styles_type}"/>'
                if styles
                else ""
            )
            + overrides
            + extra
            + "</Types>",
        )
        package.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheet_list = "".join(
            f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in enumerate(names, start=1)
        )
        package.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{S}" xmlns:r="{R}"><sheets>{sheet_list}</sheets></workbook>',
        )
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="{OFFICE}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(names) + 1)
        )
        if styles:
            rels += f'<Relationship Id="rIdS" Type="{OFFICE}/styles" Target="styles.xml"/>'
            package.writestr("xl/styles.xml", _STYLES)
        if shared_strings is not None:
            rels += f'<Relationship Id="rIdT" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
            with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
                member.write(f'<sst xmlns="{S}">'.encode())
                for text in shared_strings:
                    member.write(f"<si><t>{escape(text)}</t></si>".encode())
                member.write(b"</sst>")
        package.writestr(
            "xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}">{rels}</Relationships>'
        )
        for n, chunks in enumerate(sheets.values(), start=1):
            with package.open(f"xl/worksheets/sheet{n}.xml", "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return path


_STYLES = (
    f'<styleSheet xmlns="{S}"><fonts count="1"><font><sz val="11"/></font></fonts>'
    '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
    '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="2"><xf/><xf fillId="0" applyFill="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def sheet_xml(
    rows: Iterable[bytes], *, dimension: str = "A1", merges: Iterable[str] = ()
) -> Iterable[bytes]:
    """A worksheet's XML around the given <row> elements, with the <dimension> it claims."""
    yield f'<worksheet xmlns="{S}"><dimension ref="{dimension}"/><sheetData>'.encode()
    buffer = []
    for row in rows:
        buffer.append(row)
        if len(buffer) >= 10_000:
            yield b"".join(buffer)
            buffer = []
    yield b"".join(buffer)
    yield b"</sheetData>"
    merges = list(merges)
    if merges:
        cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
        yield f'<mergeCells count="{len(merges)}">{cells}</mergeCells>'.encode()
    yield b"</worksheet>"


def text_row(number: int, values: list) -> bytes:
    """A row of inline strings and numbers, as many generators write them."""
    cells = []
    for col, value in enumerate(values):
        if value is None:
            continue
        ref = f"{_column(col + 1)}{number}"
        if isinstance(value, int | float):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def styled_empty_row(number: int, columns: int = 1) -> bytes:
    """A row Excel keeps although it holds nothing: a fill applied to whole rows or columns."""
    cells = "".join(f'<c r="{_column(col)}{number}" s="1"/>' for col in range(1, columns + 1))
    return f'<row r="{number}" s="1" customFormat="1">{cells}</row>'.encode()


def _column(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
