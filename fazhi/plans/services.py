"""Writes for reminders: in-app notifications, the daily collection of due-soon, overdue and
returned items, and the one digest e-mail a liaison gets a day at most."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from fazhi.accounts.audit import audit_record
from fazhi.accounts.system import SYSTEM
from fazhi.campaigns.models import Item
from fazhi.plans import selectors
from fazhi.plans.mails import digest_message
from fazhi.plans.models import DigestLog, Notification, NotificationKind
from fazhi.plans.selectors import Digest

logger = logging.getLogger(__name__)

# How far back the digest looks for reminders not yet e-mailed: normally one day's worth, more
# when the platform was down for a few days, but never a backlog of weeks (for a user who only
# now entered an e-mail address, say).
DIGEST_WINDOW = timedelta(days=7)
CHUNK = 500


def _create_new(notifications: list[Notification]) -> int:
    """Insert the notifications whose (user, key) is not there yet; returns how many. The
    unique constraint settles a race with a concurrent run (ignore_conflicts)."""
    created = 0
    for start in range(0, len(notifications), CHUNK):
        chunk = notifications[start : start + CHUNK]
        existing = set(
            Notification.objects.filter(
                user_id__in={n.user_id for n in chunk}, key__in={n.key for n in chunk}
            ).values_list("user_id", "key")
        )
        new = [n for n in chunk if (n.user_id, n.key) not in existing]
        Notification.objects.bulk_create(new, ignore_conflicts=True)
        created += len(new)
    return created


@transaction.atomic
def notifications_create(
    *,
    users: Iterable,
    kind: str,
    text: str,
    event: str,
    item: Item | None = None,
    campaign=None,
    due_on: date | None = None,
    link: str = "",
) -> int:
    """Notify each user once of one fact, in the app. `event` names the fact (a date, a moment,
    a round): notifying the same users of the same kind, item and event again adds nothing."""
    key = f"{kind}:{item.pk if item else '-'}:{event}"[:120]
    campaign_id = item.campaign_id if item is not None else getattr(campaign, "pk", None)
    return _create_new(
        [
            Notification(
                user_id=user.pk,
                kind=kind,
                campaign_id=campaign_id,
                item=item,
                due_on=due_on,
                text=text,
                key=key,
                link=link,
            )
            for user in users
        ]
    )


def notify_item_returned(*, item: Item, reason: str, acting_user) -> int:
    """Tell the liaisons of every unit given the item (lead and responsible) at once, in the
    app, that it was returned and why. No e-mail here: a day of returns goes out in one digest.
    Returns how many were notified."""
    recipients = selectors.liaisons().filter(unit__assignments__item=item)
    if getattr(acting_user, "pk", None):
        recipients = recipients.exclude(pk=acting_user.pk)
    by = f"（{acting_user}）" if getattr(acting_user, "pk", None) else ""
    return notifications_create(
        users=recipients,
        kind=NotificationKind.RETURNED,
        item=item,
        event=selectors.return_moment(item),
        text=f"「{selectors.item_label(item)}」被退回{by}：{reason.strip()}",
    )


@transaction.atomic
def reminders_collect(*, today: date, days: int) -> list[Digest]:
    """Find, for every liaison, their unit's items due within `days` days, overdue or returned;
    notify in the app each fact not notified before; return what each user's digest would list
    (the new notifications and those of the past day not yet e-mailed, e.g. returns)."""
    # The apps whose deadlines these are build on plans, so they are imported here, late.
    from fazhi.inspections.reminders import notify_overdue_findings
    from fazhi.monitoring.reminders import notify_annual_reports
    from fazhi.plans.progress import notify_plan_reports

    notify_overdue_findings(today=today)
    notify_plan_reports(today=today, days=days)
    notify_annual_reports(today=today, days=days)
    facts = selectors.reminder_facts(today=today, days=days)
    _create_new(
        [
            Notification(
                user_id=fact.user.pk,
                kind=fact.kind,
                campaign_id=fact.item.campaign_id,
                item=fact.item,
                due_on=fact.due_on,
                text=fact.text,
                key=fact.key,
            )
            for fact in facts
        ]
    )
    return selectors.pending_digests(since=timezone.now() - DIGEST_WINDOW, today=today)


@dataclass
class Delivery:
    """What happened to one user's digest."""

    SENT = "sent"
    WOULD_SEND = "would_send"
    ALREADY_SENT = "already_sent"
    NO_EMAIL = "no_email"
    FAILED = "failed"

    digest: Digest
    status: str
    error: str = ""

    @property
    def user(self):
        return self.digest.user


