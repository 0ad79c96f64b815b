"""Which file types are read, what each is called in messages, and which contents an extension
may legitimately hold (WPS saves .wps, .et and .dps in the Microsoft formats)."""

from __future__ import annotations

from pathlib import PurePath

EXTENSION_KINDS = {
    "pdf": "pdf",
    "ofd": "ofd",
    "docx": "docx",
    "docm": "docx",
    "dotx": "docx",
    "doc": "doc",
    "dot": "doc",
    "wps": "wps",
    "rtf": "rtf",
    "odt": "odt",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "xls": "xls",
    "et": "et",
    "ods": "ods",
    "pptx": "pptx",
    "ppsx": "pptx",
    "ppt": "ppt",
    "pps": "ppt",
    "dps": "dps",
    "odp": "odp",
    "txt": "txt",
    "csv": "txt",
    "htm": "html",
    "html": "html",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "gif": "image",
    "bmp": "image",
    "tif": "image",
    "tiff": "image",
}

# Contents, as told by sniff.content_kind, that a kind of file may hold without a warning.
ACCEPTED_CONTENTS = {
    "wps": {"doc", "docx"},
    "et": {"xls", "xlsx"},
    "dps": {"ppt", "pptx"},
    "txt": {"txt", "html"},
    "html": {"html", "txt"},
}

# Formats that are ZIP packages: a file of these kinds that is no valid ZIP is damaged.
ZIP_KINDS = {"docx", "xlsx", "pptx", "ofd", "odt", "ods", "odp"}
# Binary formats no one saves as plain text; bare text in such a file means it is damaged.
# (Text in a .doc or .xls is another matter: office systems export text and CSV under them.)
BINARY_KINDS = ZIP_KINDS | {"pdf", "image"}

LABELS = {
    "pdf": "PDF 文档",
    "ofd": "OFD 文档",
    "docx": "Word 文档（.docx）",
    "doc": "Word 97-2003 文档（.doc）",
    "wps": "WPS 文字文档",
    "rtf": "RTF 文档",
    "odt": "OpenDocument 文本（.odt）",
    "xlsx": "Excel 工作簿（.xlsx）",
    "xls": "Excel 97-2003 工作簿（.xls）",
    "et": "WPS 表格",
    "ods": "OpenDocument 表格（.ods）",
    "pptx": "PowerPoint 演示文稿（.pptx）",
    "ppt": "PowerPoint 97-2003 演示文稿（.ppt）",
    "dps": "WPS 演示",
    "odp": "OpenDocument 演示文稿（.odp）",
    "txt": "纯文本",
    "html": "网页（HTML）",
    "image": "图片",
}


def extension(filename: str) -> str:
    return PurePath(filename).suffix.lower().lstrip(".")


def file_kind(filename: str) -> str | None:
    """The kind promised by the file name's extension; None when the type is not supported."""
    return EXTENSION_KINDS.get(extension(filename))


def accepts(kind: str, content: str) -> bool:
    return content == kind or content in ACCEPTED_CONTENTS.get(kind, ())
