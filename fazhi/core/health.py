"""Is this web process fit to serve? For the load balancer in front of the scale deployment's
web processes, and for monitoring: it can reach its database and its file storage."""

import logging

from django.core.files.storage import default_storage
from django.db import connection

logger = logging.getLogger(__name__)

# An object that never exists: asking for it costs one round trip to the storage (a HEAD
# request on object storage) and proves the storage answers with our credentials.
PROBE_NAME = ".fazhi-health-probe"


def health_checks() -> dict[str, bool]:
    return {"database": _database_answers(), "storage": _storage_answers()}


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not healthy"; the log says which
        logger.exception("健康检查：数据库不可用")
        return False


def _storage_answers() -> bool:
    try:
        default_storage.exists(PROBE_NAME)
        return True
    except Exception:
        logger.exception("健康检查：文件存储不可用")
        return False
