"""The staffing tests load the reference data their app depends on, and nothing else.

``loaddemo`` also runs the other apps' demo modules; loading only the communities and the
staffing data here keeps these tests about this app (``test_demo.py`` checks that the
staffing part of ``loaddemo`` is idempotent).
"""

import pytest


@pytest.fixture
def demo(db):
    from communities import demo as communities_demo
    from communities.models import Committee, Street
    from staffing import demo as staffing_demo

    context = communities_demo.load()
    context.update(staffing_demo.load(context))
    streets = {s.short_name: s for s in Street.objects.all()}
    return {
        "streets": streets,
        "committees": {c.name: c for c in Committee.objects.all()},
        "positions": context["positions"],
        "context": context,
    }
