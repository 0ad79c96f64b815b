"""Reads of the public questionnaire, made cheap enough for hundreds of submissions a second.

A respondent opens a stratum's page and submits it: two requests that must each cost little
more than the framework's own floor (bench/surveys.py). What they read falls in two parts:

- what changes while collection runs — the stratum's quota and how many answered it, whether
  the wave is open — is read fresh on every request, in one SQL statement (`status_by_key`);
- what does not — the stratum's and wave's names, the items, the scale — is kept per process
  as the page already rendered (`form_of`), split around the single-use token. It is built
  again when the wave's items change (the status carries their count and last id) and at most
  FORM_SECONDS after anything else changed (a renamed wave, a new scale).

The ORM would build both statements anew on each request; at this rate building them cost
more than running them, so they are written out (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from fazhi.surveys.models import Stratum
from fazhi.surveys.scales import Scale

FORM_SECONDS = 30
TOKEN_MARK = "\x00token\x00"

CLOSED = "本次测评的在线问卷已结束，感谢您的关注。"


@dataclass(frozen=True)
class Status:
    """A stratum's collection as it stands now."""

    key: str
    stratum_id: int
    wave_id: int
    target: int
    respondent_type: str
    is_open: bool
    starts_on: dt.date | None
    ends_on: dt.date | None
    answered: int
    items: tuple[int, int | None]  # the wave's item count and last id: the form's version


@dataclass(frozen=True)
class Form:
    """A stratum's questionnaire as shown: the page around its token, the thanks page, and
    what a submission is checked against (the items in order, the scale's size)."""

    stratum: Stratum
    label: str
    item_ids: tuple[int, ...]
    titles: dict[int, str]
    choices: int
    blank: int
    head: str
    tail: str
    thanks: str
    items: tuple[int, int | None]
    built: float

    def page(self, token: str) -> str:
        return f"{self.head}{token}{self.tail}"


_STATUS_SQL = """
SELECT s.id, s.wave_id, s.target, s.respondent_type, w.is_open, w.starts_on, w.ends_on,
       (SELECT COUNT(*) FROM surveys_respondent r WHERE r.stratum_id = s.id),
       (SELECT COUNT(*) FROM surveys_item i WHERE i.wave_id = s.wave_id),
       (SELECT MAX(i.id) FROM surveys_item i WHERE i.wave_id = s.wave_id)
FROM surveys_stratum s JOIN surveys_wave w ON w.id = s.wave_id
WHERE s.key = %s
"""


def status_by_key(key: str) -> Status | None:
    with connection.cursor() as cursor:
        cursor.execute(_STATUS_SQL, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    stratum, wave, target, kind, is_open, starts, ends, answered, count, last = row
    return Status(
        key, stratum, wave, target, kind, bool(is_open), _date(starts), _date(ends), answered,
        (count, last),
    )  # fmt: skip


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def refusal(status: Status, form: Form) -> str | None:
    """Why the stratum takes no response now (closed, not yet open, its quota met), or None."""
    today = timezone.localdate()
    if not status.is_open or (status.ends_on and today > status.ends_on):
        return CLOSED
    if status.starts_on and today < status.starts_on:
        return f"本次测评的在线问卷将于 {status.starts_on:%Y年%m月%d日} 开始。"
    if status.answered >= status.target:
        return f"{form.label}的样本已收满，问卷已关闭，感谢您的支持。"
    return None


_forms: dict[str, Form] = {}
_building = threading.Lock()


def form_of(status: Status) -> Form:
    """The stratum's questionnaire, from this process's keeping while it is current."""
    form = _forms.get(status.key)
    if form is None or form.items != status.items or time.monotonic() - form.built > FORM_SECONDS:
        with _building:
            form = _build(status)
            _forms[status.key] = form
    return form


def forget_forms() -> None:
    """Drop every kept page (tests that change a wave in place)."""
    _forms.clear()


def _build(status: Status) -> Form:
    stratum = Stratum.objects.select_related("wave__region").get(pk=status.stratum_id)
    wave = stratum.wave
    scale = Scale.of(wave.scale, wave.aliases)
    items = list(wave.items.all())
    labels = list(enumerate(scale.labels))
    context = {"stratum": stratum, "wave": wave, "items": items, "labels": labels}
    page = render_to_string(
        "surveys/public_page.html",
        {**context, "token": TOKEN_MARK, "body": "surveys/_public_answer.html"},
    )
    head, tail = page.split(TOKEN_MARK)
    thanks = render_to_string(
        "surveys/public_page.html", {"stratum": stratum, "body": "surveys/_public_thanks.html"}
    )
    return Form(
        stratum=stratum,
        label=str(stratum),
        item_ids=tuple(item.pk for item in items),
        titles={item.pk: item.title for item in items},
        choices=len(scale.labels),
        blank=scale.blank,
        head=head,
        tail=tail,
        thanks=thanks,
        items=status.items,
        built=time.monotonic(),
    )
