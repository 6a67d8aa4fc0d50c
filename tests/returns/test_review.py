"""The clerk's review page: every figure with last quarter's and the change (unusual changes
marked by the rules themselves), what changed since the last approval, select all, bulk
actions that report each return's outcome, filters, order, scoping, refusals and a fixed
number of queries."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from communities.models import Committee
from returns.figures import FIGURES
from returns.models import QuarterlyReturn, ReturnEvent, ReturnStatus, ValidationRule
from returns.workflow import (
    GridChange,
    return_approve,
    return_reopen,
    return_submit,
    returns_save,
)

pytestmark = pytest.mark.django_db

YEAR, QUARTER = 2007, 1
SUBMITTED = ["南湖西路社区", "文体社区", "长虹社区", "广电社区"]


def review_url(query=""):
    return reverse("returns:return-review", args=[YEAR, QUARTER]) + query


def last_quarter(name):
    return QuarterlyReturn.objects.get(committee__name=name, year=2006, quarter=4)


def this_quarter(name):
    return QuarterlyReturn.objects.get(committee__name=name, year=YEAR, quarter=QUARTER)


def fill_and_submit(user, names, changes=None):
    """Save this quarter's figures of ``names`` through the workflow (last quarter's, with
    ``changes[name]`` applied), explained in the comment, and submit them."""
    changes = changes or {}
    grid = []
    for name in names:
        committee = Committee.objects.get(name=name)
        figures = {f: getattr(last_quarter(name), f) for f in FIGURES}
        figures.update(changes.get(name, {}))
        current = QuarterlyReturn.objects.filter(
            committee=committee, year=YEAR, quarter=QUARTER
        ).first()
        grid.append(
            GridChange(
                committee,
                {**figures, "note": "", "comment": "已核实。"},
                current.version if current else 0,
            )
        )
    saved = returns_save(year=YEAR, quarter=QUARTER, user=user, changes=grid)
    return return_submit(returns=saved, user=user)


@pytest.fixture
def submitted(users):
    """Four of 南湖's returns submitted; the demo's 南湖东路社区 stays a draft and 沿河社区
    sent back."""
    return {r.committee.name: r for r in fill_and_submit(users["nanhu"], SUBMITTED)}


def listed(response) -> list[str]:
    """The committees of the page's rows, in order, as the page shows them."""
    return re.findall(
        r'name="ids" value="\d+"(?: checked)? aria-label="([^"]+)"', response.content.decode()
    )


def row_of(body: str, pk: int) -> str:
    """The HTML of the page's row of return ``pk``."""
    return re.search(rf'<tr id="return-{pk}">(.*?)</tr>', body, re.S).group(1)


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def statuses(names):
    return {name: this_quarter(name).status for name in names}


# Every figure, last quarter and the change --------------------------------------------------


def test_every_figure_with_last_quarter_and_the_change(clients, demo, users):
    fill_and_submit(
        users["nanhu"],
        ["长虹社区"],
        {
            "长虹社区": {
                "volunteers": last_quarter("长虹社区").volunteers + 7,
                "activities": last_quarter("长虹社区").activities - 3,
            }
        },
    )
    nanhu = demo["streets"]["南湖"]
    response = clients["clerk"].get(review_url(f"?street={nanhu.pk}"))
    assert response.status_code == 200
    (line,) = [
        line for line in response.context["lines"]
        if line.quarterly_return.committee.name == "长虹社区"
    ]  # fmt: skip
    now, before = this_quarter("长虹社区"), last_quarter("长虹社区")
    assert [cell.name for cell in line.cells] == list(FIGURES)
    for cell in line.cells:
        assert cell.value == getattr(now, cell.name)
        assert cell.previous == getattr(before, cell.name)
        assert cell.change == getattr(now, cell.name) - getattr(before, cell.name)
    changes = {cell.name: cell.change for cell in line.cells}
    assert changes["volunteers"] == 7 and changes["households"] == 0
    assert changes["activities"] == -3
    body = response.content.decode()
    # Six figure columns, each with last quarter's figure; the page is in Chinese.
    for label in ("户数", "户籍人口", "常住人口", "义工", "活动", "一站式"):
        assert label in body, label
    row = row_of(body, now.pk)
    assert row.count('class="figure') == 6
    assert row.count("上季度") == 6
    assert f"{before.households:,}" in row  # last quarter's, with thousands separators
    assert "变动 +7<" in row  # the volunteers' change, signed
    assert "变动 -3<" in row
    assert row.count("持平") == 4  # the other four figures


