"""Users, their roles, and the append-only audit log."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy


class RoleCode(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    LEAD_ADMIN = "lead_admin", "依法治办管理员"
    LIAISON = "liaison", "联络员"
    REVIEWER = "reviewer", "审核员"
    EXPERT = "expert", "评审专家"
    LEADER = "leader", "领导（只读）"
    INSPECTOR = "inspector", "督察员"


class Role(models.Model):
    """One row per RoleCode, created by a data migration, so users can hold several roles."""

    code = models.CharField(max_length=20, primary_key=True, choices=RoleCode.choices)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"

    def __str__(self) -> str:
        return self.get_code_display()


class ScopedUserManager(UserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    region = models.ForeignKey(
        "orgs.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属区划",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属单位",
    )
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name="角色")
    must_change_password = models.BooleanField("首次登录须修改密码", default=False)
    failed_login_count = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    scope_policy = ScopePolicy(region="region", unit="unit", write_roles={"admin", "lead_admin"})
    objects = ScopedUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def role_codes(self) -> list[str]:
        if not self.pk:
            return []
        return [role.code for role in self.roles.all()]

    def role_labels(self) -> list[str]:
        return [RoleCode(code).label for code in self.role_codes()]


class AuditQuerySet(ScopedQuerySet):
    """The audit log is append-only: bulk changes are refused at the query level too."""

    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditEntry(models.Model):
    """One row of the append-only log, chained to the row before it (accounts.auditchain); the
    database itself refuses UPDATE and DELETE on the table (triggers, migration 0004)."""

    # Set in Python, not by auto_now_add at save time: the row's hash covers it.
    created_at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    # Deleting a user or a region leaves the row as written: SET_NULL would rewrite it (and the
    # trigger refuses that), so these are ids without a database constraint, and the actor's
    # name is kept in actor_name. A row may thus name an id that no longer exists.
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    region = models.ForeignKey(
        "orgs.Region",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("操作", max_length=60, db_index=True)
    target_type = models.CharField("对象类型", max_length=60, blank=True)
    target_id = models.CharField("对象编号", max_length=60, blank=True)
    target_repr = models.CharField("对象", max_length=255, blank=True)
    summary = models.CharField("说明", max_length=500, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, editable=False)

    scope_policy = ScopePolicy(region="region", write_roles=set())
    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        # Integrity guard, not a business rule: an existing audit row is never rewritten.
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditChainHead(models.Model):
    """One row: the last audit row's id and hash. Appends lock it, which serialises them across
    processes, and `fazhi audit verify` compares the chain's end with it."""

    last_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链头（第 {self.last_id} 条）"


class ApiToken(models.Model):
    """A personal token for the REST API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class LoginThrottle(models.Model):
    """Failed logins counted per source address, in the database so that every web process
    (gunicorn runs several) counts the same failures: the account lockout alone never stops one
    password tried against many usernames."""

    ip_address = models.GenericIPAddressField("IP 地址", unique=True)
    failure_count = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField(db_index=True)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "登录限流"
        verbose_name_plural = "登录限流"

    def __str__(self) -> str:
        return f"{self.ip_address}: {self.failure_count}"
