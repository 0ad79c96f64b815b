from django import template

from fazhi.frameworks.tree import points_label

register = template.Library()


@register.filter
def points(value):
    """10.00 → 10, 2.50 → 2.5, None → —"""
    return points_label(None if value == "" else value)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced, for sort and page links."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()
