"""Shared list machinery: the bounds every list parameter keeps to, in the API and on the pages;
reading a page's filters from its query string without failing on odd values; pagination that
keeps the current filters.

Odd values come from old bookmarks, hand-edited addresses, pasted text and scanners. An id past
64 bits overflows SQLite's integer (OverflowError) and PostgreSQL's bigint (DataError), and
`"²".isdigit()` is true while `int("²")` fails: ids are read here, once, for everyone."""

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Annotated

from django.contrib import messages
from django.core.paginator import Paginator
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from pydantic import Field

DEFAULT_PAGE_SIZE = 25
MAX_ID = 2**63 - 1  # ids are BigAutoField on both databases
# The search boxes' maxlength. It also keeps an address well inside the web server's request
# line (a Chinese character takes 9 bytes percent-encoded).
MAX_SEARCH_LENGTH = 100
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)  # of a date filter

# API parameter types: a value outside them is refused with 422 naming the parameter.
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="编号（正整数）")]
SearchText = Annotated[str, Field(max_length=MAX_SEARCH_LENGTH)]


def parse_number(value, *, least: int = 0) -> int | None:
    """A whole number from `least` up to 2⁶³−1 written in ASCII digits, or None."""
    value = str(value if value is not None else "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if least <= number <= MAX_ID else None


def parse_id(value) -> int | None:
    """A positive 64-bit id written in ASCII digits, or None."""
    return parse_number(value, least=1)


def too_long_note(length: int) -> str:
    return f"搜索词过长（{length} 个字），只按前 {MAX_SEARCH_LENGTH} 个字查找。"


class QueryFilters:
    """A page's query string read for its filters. A value that cannot be what its filter
    expects is dropped (a search longer than the box is cut) and `notes` says so, for the page
    to show, instead of the page failing or silently showing everything."""

    def __init__(self, params):
        self.params = params
        self.notes: list[str] = []

    def text(self, key: str) -> str:
        return str(self.params.get(key, "") or "").strip()

    def search(self, key: str) -> str:
        value = self.text(key)
        if len(value) > MAX_SEARCH_LENGTH:
            self.notes.append(too_long_note(len(value)))
            value = value[:MAX_SEARCH_LENGTH].strip()
        return value

    def id(self, key: str, label: str) -> int | None:
        raw = self.text(key)
        number = parse_id(raw)
        if raw and number is None:
            self.notes.append(f"筛选条件“{label}”的值无效，已忽略。")
        return number

    def date(self, key: str, label: str) -> date | None:
        raw = self.text(key)
        try:
            value = date.fromisoformat(raw) if raw else None
        except ValueError:
            value = None
        # Far years are refused too: 0001-01-01 in Beijing time is year 0 in UTC, which the
        # database driver cannot convert.
        if raw and not (value and EARLIEST_DATE <= value <= LATEST_DATE):
            self.notes.append(f"“{label}”不是有效日期（应为 2025-03-31 这样的格式），已忽略。")
            return None
        return value

    def flag(self, key: str) -> bool:
        return self.params.get(key) == "1"


def show_notes(request, notes) -> None:
    """Tell the user which filters of the address were dropped, once each."""
    shown = request.__dict__.setdefault("_filter_notes_shown", set())
    for note in notes:
        if note not in shown:
            shown.add(note)
            messages.warning(request, note, fail_silently=True)


def read_search(request, key: str = "q") -> str:
    """A page's search box value, cut to the box's length with a note when longer."""
    filters = QueryFilters(request.GET)
    value = filters.search(key)
    show_notes(request, filters.notes)
    return value


def paginate(request, queryset, *, per_page: int = DEFAULT_PAGE_SIZE):
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))  # anything odd: the first or last page
    params = request.GET.copy()
    params.pop("page", None)
    page.query_without_page = params.urlencode()
    return page


def options_html(choices, *, selected=None) -> SafeString:
    """`<option>`s of (value, label) pairs, one string built once: a list page shows the same
    long list of units in several selects, and the form widget's template per option cost
    more than the rest of the page."""
    chosen = str(selected) if selected is not None else None
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == chosen else "", label)  # noqa: S308
            for value, label in choices
        ),
    )


_PK_MARK = 2_147_483_647


def pk_url(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for the rows of a list, at the cost of one `reverse` per
    process: reversing costs ~25 µs (the resolver, the script prefix, quoting), a hundred rows'
    links a few milliseconds. For routes whose only argument is an `<int:…>` id."""
    return _pk_url(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _pk_url(name: str, prefix: str, urlconf) -> Callable[[int], str]:
    before, after = reverse(name, args=[_PK_MARK]).split(str(_PK_MARK))
    return lambda pk: f"{before}{int(pk)}{after}"
