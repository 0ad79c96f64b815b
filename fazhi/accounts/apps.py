from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "fazhi.accounts"
    verbose_name = "账号与审计"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from fazhi.accounts.middleware import session_refreshed_at_login

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="fazhi-session-refreshed")
        post_migrate.connect(audit_guard_kept, sender=self, dispatch_uid="fazhi-audit-guard")


def audit_guard_kept(sender, using, plan=None, **kwargs):
    """SQLite rebuilds a table to alter it and drops its triggers with the old table: after every
    migrate (and flush) the audit table's guard is put back if a later migration took it away."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from fazhi.accounts.auditchain import install_guard

    connection = connections[using]
    applied = MigrationRecorder(connection).applied_migrations()
    if ("accounts", "0004_audit_chain") in applied:
        install_guard(connection)
