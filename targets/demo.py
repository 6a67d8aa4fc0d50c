"""The work target the document gives (``loaddemo``): the one-stop service, in 12 pilot
committees at mid-year, to reach 28 by the end of 2006. Idempotent."""

from django.db import transaction

from .models import Target

TARGETS = [
    # indicator, year, target, note
    ("one_stop", 2006, 28, "年底前开展“一站式”服务的社区达到28个"),
]


@transaction.atomic
def load(context=None):
    for indicator, year, target, note in TARGETS:
        Target.objects.update_or_create(
            indicator=indicator, year=year, street=None, defaults={"target": target, "note": note}
        )
    return {}
