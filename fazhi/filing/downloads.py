"""Handing out a filing's file, to the page and to the API alike: resumable, scoped."""

from django.http import Http404

from fazhi.core.downloads import stored_file_response
from fazhi.filing.models import FileKind
from fazhi.filing.selectors import downloadable_file

CONTENT_TYPES = {
    FileKind.PACKAGE: "application/zip",
    FileKind.VOLUME: "application/pdf",
    FileKind.REPORT: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def filing_file_response(request, pk: int):
    file = downloadable_file(user=request.user, pk=pk).first()
    if file is None:
        raise Http404("没有找到该文件，或您无权下载。")
    return stored_file_response(
        request,
        file.storage_name,
        missing="该文件已被清理，请重新生成。",
        size=file.size,
        filename=file.name,
        etag=file.sha256,
        content_type=CONTENT_TYPES.get(file.kind, "application/octet-stream"),
    )
