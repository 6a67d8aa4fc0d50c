from django import template

from reports.numbers import grouped as grouped_number

register = template.Library()


@register.filter
def grouped(value, places=0):
    """``{{ amount|grouped:2 }}``: 4,074,000.00 whatever the locale's separator."""
    return grouped_number(value, int(places))