@dataclass
class DigestRun:
    today: date
    days: int
    dry_run: bool
    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for d in self.deliveries if d.status == status)


def send_daily_digest(
    *, today: date | None = None, days: int | None = None, dry_run: bool = False
) -> DigestRun:
    """Collect the reminders and send each liaison with something to report one e-mail, at
    most one a day. Users without an e-mail address have the in-app notifications only.

    Each user's send is decided by writing their DigestLog(user, date) row in a transaction of
    its own; a second run the same day, or a second process, finds the row and sends nothing.
    The mail goes out after that commit, so no database lock is held while an SMTP server
    answers; a failed send removes the row again and the next run retries. A dry run does the
    whole collection in a transaction it rolls back, and sends nothing."""
    today = today or timezone.localdate()
    days = settings.FAZHI_REMINDER_DAYS if days is None else days
    run = DigestRun(today=today, days=days, dry_run=dry_run)
    if dry_run:
        with transaction.atomic():
            for digest in reminders_collect(today=today, days=days):
                run.deliveries.append(_dry_delivery(digest, today))
            transaction.set_rollback(True)
        return run
    for digest in reminders_collect(today=today, days=days):
        run.deliveries.append(_deliver(digest, today=today))
    sent = [d for d in run.deliveries if d.status == Delivery.SENT]
    if sent:
        audit_record(
            acting_user=SYSTEM,
            action="reminders.digest",
            summary=f"{today:%Y-%m-%d} 每日待办提醒邮件 {len(sent)} 封",
            after={
                "date": today,
                "recipients": [d.user.username for d in sent][:500],
                "items": sum(d.digest.count for d in sent),
            },
        )
    return run


def _dry_delivery(digest: Digest, today: date) -> Delivery:
    if not digest.user.email:
        return Delivery(digest, Delivery.NO_EMAIL)
    if DigestLog.objects.filter(user=digest.user, date=today).exists():
        return Delivery(digest, Delivery.ALREADY_SENT)
    return Delivery(digest, Delivery.WOULD_SEND)


def _deliver(digest: Digest, *, today: date) -> Delivery:
    import smtplib  # imported here: the digest is sent by the task worker, not the web worker

    if not digest.user.email:
        return Delivery(digest, Delivery.NO_EMAIL)
    log = _claim(digest, today)
    if log is None:
        return Delivery(digest, Delivery.ALREADY_SENT)
    try:
        # One connection per mail: an SMTP server that drops it fails one user, not the rest.
        digest_message(digest, today=today).send()
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("提醒邮件发送失败（%s）：%s", digest.user.email, exc)
        _release(log)
        return Delivery(digest, Delivery.FAILED, error=str(exc))
    return Delivery(digest, Delivery.SENT)


@transaction.atomic
def _claim(digest: Digest, today: date) -> DigestLog | None:
    log, created = DigestLog.objects.get_or_create(
        user=digest.user,
        date=today,
        defaults={"email": digest.user.email, "item_count": digest.count},
    )
    if not created:
        return None
    Notification.objects.filter(pk__in=[n.pk for n in digest.notifications]).update(digest=log)
    return log


@transaction.atomic
def _release(log: DigestLog) -> None:
    Notification.objects.filter(digest=log).update(digest=None)
    log.delete()


# -- reading ---------------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, acting_user) -> Notification:
    if notification.user_id != getattr(acting_user, "pk", None):
        raise PermissionDenied("只能处理自己的通知。")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, acting_user) -> int:
    """Mark every unread notification of the acting user read; returns how many."""
    return Notification.objects.visible_to(acting_user).unread().update(read_at=timezone.now())
