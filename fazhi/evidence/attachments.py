"""Files other apps keep beside their own records (a plan's progress report, an inspection's
documents): content stored once in the evidence store's blobs by SHA-256, refused on the same
rules as materials, and served back with ranges like every download."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files import File

from fazhi.core.downloads import stored_file_response
from fazhi.evidence import storage
from fazhi.evidence.extraction import file_kind
from fazhi.evidence.services import STORED_ONLY_SUFFIXES, check_received


def store_attachment(file: File, name: str = ""):
    """The blob holding the file's content and the file's name; ValidationError naming the
    file when the store refuses it."""
    name = PurePosixPath(name or file.name or "file").name
    size = file.size
    check_received(name, size)
    suffix = PurePosixPath(name).suffix.lower()
    kind = file_kind(name)
    if kind is None and suffix not in STORED_ONLY_SUFFIXES:
        raise ValidationError(
            f"“{name}”的文件类型 {suffix or '（无扩展名）'} 不在允许上传的范围内。"
        )
    sha256, size = storage.file_sha256(file)
    blob, _ = storage.store_blob(file, sha256=sha256, size=size, kind=kind or suffix.lstrip("."))
    return blob, name


def attachment_response(request, blob, filename: str):
    return stored_file_response(
        request,
        blob.storage_name,
        missing="文件内容缺失，请联系管理员从备份恢复。",
        size=blob.size,
        filename=filename,
        etag=blob.sha256,
        content_type="application/octet-stream",
    )
