from urllib.parse import quote

from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment_header(filename: str) -> str:
    """Chinese file names survive every browser only in the RFC 5987 form."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def xlsx_attachment(filename: str) -> HttpResponse:
    """An empty Excel download for an exporter to write its workbook into."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename)
    return response
