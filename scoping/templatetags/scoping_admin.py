"""Template helpers of the registers' admin pages."""

import re

from django import template
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()

# What iri_to_uri leaves as it is (its ``quote``'s safe characters, letters and digits): a
# link made only of these (every link the admin's urlencode makes) needs no quoting.
_URI_AS_IS = re.compile(r"[A-Za-z0-9_.\-~/#%\[\]=:;$&()+,!?*@']*")


@register.filter
def filter_items(choices):
    """A list filter's ``<li>`` items (templates/admin/filter.html) in one pass: the HTML of
    the admin's own template loop (each link through ``iriencode``, then escaped; the text
    escaped), without resolving four template variables per choice, which for a filter of
    1,000 streets cost more than the rest of the page."""
    items = []
    for choice in choices:
        link = str(choice["query_string"])
        if not _URI_AS_IS.fullmatch(link):
            link = iri_to_uri(link)
        selected = ' class="selected"' if choice["selected"] else ""
        items.append(
            f'<li{selected}><a href="{escape(link)}">{conditional_escape(choice["display"])}</a></li>'
        )
    return mark_safe("\n".join(items))
