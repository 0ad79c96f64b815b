"""Rates as the survey pages show them: percentages and scores to two decimals."""

from django import template

from fazhi.surveys.results import percent, two_decimals

register = template.Library()


@register.filter
def pct(fraction):
    """0.97534 → "97.53" (a fraction shown as a percentage; the page adds the % sign)."""
    value = percent(fraction)
    return "" if value is None else f"{value:.2f}"


@register.filter
def dec(value):
    value = two_decimals(value)
    return "" if value is None else f"{value:.2f}"


@register.filter
def signed(value):
    """A change in percentage points: +1.25, −0.50, or nothing."""
    if value is None:
        return ""
    return f"+{value:.2f}" if value > 0 else f"{value:.2f}".replace("-", "−")
