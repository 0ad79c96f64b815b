from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def points(value):
    """10.00 → 10, 2.50 → 2.5, None → —"""
    if value in (None, ""):
        return "—"
    value = Decimal(str(value))
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced, for sort and page links."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
