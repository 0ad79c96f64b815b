"""Where file contents live: Django's default storage (local disk, or S3-compatible object
storage through django-storages), addressed by SHA-256 so that identical content is kept once.

A blob row is written only after its content is completely stored, so a row never points at a
half-written file; content stored by an upload that then failed has no row and is never shown."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from fazhi.core.tempfiles import temp_dir
from fazhi.evidence.models import Blob

CHUNK = 1024 * 1024


def blob_name(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def file_sha256(file) -> tuple[str, int]:
    """Hash a file object chunk by chunk; uploads hashed while streaming skip this."""
    hasher, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in iter(lambda: file.read(CHUNK), b""):
        hasher.update(chunk)
        size += len(chunk)
    file.seek(0)
    return hasher.hexdigest(), size


def store_blob(file: File, *, sha256: str, size: int, kind: str = "") -> tuple[Blob, bool]:
    """The blob for this content, storing it if it is new. Returns (blob, created)."""
    existing = Blob.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing, False
    file.seek(0)
    name = blob_name(sha256)
    local = _local_path(name)
    if local is not None:
        stored_name = _save_in_one_rename(file, local, name=name, sha256=sha256, size=size)
    else:
        stored_name = default_storage.save(name, file)
        stored_size = default_storage.size(stored_name)
        if stored_size != size:
            # A stream that ended early, or reported a size it did not have, never becomes a blob.
            default_storage.delete(stored_name)
            raise ValidationError(_incomplete(size, stored_size))
    try:
        with transaction.atomic():
            blob = Blob.objects.create(
                sha256=sha256, size=size, storage_name=stored_name, kind=kind
            )
    except IntegrityError:
        # Someone stored the same content at the same moment: keep theirs, drop our copy
        # (unless both wrote the one file the content's name holds).
        theirs = Blob.objects.get(sha256=sha256)
        if theirs.storage_name != stored_name:
            default_storage.delete(stored_name)
        return theirs, False
    return blob, True


def _incomplete(size: int, stored: int) -> str:
    return f"文件未完整保存（应为 {size} 字节，实际 {stored} 字节），请重新上传。"


def _local_path(name: str) -> Path | None:
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:  # object storage: an object appears only once fully uploaded
        return None


def _save_in_one_rename(file, target: Path, *, name: str, sha256: str, size: int) -> str:
    """Write the content beside its final place, check it, and move it there in one rename: a
    process killed while writing leaves its part in the temp area for the sweep, never a
    half-written file at the content's own name (Django's storage writes in place). A file
    already there with no row (left so by an older version) is replaced by the whole one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with temp_dir("blob-", near=target.parent) as folder:
        part = folder / "content"
        hasher, written = hashlib.sha256(), 0
        with part.open("wb") as out:
            for chunk in iter(lambda: file.read(CHUNK), b""):
                hasher.update(chunk)
                written += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if written != size:
            raise ValidationError(_incomplete(size, written))
        if hasher.hexdigest() != sha256:
            raise ValidationError("文件在保存过程中发生变化，请重新上传。")
        part.chmod(0o644)
        os.replace(part, target)
    return name


def open_blob(blob: Blob):
    """The blob's content as a file to read from start to end. From object storage it is the
    object's body, streamed as it arrives: django-storages' own file object would first
    download the whole object before the first byte could be read."""
    file = default_storage.open(blob.storage_name, "rb")
    obj = getattr(file, "obj", None)
    if obj is None:
        return file
    return obj.get()["Body"]


@contextmanager
def blob_local_path(blob: Blob) -> Iterator[Path]:
    """A path on local disk holding the blob's content, for libraries that want a file name:
    the stored file itself on local storage, a temporary download from object storage."""
    try:
        local = Path(default_storage.path(blob.storage_name))
    except NotImplementedError:  # object storage has no local path
        local = None
    if local is not None:
        yield local
        return
    with temp_dir("blob-") as folder:
        target = Path(folder) / "content"
        with open_blob(blob) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        yield target
