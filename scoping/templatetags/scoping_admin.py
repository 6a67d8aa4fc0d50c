"""Template helpers of the registers' admin pages."""

from django import template
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

SELECTED = mark_safe(' class="selected"')


@register.filter
def filter_items(choices):
    """A list filter's ``<li>`` items (templates/admin/filter.html) in one pass: the HTML of
    the admin's own template loop (each link through ``iriencode``, text escaped), without
    resolving four template variables per choice, which for a filter of 1,000 streets cost
    more than the rest of the page."""
    return format_html_join(
        "\n",
        '<li{}><a href="{}">{}</a></li>',
        (
            (
                SELECTED if choice["selected"] else "",
                iri_to_uri(choice["query_string"]),
                choice["display"],
            )
            for choice in choices
        ),
    )