def test_a_change_outside_the_usual_range_is_marked_by_the_rules(clients, demo, users):
    before = last_quarter("文体社区")
    fill_and_submit(
        users["nanhu"], ["文体社区"], {"文体社区": {"households": round(before.households * 1.3)}}
    )
    url = review_url(f"?street={demo['streets']['南湖'].pk}")

    def marked():
        response = clients["clerk"].get(url)
        (line,) = [
            line for line in response.context["lines"]
            if line.quarterly_return.committee.name == "文体社区"
        ]  # fmt: skip
        body = response.content.decode()
        row = row_of(body, line.quarterly_return.pk)
        return {cell.name for cell in line.cells if cell.unusual}, row

    unusual, row = marked()
    assert unusual == {"households"}
    assert 'class="figure unusual" data-figure="households"' in row
    assert "户数较上季度变动超过20%" in row  # the rule's own message, in the checks column
    # Nothing but the rule decides: switched off, nothing is marked.
    ValidationRule.objects.filter(name="户数较上季度变动超过20%").update(active=False)
    unusual, row = marked()
    assert unusual == set() and "unusual" not in row


def test_what_changed_since_the_last_approval(clients, demo, users):
    first = fill_and_submit(users["nanhu"], ["长虹社区"])
    return_approve(returns=first, user=users["clerk"])
    approved = this_quarter("长虹社区")
    return_reopen(returns=[approved], user=users["admin"], reason="派出所更正了户籍数据。")
    fill_and_submit(
        users["nanhu"],
        ["长虹社区"],
        {"长虹社区": {"registered_population": approved.registered_population + 120}},
    )
    response = clients["clerk"].get(review_url(f"?street={demo['streets']['南湖'].pk}"))
    (line,) = [
        line for line in response.context["lines"]
        if line.quarterly_return.committee.name == "长虹社区"
    ]  # fmt: skip
    changed = {cell.name: (cell.approved, cell.value) for cell in line.cells
               if cell.changed_since_approval}  # fmt: skip
    assert changed == {
        "registered_population": (
            approved.registered_population,
            approved.registered_population + 120,
        )
    }
    body = response.content.decode()
    row = row_of(body, approved.pk)
    assert "审核后已修改" in row
    old, new = approved.registered_population, approved.registered_population + 120
    assert f"户籍人口 {old:,} → {new:,}" in row
    assert f"审核时 {old:,}" in row


# Bulk actions: each return's outcome --------------------------------------------------------


def test_bulk_approval_with_a_draft_approves_the_others_and_names_the_draft(
    clients, demo, submitted
):
    chosen = [*SUBMITTED, "南湖东路社区", "沿河社区"]
    ids = [this_quarter(name).pk for name in chosen]
    response = clients["clerk"].post(review_url(), {"action": "approve", "ids": ids}, follow=True)
    assert response.status_code == 200
    assert statuses(chosen) == {
        **{name: ReturnStatus.APPROVED for name in SUBMITTED},
        "南湖东路社区": ReturnStatus.DRAFT,
        "沿河社区": ReturnStatus.RETURNED,
    }
    messages = said(response)
    assert "南湖东路社区：草稿，尚未上报，不能审核。" in messages
    assert "沿河社区：已退回，待街道修改后重新上报，不能审核。" in messages
    assert "以下 2 份报表未处理：" in messages
    assert "已审核通过 4 份报表：南湖西路社区、文体社区、长虹社区、广电社区。" in messages
    # The approvals are whole: an event each, the figures recorded as approved.
    for name in SUBMITTED:
        item = this_quarter(name)
        assert item.events.last().to_status == ReturnStatus.APPROVED
        assert item.approved_figures == item.figures()
    assert not ReturnEvent.objects.filter(
        quarterly_return__committee__name="南湖东路社区",
        quarterly_return__year=YEAR,
        to_status=ReturnStatus.APPROVED,
    ).exists()


