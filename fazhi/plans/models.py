"""Reminders: the in-app notifications a user receives about their unit's items, and the log of
daily digest e-mails that keeps a liaison from getting more than one a day."""

from django.conf import settings
from django.db import models

from fazhi.core.scoping import ScopedQuerySet, ScopePolicy


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", "临近截止"
    OVERDUE = "overdue", "已逾期"
    RETURNED = "returned", "被退回"
    REVIEW = "review", "审核消息"


# The kinds the daily digest e-mail reports; other news stays in the app.
DIGEST_KINDS = (NotificationKind.DUE_SOON, NotificationKind.OVERDUE, NotificationKind.RETURNED)


class NotificationQuerySet(ScopedQuerySet):
    """A notification belongs to one person, not to a place in the org tree: no role reaches
    another user's notifications, not even the administrator's (an inbox is not a record of the
    region). The two scoping questions are therefore answered by ownership here, so that views
    still load through `visible_to` and `get_visible_or_404` like every other scoped model and a
    guessed id of someone else's notification is a 404."""

    def visible_to(self, user) -> "NotificationQuerySet":
        if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
            return self.none()
        return self.filter(user_id=user.pk)

    def editable_by(self, user) -> "NotificationQuerySet":
        return self.visible_to(user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    kind = models.CharField("类型", max_length=10, choices=NotificationKind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建活动",
    )
    item = models.ForeignKey(
        "campaigns.Item",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="任务项",
    )
    # The deadline a due-soon or overdue notice is about: a notice about a deadline that has
    # since been moved is no longer put in the digest.
    due_on = models.DateField("完成时限", null=True, blank=True)
    text = models.TextField("内容")
    # What makes one fact one notification: "kind:item:event", the event being the deadline
    # for due-soon and overdue notices and the moment of the return for returns. Unique per
    # user, so that a fact found again tomorrow (or by a second run today) is not notified
    # twice, while a moved deadline or a second return is a new fact.
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    digest = models.ForeignKey(
        "DigestLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="随邮件发送",
    )

    scope_policy = ScopePolicy()  # no region, no unit: see NotificationQuerySet
    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_fact"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["user", "-created_at"], name="notification_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text[:40]}"


class DigestLog(models.Model):
    """One row per user and day a digest e-mail went out. It is written in the same transaction
    that decides to send, so a second run the same day (or a second process) finds it and sends
    nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="接收人"
    )
    date = models.DateField("日期")
    email = models.EmailField("发送地址")
    item_count = models.PositiveIntegerField("事项数", default=0)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒邮件记录"
        verbose_name_plural = "提醒邮件记录"
        ordering = ["-date", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.email}"
