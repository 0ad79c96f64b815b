"""Plain text and web pages, read in chunks. Chinese government files are often GBK, so the
encoding is a byte order mark, else UTF-8 if the bytes are valid UTF-8, else GB18030 (a superset
of GBK and GB2312); undecodable bytes become U+FFFD rather than an error."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from .sniff import utf16_order
from .text import TextOutput

CHUNK_BYTES = 1024 * 1024
_BOM_CODECS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_-]{2,30})""", re.I)
# Pages labelled GB2312 or GBK routinely contain characters only GB18030 has.
_CHARSET_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}


def read_txt(path: Path, out: TextOutput) -> None:
    with path.open("rb") as fh:
        for chunk in decoded_chunks(fh):
            if not out.add(chunk, same_line=True):
                out.stop()
                return


def read_html(path: Path, out: TextOutput) -> None:
    with path.open("rb") as fh:
        declared = _declared_charset(fh.read(4096))
        fh.seek(0)
        parser = _PageText()
        for chunk in decoded_chunks(fh, declared):
            parser.feed(chunk)
            if not out.add(parser.take(), same_line=True):
                out.stop()
                return
        parser.close()
        out.add(parser.take(), same_line=True)


def decoded_chunks(fh: BinaryIO, declared: str | None = None) -> Iterator[str]:
    """The file's text chunk by chunk. A byte order mark wins over the `declared` encoding (as
    in browsers), which wins over guessing."""
    decoder = None
    first = True
    while chunk := fh.read(CHUNK_BYTES):
        if decoder is None:
            codec = (_marked_codec(chunk) if first else None) or declared or _guess_codec(chunk)
            first = False
            if codec is None:
                # ASCII reads the same in every candidate encoding: decide at the first other byte.
                yield chunk.decode("ascii")
                continue
            decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        yield decoder.decode(chunk)
    if decoder is not None:
        yield decoder.decode(b"", final=True)


def _marked_codec(chunk: bytes) -> str | None:
    for bom, codec in _BOM_CODECS:
        if chunk.startswith(bom):
            return codec
    if b"\x00" in chunk:
        return utf16_order(chunk[:8192])
    return None


def _guess_codec(chunk: bytes) -> str | None:
    if chunk.isascii():
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(chunk, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _declared_charset(head: bytes) -> str | None:
    match = _META_CHARSET.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


class _PageText(HTMLParser):
    """The visible text of a page: block elements start new lines, table cells are separated,
    scripts and styles are left out."""

    _HIDDEN = {"script", "style", "noscript", "template", "xml"}
    _BLOCKS = {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
        "ol", "p", "pre", "section", "table", "title", "tr", "ul",
    }  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BLOCKS:
            self._parts.append("\n")
        elif tag in ("td", "th"):
            self._parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in self._BLOCKS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            # Line breaks inside HTML source are only spaces; blocks make the real ones.
            self._parts.append(data.replace("\r", " ").replace("\n", " "))

    def take(self) -> str:
        text = "".join(self._parts)
        self._parts.clear()
        return text