def test_bulk_send_back_and_reopen_report_each_return(clients, users, demo, submitted):
    return_approve(returns=[submitted["广电社区"]], user=users["clerk"])
    chosen = ["长虹社区", "广电社区", "南湖东路社区"]
    ids = [this_quarter(name).pk for name in chosen]
    response = clients["clerk"].post(
        review_url(), {"action": "send_back", "ids": ids, "reason": "请核实义工人数。"}, follow=True
    )
    assert statuses(chosen) == {
        "长虹社区": ReturnStatus.RETURNED,
        "广电社区": ReturnStatus.APPROVED,
        "南湖东路社区": ReturnStatus.DRAFT,
    }
    assert this_quarter("长虹社区").reason == "请核实义工人数。"
    messages = said(response)
    assert "已退回 1 份报表：长虹社区。" in messages
    assert "广电社区：已审核通过，不能退回（如需修改，请管理员重新打开）。" in messages
    assert "南湖东路社区：草稿，尚未上报，不能退回。" in messages

    response = clients["admin"].post(
        review_url(), {"action": "reopen", "ids": ids, "reason": "区里统一更正。"}, follow=True
    )
    assert this_quarter("广电社区").status == ReturnStatus.DRAFT
    messages = said(response)
    assert "已重新打开 1 份报表（转为草稿）：广电社区。" in messages
    assert "长虹社区：状态为“已退回”，尚未审核通过；只有审核通过的报表才能重新打开。" in messages


def test_a_return_changed_after_the_page_was_opened_is_left_alone(clients, demo, submitted):
    page = clients["clerk"].get(review_url())
    wenti, changhong = this_quarter("文体社区"), this_quarter("长虹社区")
    # The page posts the version of each return it showed.
    assert f'name="version-{wenti.pk}" value="{wenti.version}"' in page.content.decode()
    response = clients["clerk"].post(
        review_url(),
        {
            "action": "approve",
            "ids": [wenti.pk, changhong.pk],
            f"version-{wenti.pk}": wenti.version - 1,  # someone changed it meanwhile
            f"version-{changhong.pk}": changhong.version,
        },
        follow=True,
    )
    assert statuses(["文体社区", "长虹社区"]) == {
        "文体社区": ReturnStatus.SUBMITTED,
        "长虹社区": ReturnStatus.APPROVED,
    }
    (refusal,) = [m for m in said(response) if m.startswith("文体社区：")]
    assert "修改了这份报表" in refusal and "本次未处理" in refusal


def test_one_outcome_per_return_from_the_workflow(users, demo, submitted):
    """The one workflow: outcomes in the order given, refused ones untouched."""
    from returns.workflow import returns_review

    draft = this_quarter("南湖东路社区")
    before = draft.version
    outcomes = returns_review(
        action="approve", returns=[submitted["文体社区"], draft], user=users["clerk"]
    )
    assert [(o.quarterly_return.committee.name, o.done) for o in outcomes] == [
        ("文体社区", True),
        ("南湖东路社区", False),
    ]
    assert outcomes[1].message == "南湖东路社区：草稿，尚未上报，不能审核。"
    draft.refresh_from_db()
    assert draft.status == ReturnStatus.DRAFT and draft.version == before


def test_sending_back_without_a_reason_keeps_the_selection(clients, demo, submitted):
    ids = [this_quarter("文体社区").pk, this_quarter("长虹社区").pk]
    response = clients["clerk"].post(review_url(), {"action": "send_back", "ids": ids})
    assert response.status_code == 400
    assert "退回或重新打开报表时须填写原因。" in said(response)
    body = response.content.decode()
    for pk in ids:
        assert f'name="ids" value="{pk}" checked' in body
    assert statuses(["文体社区", "长虹社区"]) == {
        "文体社区": ReturnStatus.SUBMITTED,
        "长虹社区": ReturnStatus.SUBMITTED,
    }


# Select all ----------------------------------------------------------------------------------


def test_select_all_works_without_javascript(clients, demo, submitted):
    nanhu = demo["streets"]["南湖"]
    page = clients["clerk"].get(review_url(f"?street={nanhu.pk}"))
    body = page.content.decode()
    assert 'name="all_shown"' in body and 'data-select-all="ids"' in body
    assert '<script src="/static/js/select_all.js" defer></script>' in body
    shown = re.findall(r'name="shown" value="(\d+)"', body)
    assert len(shown) == len(page.context["lines"]) == 7
    # The header box ticked, no row ticked (no JavaScript): every row shown is acted on.
    response = clients["clerk"].post(
        review_url(f"?street={nanhu.pk}"),
        {"action": "approve", "all_shown": "1", "shown": shown},
        follow=True,
    )
    assert statuses([*SUBMITTED, "南湖东路社区", "沿河社区", "凤栖苑社区"]) == {
        **{name: ReturnStatus.APPROVED for name in SUBMITTED},
        "南湖东路社区": ReturnStatus.DRAFT,
        "沿河社区": ReturnStatus.RETURNED,
        "凤栖苑社区": ReturnStatus.DRAFT,
    }
    messages = said(response)
    assert "南湖东路社区：草稿，尚未上报，不能审核。" in messages
    assert "凤栖苑社区：草稿，尚未上报，不能审核。" in messages
    assert "以下 3 份报表未处理：" in messages


