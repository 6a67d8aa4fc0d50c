"""End to end with the test client: fill, error and warning, comment, submit; return one,
approve the rest in bulk; correct and resubmit; approve; locked; reopen; changed flag."""

import pytest
from django.urls import reverse

from returns.models import QuarterlyReturn, ReturnEvent, ReturnStatus

from .conftest import grid_data, prefixes

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2007, 1


def grid_url(street):
    return reverse("returns:return-grid", args=[YEAR, QUARTER]) + f"?street={street.pk}"


def review_url():
    return reverse("returns:return-review", args=[YEAR, QUARTER])


def nanhu_returns():
    return {
        r.committee.name: r
        for r in QuarterlyReturn.objects.filter(
            year=YEAR, quarter=QUARTER, committee__street__short_name="南湖"
        ).select_related("committee")
    }


def texts(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_whole_journey(clients, users, demo):
    nanhu = demo["streets"]["南湖"]
    street_client, clerk, admin = clients["nanhu"], clients["clerk"], clients["admin"]

    # 1. The street user fills the grid from last quarter's figures ---------------------------
    page = street_client.get(grid_url(nanhu))
    assert page.status_code == 200
    rows = prefixes(page)
    assert len(rows) == 9 and "沿河社区" in rows
    data = grid_data(page)
    for line in page.context["lines"]:
        prefix = line["form"].prefix
        previous = line["row"].previous
        for name in (
            "households",
            "registered_population",
            "resident_population",
            "volunteers",
            "activities",
            "one_stop_cases",
        ):
            if data[f"{prefix}-{name}"] == "":
                data[f"{prefix}-{name}"] = str(getattr(previous, name))
    # A blocking error: more households than people.
    data[f"{rows['文体社区']}-registered_population"] = "100"
    # A warning: households up by a third on last quarter.
    data[f"{rows['长虹社区']}-households"] = "2600"
    data["action"] = "submit_all"
    response = street_client.post(grid_url(nanhu), data)
    # Saved, then the confirmation: what will not be submitted, and why.
    assert response.status_code == 200
    plan = {line.committee.name: line for line in response.context["plan"]}
    assert "户数多于户籍人口。" in plan["文体社区"].reasons  # the error, from the rule's message
    assert any("户数较上季度变动超过20%" in r for r in plan["长虹社区"].reasons)  # the warning
    said = response.content.decode()
    assert "户数多于户籍人口" in said and "户数较上季度变动超过20%" in said
    saved = nanhu_returns()
    assert len(saved) == 9  # every row saved as draft: nothing typed is lost
    assert saved["文体社区"].registered_population == 100
    assert {r.status for r in saved.values()} <= {ReturnStatus.DRAFT, ReturnStatus.RETURNED}
    # The grid shows the findings beside the rows.
    page = street_client.get(grid_url(nanhu))
    body = page.content.decode()
    assert "错误" in body and "预警" in body

    # 2. Correct the error, explain the warnings in the comment, submit the whole street -----
    data = grid_data(page)
    rows = prefixes(page)
    data[f"{rows['文体社区']}-registered_population"] = "8015"
    for line in page.context["lines"]:
        prefix = line["form"].prefix
        if line["findings"]:
            data[f"{prefix}-comment"] = "新楼盘入住，户数增加；规划调整中。"
    data["action"] = "submit_all"
    response = street_client.post(grid_url(nanhu), data)
    assert [line.ready for line in response.context["plan"]] == [True] * 9
    assert {str(r.status) for r in nanhu_returns().values()} <= {"draft", "returned"}  # not yet
    data = grid_data(response)
    data["action"] = "confirm_all"
    data["confirmed"] = [line.committee.pk for line in response.context["plan"]]
    response = street_client.post(grid_url(nanhu), data, follow=True)
    assert "已上报 9 份报表。" in " ".join(texts(response)), texts(response)
    saved = nanhu_returns()
    assert {r.status for r in saved.values()} == {ReturnStatus.SUBMITTED}

    # 3. The clerk returns one with a reason and approves the rest in bulk ---------------------
    review = clerk.get(review_url() + f"?street={nanhu.pk}")
    assert review.status_code == 200
    yanhe = saved["沿河社区"]
    response = clerk.post(
        review_url(), {"action": "send_back", "ids": [yanhe.pk], "reason": "常住人口偏低，请核实。"}
    )
    assert response.status_code == 302
    rest = [r.pk for name, r in saved.items() if name != "沿河社区"]
    clerk.post(review_url(), {"action": "approve", "ids": rest})
    saved = nanhu_returns()
    assert saved["沿河社区"].status == ReturnStatus.RETURNED
    assert saved["沿河社区"].reason == "常住人口偏低，请核实。"
    assert all(r.status == ReturnStatus.APPROVED for n, r in saved.items() if n != "沿河社区")
    event = ReturnEvent.objects.filter(
        quarterly_return=yanhe, to_status=ReturnStatus.RETURNED
    ).last()
    assert event.actor == users["clerk"] and event.reason == "常住人口偏低，请核实。"
    assert event.from_status == ReturnStatus.SUBMITTED and event.at is not None

    # 4. The street user sees the reason, corrects and resubmits the one -----------------------
    page = street_client.get(grid_url(nanhu))
    assert "常住人口偏低，请核实。" in page.content.decode()
    data = grid_data(page)
    rows = prefixes(page)
    data[f"{rows['沿河社区']}-resident_population"] = "6000"
    data[f"{rows['沿河社区']}-select"] = "on"
    data["action"] = "confirm_selected"
    data["confirmed"] = [yanhe.committee_id]
    street_client.post(grid_url(nanhu), data)
    yanhe.refresh_from_db()
    assert yanhe.status == ReturnStatus.SUBMITTED and yanhe.resident_population == 6000

    # 5. The clerk approves it, one by one ------------------------------------------------------
    clerk.post(review_url(), {"approve_one": yanhe.pk})
    yanhe.refresh_from_db()
    assert yanhe.status == ReturnStatus.APPROVED
    assert yanhe.approved_figures["resident_population"] == 6000

    # 6. Locked: the grid shows no input for it, and a forged post changes nothing -------------
    page = street_client.get(grid_url(nanhu))
    form = dict((line["row"].committee.name, line["form"]) for line in page.context["lines"])[
        "沿河社区"
    ]
    assert form.editable is False
    assert f'name="{form.prefix}-households"' not in page.content.decode()
    data = grid_data(page)
    data[f"{form.prefix}-households"] = "1"
    data["action"] = "save"
    street_client.post(grid_url(nanhu), data)
    yanhe.refresh_from_db()
    assert yanhe.households != 1
    # Neither the street nor the clerk can reopen it.
    for who in ("nanhu", "clerk"):
        clients[who].post(review_url(), {"action": "reopen", "ids": [yanhe.pk], "reason": "x"})
        yanhe.refresh_from_db()
        assert yanhe.status == ReturnStatus.APPROVED

    # 7. An administrator reopens it with a reason ---------------------------------------------
    response = admin.post(review_url(), {"action": "reopen", "ids": [yanhe.pk], "reason": ""})
    yanhe.refresh_from_db()
    assert yanhe.status == ReturnStatus.APPROVED  # no reason, no reopening
    admin.post(
        review_url(), {"action": "reopen", "ids": [yanhe.pk], "reason": "派出所更正了户籍数据。"}
    )
    yanhe.refresh_from_db()
    assert yanhe.status == ReturnStatus.DRAFT
    assert yanhe.changed_since_approval is False
    event = yanhe.events.last()
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        users["admin"],
        ReturnStatus.APPROVED,
        ReturnStatus.DRAFT,
        "派出所更正了户籍数据。",
    )

    # 8. The street changes it: the changed-since-approval flag shows --------------------------
    page = street_client.get(grid_url(nanhu))
    data = grid_data(page)
    rows = prefixes(page)
    data[f"{rows['沿河社区']}-registered_population"] = "5600"
    data["action"] = "save"
    street_client.post(grid_url(nanhu), data)
    yanhe.refresh_from_db()
    assert yanhe.changed_since_approval is True
    assert "审核后已修改" in street_client.get(grid_url(nanhu)).content.decode()
    assert "审核后已修改" in clerk.get(review_url() + "?status=draft").content.decode()
    history = street_client.get(reverse("returns:return-history", args=[yanhe.pk]))
    # The demo had it submitted and returned once already; then this journey.
    assert [e.to_status for e in history.context["events"]][-5:] == [
        ReturnStatus.SUBMITTED,
        ReturnStatus.RETURNED,
        ReturnStatus.SUBMITTED,
        ReturnStatus.APPROVED,
        ReturnStatus.DRAFT,
    ]


