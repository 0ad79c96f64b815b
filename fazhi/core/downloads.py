from urllib.parse import quote


def attachment_header(filename: str) -> str:
    """Chinese file names survive every browser only in the RFC 5987 form."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"
