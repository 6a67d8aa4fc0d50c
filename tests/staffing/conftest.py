"""The staffing tests' view of the reference data (loaded once per session by
``tests/conftest.py``), with the positions by code."""

import pytest


@pytest.fixture
def demo(demo):
    from communities.models import Committee, Street
    from staffing.models import Position

    positions = {p.code: p for p in Position.objects.all()}
    streets = {s.short_name: s for s in Street.objects.all()}
    committees = {c.name: c for c in Committee.objects.all()}
    return {
        **demo,
        "streets": streets,
        "committees": committees,
        "positions": positions,
        "context": {"streets": streets, "committees": committees, "positions": positions},
    }