def test_admin_actions_use_the_same_workflow(clients, users, demo):
    """The admin's 'send back' asks for a reason on an intermediate page, then records it."""
    item = QuarterlyReturn.objects.get(year=2006, quarter=4, committee__name="滨湖社区")
    url = reverse("admin:returns_quarterlyreturn_changelist")
    # Approved: only reopening applies; the clerk has no reopen action.
    response = clients["clerk"].post(
        url, {"action": "reopen_selected", "_selected_action": [item.pk]}
    )
    item.refresh_from_db()
    assert item.status == ReturnStatus.APPROVED
    response = clients["admin"].post(
        url, {"action": "reopen_selected", "_selected_action": [item.pk]}
    )
    assert response.status_code == 200 and "reason" in response.content.decode()
    clients["admin"].post(
        url,
        {
            "action": "reopen_selected",
            "_selected_action": [item.pk],
            "apply": "1",
            "reason": "复核",
        },
    )
    item.refresh_from_db()
    assert item.status == ReturnStatus.DRAFT and item.events.last().reason == "复核"


def test_a_bare_post_to_the_grid_is_refused_cleanly(clients):
    from returns.models import QuarterlyReturn

    before = QuarterlyReturn.objects.count()
    response = clients["nanhu"].post("/returns/2006/4/", {})
    assert response.status_code == 302
    assert QuarterlyReturn.objects.count() == before
    assert clients["viewer"].post("/returns/2006/4/", {}).status_code == 403
