"""The digest e-mail: plain text with an HTML alternative, built from a user's Digest."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from fazhi.plans.selectors import Digest

SUBJECT = "【法治创建平台】每日待办提醒（{count}项）"
# A unit with a hundred overdue items gets a readable mail, not a hundred rows per section: the
# rest are a click away on the notifications page.
ROWS_PER_SECTION = 30


def absolute(path: str) -> str:
    """Mails are read outside the platform: links need the address users reach it at."""
    return settings.FAZHI_BASE_URL.rstrip("/") + path


def digest_context(digest: Digest, *, today: date) -> dict:
    return {
        "user": digest.user,
        "today": today,
        "count": digest.count,
        "sections": [
            {
                "label": label,
                "count": len(notes),
                "more": max(0, len(notes) - ROWS_PER_SECTION),
                "rows": [_row(note) for note in notes[:ROWS_PER_SECTION]],
            }
            for label, notes in digest.sections()
        ],
        "notifications_url": absolute(reverse("plans:notifications")),
    }


def _row(note) -> dict:
    """An item's notice shows the campaign, code and deadline; a plan measure's or a finding's
    shows its own sentence and opens its page."""
    if note.item_id is None:
        return {"note": note, "item": None, "url": absolute(note.link)}
    return {
        "note": note,
        "item": note.item,
        "campaign": note.item.campaign,
        "url": absolute(reverse("campaigns:item", args=[note.item_id])),
    }


def digest_message(digest: Digest, *, today: date, connection=None) -> EmailMultiAlternatives:
    context = digest_context(digest, today=today)
    message = EmailMultiAlternatives(
        subject=SUBJECT.format(count=digest.count),
        body=render_to_string("plans/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.user.email],
        connection=connection,
    )
    message.attach_alternative(render_to_string("plans/email/digest.html", context), "text/html")
    return message