def test_the_select_all_script_is_served():
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "js" / "select_all.js").read_text()
    assert "data-select-all" in script and "http" not in script  # no CDN, no fetch


# Filters, order ------------------------------------------------------------------------------


def test_filters_show_what_they_say_and_survive_an_action(clients, demo, submitted):
    nanhu = demo["streets"]["南湖"]
    query = f"?street={nanhu.pk}&status=submitted"
    response = clients["clerk"].get(review_url(query))
    assert listed(response) == SUBMITTED
    everything = listed(clients["clerk"].get(review_url()))
    assert {"滨湖社区", "南苑社区", *SUBMITTED} <= set(everything)
    assert listed(clients["clerk"].get(review_url("?status=draft"))) == [
        "南湖东路社区", "凤栖苑社区", "滨湖社区", "南苑社区"
    ]  # fmt: skip
    response = clients["clerk"].post(
        review_url(query), {"action": "approve", "ids": [submitted["文体社区"].pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(f"?street={nanhu.pk}&status=submitted")


def test_order_is_the_streets_then_the_committees(clients, demo):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    # Two streets of the same order; a 滨湖 committee whose code sorts before 南湖's.
    binhu.sort_order = nanhu.sort_order
    binhu.save()
    Committee.objects.filter(name="滨湖社区").update(code="320105000999")
    response = clients["clerk"].get(review_url())
    assert listed(response) == ["南湖东路社区", "沿河社区", "凤栖苑社区", "滨湖社区", "南苑社区"]
    assert [line.quarterly_return.committee.street.name for line in response.context["lines"]] == [
        "南湖街道", "南湖街道", "南湖街道", "滨湖街道", "南苑街道"
    ]  # fmt: skip


# Scoping and refusals ------------------------------------------------------------------------


def test_a_return_outside_the_page_is_404_and_nothing_changes(clients, users, demo, submitted):
    binhu_return = fill_and_submit(users["binhu"], ["滨湖社区"])[0]
    nanhu = demo["streets"]["南湖"]
    ids = [submitted["文体社区"].pk, binhu_return.pk]
    # The clerk on 南湖's page: a 滨湖 id slipped into the post.
    response = clients["clerk"].post(
        review_url(f"?street={nanhu.pk}"), {"action": "approve", "ids": ids}
    )
    assert response.status_code == 404
    # Another quarter's return.
    old = last_quarter("长虹社区")
    response = clients["clerk"].post(
        review_url(), {"action": "reopen", "ids": [old.pk], "reason": "x"}
    )
    assert response.status_code in (403, 404)
    assert (
        clients["admin"]
        .post(review_url(), {"action": "reopen", "ids": [old.pk], "reason": "x"})
        .status_code
        == 404
    )
    # A street user who was given the right to approve still sees only their street.
    reviewer = users["nanhu"]
    reviewer.user_permissions.add(Permission.objects.get(codename="approve_quarterlyreturn"))
    client = Client()
    client.force_login(reviewer)
    response = client.post(review_url(), {"action": "approve", "ids": ids})
    assert response.status_code == 404
    assert statuses(["文体社区", "滨湖社区"]) == {
        "文体社区": ReturnStatus.SUBMITTED,
        "滨湖社区": ReturnStatus.SUBMITTED,
    }
    old.refresh_from_db()
    assert old.status == ReturnStatus.APPROVED


def test_viewer_and_street_get_a_chinese_refusal_and_no_link(clients, demo, submitted):
    for who in ("viewer", "nanhu"):
        response = clients[who].get(review_url())
        assert response.status_code == 403
        body = response.content.decode()
        assert "季度报表由区民政局的审核人员和管理员审核，您的账号不能审核。" in body
        assert "Forbidden" not in body
        response = clients[who].post(
            review_url(), {"action": "approve", "ids": [submitted["文体社区"].pk]}
        )
        assert response.status_code == 403
    assert this_quarter("文体社区").status == ReturnStatus.SUBMITTED
    # No page leads the viewer to the review: not the menu, not the street chooser, not a grid.
    review_path = reverse("returns:return-review", args=[YEAR, QUARTER])
    for url in (
        reverse("returns:return-grid", args=[YEAR, QUARTER]),
        reverse("returns:return-grid", args=[YEAR, QUARTER])
        + f"?street={demo['streets']['南湖'].pk}",
        reverse("home"),
    ):
        body = clients["viewer"].get(url).content.decode()
        assert "/review/" not in body, url
    assert (
        review_path
        in clients["clerk"]
        .get(reverse("returns:return-grid", args=[YEAR, QUARTER]))
        .content.decode()
    )


def test_a_clerk_sees_only_the_buttons_of_their_role(clients, demo, submitted):
    clerk = clients["clerk"].get(review_url()).content.decode()
    assert 'value="approve"' in clerk and 'value="send_back"' in clerk
    assert 'value="reopen"' not in clerk
    admin = clients["admin"].get(review_url()).content.decode()
    assert 'value="reopen"' in admin


# Queries -------------------------------------------------------------------------------------


def grow(street, count, start=0):
    """``count`` more committees of ``street`` with last quarter approved and this quarter
    submitted; every third was approved before, and its households changed since."""
    import datetime

    from django.utils import timezone

    now = timezone.now()
    created = []
    for index in range(start, start + count):
        committee = Committee.objects.create(
            code=f"Q{street.pk}{index:03d}",
            name=f"增长{index}",
            street=street,
            households=2000,
            population=5600,
            established_on=datetime.date(2005, 1, 1),
        )
        figures = {
            "households": 2000,
            "registered_population": 5600,
            "resident_population": 5800,
            "volunteers": 10,
            "activities": 5,
            "one_stop_cases": 0,
        }
        QuarterlyReturn.objects.create(
            committee=committee, year=2006, quarter=4, status=ReturnStatus.APPROVED,
            approved_at=now, approved_figures={**figures, "note": ""}, **figures,
        )  # fmt: skip
        created.append(
            QuarterlyReturn.objects.create(
                committee=committee, year=YEAR, quarter=QUARTER, status=ReturnStatus.SUBMITTED,
                first_submitted_at=now, submitted_at=now, comment="已核实。",
                approved_figures=(
                    {**figures, "households": 1900, "note": ""} if index % 3 == 0 else None
                ),
                **{**figures, "households": 2000 + 30 * index},
            )
        )  # fmt: skip
    return [item.pk for item in created]


def test_queries_do_not_grow_with_returns(clients, demo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    nanhu = demo["streets"]["南湖"]
    url = review_url(f"?street={nanhu.pk}")
    client = clients["clerk"]
    five = grow(nanhu, 5)
    client.get(url)  # warm up the session and permissions
    with CaptureQueriesContext(connection) as page:
        response = client.get(url)
    assert len(response.context["lines"]) == 3 + 5
    with CaptureQueriesContext(connection) as approval:
        response = client.post(url, {"action": "approve", "ids": five})
    assert response.status_code == 302
    assert QuarterlyReturn.objects.filter(pk__in=five, status=ReturnStatus.APPROVED).count() == 5

    twenty_five = grow(nanhu, 25, start=5)
    with django_assert_max_num_queries(len(page.captured_queries)):
        response = client.get(url)
    assert len(response.context["lines"]) == 3 + 30
    body = response.content.decode()
    assert "增长29" in body and "审核后已修改" in body and "unusual" in body
    with django_assert_max_num_queries(len(approval.captured_queries)):
        response = client.post(url, {"action": "approve", "ids": twenty_five})
    assert response.status_code == 302
    assert (
        QuarterlyReturn.objects.filter(pk__in=twenty_five, status=ReturnStatus.APPROVED).count()
        == 25
    )


@pytest.mark.django_db
def test_a_post_without_an_action_changes_nothing_and_says_so(clients):
    from returns.models import QuarterlyReturn

    before = list(QuarterlyReturn.objects.values_list("pk", "status", "version"))
    response = clients["clerk"].post("/returns/2006/4/review/", {})
    assert response.status_code == 200
    assert "请选择要对所勾选报表进行的操作" in response.content.decode()
    assert list(QuarterlyReturn.objects.values_list("pk", "status", "version")) == before
