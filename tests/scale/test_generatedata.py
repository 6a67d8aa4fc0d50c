"""generatedata: counts as asked, refused on a database that holds data, usable accounts."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from communities.models import Committee, District, Street
from facilities.models import Premises
from returns.models import QuarterlyReturn, ReturnStatus
from staffing.models import Person, Posting

SMALL = [
    "--districts",
    "3",
    "--streets",
    "12",
    "--committees",
    "150",
    "--postings",
    "900",
    "--premises",
    "400",
]


def run(*args):
    out = io.StringIO()
    call_command("generatedata", *args, stdout=out)
    return out.getvalue()


def generated(model, field):
    return model.objects.filter(**{f"{field}__startswith": "T"}).count()


@pytest.mark.django_db
def test_refuses_a_database_with_data(demo):
    with pytest.raises(CommandError, match="--force"):
        run(*SMALL, "--prefix", "T")
    assert generated(Committee, "code") == 0


@pytest.mark.django_db
def test_counts_as_asked_then_a_second_run_is_refused(demo):
    output = run(*SMALL, "--prefix", "T", "--force", "--password", "Secret-pass-42")
    assert "150 committees" in output
    assert generated(District, "code") == 3
    assert generated(Street, "code") == 12
    assert generated(Committee, "code") == 150
    ours = Committee.objects.filter(code__startswith="T")
    assert Posting.objects.filter(committee__in=ours).count() == 900
    assert Person.objects.filter(street__code__startswith="T").count() == 900
    assert Premises.objects.filter(committee__in=ours).count() == 400
    # Every committee has staff and premises; streets hold committees evenly.
    assert not ours.filter(postings__isnull=True).exists()
    assert not ours.filter(premises__isnull=True).exists()
    assert {s.committees.count() for s in Street.objects.filter(code__startswith="T")} == {12, 13}
    # Four quarters: 1-3 approved for every committee that existed then; Q4 partly in.
    returns = QuarterlyReturn.objects.filter(committee__in=ours, year=2006)
    assert {r.quarter for r in returns} == {1, 2, 3, 4}
    assert not returns.filter(quarter__lt=4).exclude(status=ReturnStatus.APPROVED).exists()
    assert returns.filter(quarter=1).count() >= 140
    # One street user per street, in the street group, with the given password.
    users = User.objects.filter(username__startswith="street-TS")
    assert users.count() == 12
    user = users.get(username="street-TS00000")
    assert user.street.code == "TS00000" and user.check_password("Secret-pass-42")
    assert user.has_perm("returns.submit_quarterlyreturn")
    clerk = User.objects.get(username="tclerk")
    assert clerk.role == "clerk" and clerk.has_perm("returns.approve_quarterlyreturn")

    with pytest.raises(CommandError, match="already holds"):
        run(*SMALL, "--prefix", "U")
    assert generated(Committee, "code") == 150


@pytest.mark.django_db
def test_bad_sizes_are_refused(demo):
    with pytest.raises(CommandError, match="districts"):
        run("--districts", "5", "--streets", "2", "--committees", "10", "--force")


@pytest.mark.django_db
def test_generated_street_user_sees_only_their_street(demo, client):
    run(*SMALL, "--prefix", "T", "--force", "--password", "Secret-pass-42")
    user = User.objects.get(username="street-TS00001")
    client.force_login(user)
    response = client.get("/returns/2006/4/")
    assert response.status_code == 200
    page = response.content.decode()
    mine = list(Committee.objects.filter(street=user.street).values_list("code", flat=True))
    assert all(f"row-{code}" in page for code in mine)
    assert "row-TC000000" not in page  # street TS00000's first committee
