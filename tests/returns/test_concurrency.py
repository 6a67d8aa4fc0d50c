"""Two people saving the same return at once: the second is refused, nothing is lost."""

import pytest
from django.urls import reverse

from returns.models import QuarterlyReturn
from returns.workflow import StaleVersion, return_save

from .conftest import grid_data, prefixes

pytestmark = pytest.mark.django_db


def url(street):
    return reverse("returns:return-grid", args=[2007, 1]) + f"?street={street.pk}"


def test_second_save_of_the_same_return_is_refused_and_loses_nothing(clients, second_nanhu, demo):
    street = demo["streets"]["南湖"]
    first, (_user2, second) = clients["nanhu"], second_nanhu
    page_one, page_two = first.get(url(street)), second.get(url(street))
    rows = prefixes(page_one)
    row = rows["南湖东路社区"]
    before = QuarterlyReturn.objects.get(committee__name="南湖东路社区", year=2007, quarter=1)

    one = grid_data(page_one)
    one[f"{row}-households"] = "2490"
    one[f"{row}-note"] = "第一人填写"
    one["action"] = "save"
    assert first.post(url(street), one).status_code == 302

    two = grid_data(page_two)
    two[f"{row}-households"] = "2499"
    two[f"{row}-volunteers"] = "99"
    two["action"] = "save"
    response = second.post(url(street), two)
    assert response.status_code == 409
    # Told the return changed, by whom and what.
    message = " ".join(str(m) for m in response.context["messages"])
    assert "南湖东路社区" in message and "street-南湖" in message
    assert "户数现为2490" in message and "备注现为第一人填写" in message
    # The second's input is shown again ...
    form = {line["row"].committee.name: line["form"] for line in response.context["lines"]}[
        "南湖东路社区"
    ]
    assert form["households"].value() == "2499" and form["volunteers"].value() == "99"
    # ... and the first's work is intact.
    saved = QuarterlyReturn.objects.get(pk=before.pk)
    assert (
        saved.households == 2490
        and saved.note == "第一人填写"
        and saved.volunteers == before.volunteers
    )
    assert saved.version == before.version + 1

    # Having seen the message, the second saves again on purpose: it now goes through.
    again = grid_data(response)
    again["action"] = "save"
    assert second.post(url(street), again).status_code == 302
    saved.refresh_from_db()
    assert saved.households == 2499 and saved.volunteers == 99
    assert saved.note == "第一人填写"  # the second never touched the note


def test_rows_the_second_did_not_touch_are_not_conflicts(clients, second_nanhu, demo):
    street = demo["streets"]["南湖"]
    first, (_user2, second) = clients["nanhu"], second_nanhu
    page_one, page_two = first.get(url(street)), second.get(url(street))
    rows = prefixes(page_one)
    one = grid_data(page_one)
    one[f"{rows['南湖东路社区']}-households"] = "2491"
    one["action"] = "save"
    first.post(url(street), one)
    two = grid_data(page_two)
    two[f"{rows['凤栖苑社区']}-households"] = "2570"
    two["action"] = "save"
    assert second.post(url(street), two).status_code == 302
    assert (
        QuarterlyReturn.objects.get(committee__name="南湖东路社区", year=2007, quarter=1).households
        == 2491
    )
    assert (
        QuarterlyReturn.objects.get(committee__name="凤栖苑社区", year=2007, quarter=1).households
        == 2570
    )


def test_return_save_refuses_a_stale_version(users, demo):
    item = QuarterlyReturn.objects.get(committee__name="南湖东路社区", year=2007, quarter=1)
    committee = item.committee
    return_save(
        committee=committee,
        year=2007,
        quarter=1,
        user=users["nanhu"],
        data={"households": 2500},
        version=item.version,
    )
    with pytest.raises(StaleVersion) as caught:
        return_save(
            committee=committee,
            year=2007,
            quarter=1,
            user=users["nanhu"],
            data={"households": 2600},
            version=item.version,
            original={"households": item.households},
        )
    assert [c.field for c in caught.value.changes] == ["households"]
    item.refresh_from_db()
    assert item.households == 2500
