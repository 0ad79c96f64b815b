import re
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, StreamingHttpResponse

CHUNK = 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_header(filename: str) -> str:
    """Chinese file names survive every browser only in the RFC 5987 form."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def xlsx_attachment(filename: str) -> HttpResponse:
    """An empty Excel download for an exporter to write its workbook into."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    return response


def ranged_file_response(
    request, file, *, size: int, filename: str, etag: str, content_type: str
) -> HttpResponse:
    """A download that a broken connection can resume: `Range: bytes=…` is answered with 206
    and just those bytes. A range that no longer fits (the file changed: `If-Range` names
    another ETag) gets the whole file again; one past the end gets 416. Several ranges in one
    request are answered with the whole file, which RFC 9110 allows."""
    span = _requested_span(request, size=size, etag=etag)
    if span == "unsatisfiable":
        file.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = span or (0, size - 1)
    response = StreamingHttpResponse(
        _read_span(file, start, end - start + 1),
        status=206 if span else 200,
        content_type=content_type,
    )
    response["Content-Length"] = str(max(end - start + 1, 0))
    if span:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{etag}"'
    response["Content-Disposition"] = attachment_header(filename)
    return response


def stored_file_response(request, storage_name: str, *, missing: str, **download) -> HttpResponse:
    """A file of the platform's storage, handed out as `ranged_file_response` does (with its
    size, filename, etag and content_type); 404 saying `missing` when the storage has lost it."""
    try:
        content = default_storage.open(storage_name, "rb")
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    return ranged_file_response(request, content, **download)


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _requested_span(request, *, size: int, etag: str):
    header = request.headers.get("Range", "").replace(" ", "")
    if_range = request.headers.get("If-Range")
    match = RANGE.match(header)
    if not match or (if_range and if_range.strip('"') != etag) or size == 0:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        return (max(size - int(last), 0), size - 1)
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else None


def _read_span(file, start: int, length: int):
    try:
        if length <= 0:
            return
        if getattr(file, "obj", None) is not None:
            yield from _object_span(file.obj, start, length)
            return
        file.seek(start)
        while length > 0:
            chunk = file.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        file.close()


def _object_span(obj, start: int, length: int):
    """A file in object storage (django-storages' S3File carries its boto3 object): ask the
    store for just these bytes and pass them on as they arrive. Reading the file object instead
    would first download the whole object to the web server."""
    body = obj.get(Range=f"bytes={start}-{start + length - 1}")["Body"]
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()
