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


@register.filter
def get(mapping, key):
    """`{{ scores|get:side }}`: a dict's value for a key held in a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None
