"""The returns demo is idempotent and matches the brief."""

import io

import pytest
from django.core.management import call_command

from returns.models import QuarterlyReturn, ReturnEvent, ReturnStatus

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(QuarterlyReturn.objects.order_by("pk").values()),
        list(ReturnEvent.objects.order_by("pk").values()),
    )


def test_loaddemo_twice_changes_no_return(demo):
    call_command("loaddemo", stdout=io.StringIO())
    first = snapshot()
    call_command("loaddemo", stdout=io.StringIO())
    assert snapshot() == first
    current = QuarterlyReturn.objects.filter(year=2007, quarter=1)
    assert {r.status for r in current} == {ReturnStatus.DRAFT, ReturnStatus.RETURNED}
    assert QuarterlyReturn.objects.filter(year=2006).count() == 38 * 4
