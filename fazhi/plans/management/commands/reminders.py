"""fazhi reminders — collect today's reminders and send the daily digest e-mails.

Safe to run as often as one likes (from cron, a systemd timer, or by hand): a fact is notified
once, and a liaison gets one digest e-mail a day at most."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fazhi.plans.services import Delivery, send_daily_digest

STATUS_LABELS = {
    Delivery.SENT: "已发送",
    Delivery.WOULD_SEND: "将发送",
    Delivery.ALREADY_SENT: "今日已发送过",
    Delivery.NO_EMAIL: "无邮箱，仅站内通知",
    Delivery.FAILED: "发送失败",
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


class Command(BaseCommand):
    help = "每日待办提醒：临近截止、已逾期、被退回的任务项，生成站内通知并给联络员发送汇总邮件。"

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date, help="按哪一天计算（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--days",
            type=int,
            help=f"截止前几天开始提醒，默认 FAZHI_REMINDER_DAYS（{settings.FAZHI_REMINDER_DAYS}）",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只显示将发送什么，不保存通知、不发送邮件"
        )

    def handle(self, *args, date=None, days=None, dry_run=False, **options):
        if days is not None and days < 0:
            raise CommandError("--days 不能为负数。")
        run = send_daily_digest(today=date, days=days, dry_run=dry_run)
        self.stdout.write(
            f"{run.today:%Y-%m-%d}，截止前 {run.days} 天提醒"
            + ("（试运行：不保存通知，不发送邮件）" if run.dry_run else "")
        )
        for delivery in run.deliveries:
            digest = delivery.digest
            user = delivery.user
            counts = "，".join(f"{label} {len(notes)}" for label, notes in digest.sections())
            address = f" <{user.email}>" if user.email else ""
            line = f"{STATUS_LABELS[delivery.status]}\t{user.username}{address}\t{digest.count} 项（{counts}）"
            if delivery.error:
                line += f"\t{delivery.error}"
            self.stdout.write(line)
        sent = run.count(Delivery.WOULD_SEND if dry_run else Delivery.SENT)
        summary = f"{'将发送' if dry_run else '共发送'} {sent} 封提醒邮件。"
        if not run.deliveries:
            summary = "没有需要提醒的任务项。"
        self.stdout.write(self.style.SUCCESS(summary))
        if run.count(Delivery.FAILED):
            raise CommandError(f"{run.count(Delivery.FAILED)} 封邮件发送失败，下次运行时重试。")
