"""`fazhi flush` empties the whole database, the audit log included, as Django's does.

On PostgreSQL Django empties tables with TRUNCATE, which the audit table's row-level triggers do
not see; on SQLite it issues DELETE, which they refuse. So on SQLite the guard is lifted for the
flush and put back after it: emptying every table at once (an administrator's explicit act, and
the test suite's reset between transactional tests) leaves an empty, valid chain on both
databases, while no statement can still change or remove single audit rows."""

from django.core.management.commands import flush
from django.db import connections

from fazhi.accounts.auditchain import install_guard, remove_guard


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        remove_guard(connection)
        try:
            return super().handle(**options)
        finally:
            install_guard(connection)
