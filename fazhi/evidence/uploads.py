"""Receiving uploads: every file goes to a temporary file on disk as it arrives (never whole into
memory), its SHA-256 is computed from the same chunks, and a file over the size limit is dropped
while it streams, with its name kept so that the page can say which file was refused.

File names arrive as bytes in a multipart header or a folder on disk. Browsers send UTF-8, but
clients on Chinese Windows send the ANSI code page (GBK), and Django drops a header line that is
not UTF-8: the file then vanished from the request and the API answered "missing parameter
files" for a file that was sent. `readable_name` is the one rule for such bytes (UTF-8, else GBK,
else the unreadable bytes shown as U+FFFD, which the upload refuses naming the file), and
`install_multipart_names` applies it to part headers before Django parses them."""

import hashlib

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, TemporaryFileUploadHandler
from django.http import multipartparser

from fazhi.core.tempfiles import AreaUploadedFile

UNREADABLE = "\ufffd"


class HashingUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        # Django's handler, but the file goes to this process's folder in the temp area, for the
        # sweep to remove if the process is killed mid-upload (fazhi/core/tempfiles.py).
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = AreaUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )
        self.hasher = hashlib.sha256()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.FAZHI_UPLOAD_MAX_BYTES:
            self.file.close()
            oversize = getattr(self.request, "oversize_uploads", None)
            if self.request is not None:
                self.request.oversize_uploads = [*(oversize or []), self.file_name]
            raise SkipFile
        self.hasher.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.hasher.hexdigest()
        return uploaded


def oversize_uploads(request) -> list[str]:
    return list(getattr(request, "oversize_uploads", None) or [])


def readable_name(raw: bytes) -> str:
    """A file name's bytes as text: UTF-8, else GB18030 (a superset of the GBK that Chinese
    Windows writes; GBK that is also valid UTF-8 is rare in real names, so UTF-8 goes first),
    else UTF-8 with each unreadable byte as U+FFFD."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


# -- multipart part headers ------------------------------------------------------------------

_parse_boundary_stream = multipartparser.parse_boundary_stream


def install_multipart_names() -> None:
    """Have Django read every part's headers through `_readable_headers`. Django reads them in
    the module function `parse_boundary_stream` and offers no hook: it is wrapped, not copied,
    and tests/test_upload_names.py fails should a Django upgrade move it."""
    multipartparser.parse_boundary_stream = _parse_part


def _parse_part(stream, max_header_size):
    kind, headers, _ = _parse_boundary_stream(_ReadableHeaders(stream), max_header_size)
    return kind, headers, stream


class _ReadableHeaders:
    """The part's stream as Django reads its headers: the chunk holding them comes back with each
    header line re-encoded as UTF-8 by `readable_name`, the bytes after them untouched. Django
    puts back what follows the headers (or the whole chunk when the part has none) through
    `unget`, which goes to the real stream, so the body is read from there as before."""

    def __init__(self, stream):
        self._stream = stream

    def read(self, size):
        chunk = self._stream.read(size)
        end = chunk.find(b"\r\n\r\n")
        if end == -1:
            return chunk
        lines = chunk[:end].split(b"\r\n")
        return b"\r\n".join(readable_name(line).encode() for line in lines) + chunk[end:]

    def unget(self, data):
        self._stream.unget(data)
