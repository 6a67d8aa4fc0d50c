"""The approved budget (核定预算): approving freezes a year's figures with who and when; the
budget pages, the funding table and the scenario comparison set the current figures beside
them; later changes (a return approved, someone leaving, a register changed) move the
current figures only."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from accounts.roles import Role
from budgets.approval import (
    ApprovalError,
    approved_comparison,
    budget_approve,
    latest_approved,
)
from budgets.calculations import budget_compute
from budgets.models import ApprovedBudget, ApprovedBudgetLine, Scenario, ScenarioPayChange
from communities.models import Committee
from reports.registry import get_report_class
from reports.rendering import render_xlsx
from returns.models import QuarterlyReturn
from returns.workflow import return_approve, return_reopen, return_save, return_submit
from scoping.rules import SYSTEM
from staffing.models import Position, Posting
from tests.conftest import make_user

YEAR = 2006
MONEY_FIELDS = ("staff", "office", "total", "district_share", "street_share")


def frozen(budget):
    """Every line of ``budget`` as stored: what must never move."""
    return sorted(
        ApprovedBudgetLine.objects.filter(budget=budget).values_list(
            "committee_id", "street_id", "counted_under_id", "households", *MONEY_FIELDS
        )
    )


def approve(user, reason="", expected_version=None):
    return budget_approve(year=YEAR, user=user, reason=reason, expected_version=expected_version)


def correct_households(committee, households, users):
    """The fourth quarter's return of ``committee`` corrected through the one workflow: the
    administrator reopens it, the street saves the new households and submits, the clerk
    approves."""
    item = QuarterlyReturn.objects.get(committee=committee, year=YEAR, quarter=4)
    return_reopen(returns=[item], user=users["admin"], reason="户数更正")
    item.refresh_from_db()
    data = item.figures() | {"households": households, "comment": "户数更正"}
    return_save(
        committee=committee, year=YEAR, quarter=4, user=users["nanhu"], data=data,
        version=item.version,
    )  # fmt: skip
    item.refresh_from_db()
    return_submit(returns=[item], user=users["nanhu"])
    item.refresh_from_db()
    return_approve(returns=[item], user=users["clerk"])


# Approving -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_approving_freezes_every_committee_with_who_and_when(users):
    admin = users["admin"]
    admin.first_name, admin.last_name = "小明", "王"
    admin.save()
    before = datetime.datetime.now(datetime.UTC)
    budget = approve(admin)
    assert (budget.year, budget.version, budget.approved_by, budget.reason) == (
        YEAR, 1, admin, "",
    )  # fmt: skip
    assert budget.approved_by_name == "王小明"
    assert budget.approved_at >= before
    computed = budget_compute(year=YEAR, user=SYSTEM)
    lines = {line.committee_id: line for line in budget.lines.all()}
    committees = list(computed.committees())
    assert len(lines) == len(committees) == 38
    for committee in committees:
        line = lines[committee.id]
        assert line.committee_name == committee.name
        assert line.households == committee.households
        for name in MONEY_FIELDS:
            assert getattr(line, name) == getattr(committee.amounts, name), name
    # The brief's figures, frozen: 4,074,000.00 shared 50 / 50.
    totals = {name: sum(getattr(line, name) for line in lines.values()) for name in MONEY_FIELDS}
    assert totals == {
        "staff": Decimal("2031600.00"),
        "office": Decimal("2042400.00"),
        "total": Decimal("4074000.00"),
        "district_share": Decimal("2037000.00"),
        "street_share": Decimal("2037000.00"),
    }


@pytest.mark.django_db
def test_a_return_approved_later_moves_the_current_figure_not_the_approved_one(users, demo):
    committee = demo["committees"]["南湖东路社区"]  # 2,468 households, 59,232.00 office funds
    budget = approve(users["admin"])
    stored = frozen(budget)

    correct_households(committee, 2568, users)

    assert frozen(budget) == stored
    assert latest_approved(YEAR) == budget
    comparison = approved_comparison(year=YEAR, user=users["clerk"])
    row = comparison.committee(committee.pk)
    assert row.approved.office == Decimal("59232.00")
    # 2,568 / 100 x 200 x 12 months, from the approved return.
    assert row.current.office == Decimal("61632.00")
    assert row.difference.office == Decimal("2400.00")
    assert row.difference.total == Decimal("2400.00")
    assert row.difference.district_share == Decimal("1200.00")
    assert (row.approved_households, row.current_households) == (2468, 2568)
    assert comparison.approved.total == Decimal("4074000.00")
    assert comparison.current.total == Decimal("4076400.00")
    assert comparison.difference.total == Decimal("2400.00")

    page = users_client(users, "clerk").get("/budgets/", {"year": YEAR})
    assert page.context["comparison"].difference.total == Decimal("2400.00")
    body = page.content.decode()
    assert "4,074,000.00" in body and "4,076,400.00" in body and "2,400.00" in body
    committee_page = users_client(users, "nanhu").get(
        f"/budgets/committees/{committee.pk}/", {"year": YEAR}
    )
    assert committee_page.context["approved_amounts"].office == Decimal("59232.00")
    assert committee_page.context["difference"].office == Decimal("2400.00")
    assert committee_page.context["households_difference"] == 100
    assert "61,632.00" in committee_page.content.decode()


@pytest.mark.django_db
def test_someone_leaving_and_a_register_change_move_the_current_figures_only(users, demo):
    budget = approve(users["admin"])
    stored = frozen(budget)
    worker = Position.objects.get(code="social-worker")
    posting = (
        Posting.objects.filter(position=worker, end_date__isnull=True)
        .select_related("committee")
        .order_by("pk")
        .first()
    )
    posting.end_date = datetime.date(YEAR, 6, 30)  # leaves at the end of June: 6 months unpaid
    posting.save()
    # A committee's households in the register: the budget reads the approved returns, so
    # only a committee without a return of the year follows the register.
    changed = demo["committees"]["滨湖社区"]
    QuarterlyReturn.objects.filter(committee=changed, year=YEAR).delete()
    Committee.objects.filter(pk=changed.pk).update(households=changed.households + 100)

    assert frozen(budget) == stored
    comparison = approved_comparison(year=YEAR, user=users["viewer"])
    left = comparison.committee(posting.committee_id)
    monthly = worker.pay_standards.order_by("-effective_from").first().monthly_amount
    assert left.difference.staff == -6 * monthly
    registered = comparison.committee(changed.pk)
    assert registered.difference.office == Decimal("2400.00")  # 100 / 100 x 200 x 12
    assert comparison.difference.total == registered.difference.total + left.difference.total


@pytest.mark.django_db
def test_every_difference_shown_is_current_less_approved(users, demo):
    budget = approve(users["admin"])
    correct_households(demo["committees"]["南湖东路社区"], 2500, users)
    comparison = approved_comparison(year=YEAR, user=users["admin"])
    lines = {line.committee_id: line for line in ApprovedBudgetLine.objects.filter(budget=budget)}
    current = budget_compute(year=YEAR, user=users["admin"])
    for street in comparison.streets:
        for row in street.committees:
            for name in MONEY_FIELDS:
                expected = getattr(current.committee(row.id).amounts, name) - getattr(
                    lines[row.id], name
                )
                assert getattr(row.difference, name) == expected
        for name in MONEY_FIELDS:
            assert getattr(street.difference, name) == sum(
                getattr(row.difference, name) for row in street.committees
            )


# Who may ---------------------------------------------------------------------------------------
def users_client(users, key):
    from django.test import Client

    client = Client()
    client.force_login(users[key])
    return client


@pytest.mark.django_db
def test_only_the_administrator_carries_the_permission(users):
    assert users["admin"].has_perm("budgets.approve_budget")
    for key in ("clerk", "viewer", "nanhu"):
        assert not users[key].has_perm("budgets.approve_budget")
        assert users[key].has_perm("budgets.view_approvedbudget")
    # Nobody adds, changes or deletes an approved budget by hand: those permissions do not exist.
    assert not users["admin"].has_perm("budgets.change_approvedbudget")
    assert not users["admin"].has_perm("budgets.delete_approvedbudgetline")


@pytest.mark.django_db
def test_others_are_refused_with_the_reason(users, clients):
    for key in ("clerk", "viewer", "nanhu"):
        with pytest.raises(PermissionDenied):
            approve(users[key])
        with translation.override("zh-hans"):
            page = clients[key].get("/budgets/approve/", {"year": YEAR})
            posted = clients[key].post("/budgets/approve/", {"year": YEAR, "expected_version": 0})
        assert page.status_code == posted.status_code == 403
        assert "只有区管理员才能核定年度预算" in page.content.decode()
        assert "核定2006年度预算" not in clients[key].get("/budgets/").content.decode()
    assert not ApprovedBudget.objects.exists()


@pytest.mark.django_db
def test_a_street_user_with_the_permission_still_may_not(users, demo):
    """The approval is the district's: a street account is refused even with the permission."""
    from django.contrib.auth.models import Permission

    street_user = make_user(Role.STREET, demo["streets"]["南苑"], username="nanyuan-approver")
    street_user.user_permissions.add(Permission.objects.get(codename="approve_budget"))
    with pytest.raises(PermissionDenied):
        approve(street_user)


# The page action --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_approval_through_the_page_with_a_confirmation(clients):
    overview = clients["admin"].get("/budgets/", {"year": YEAR}).content.decode()
    assert "核定2006年度预算" in overview
    confirm = clients["admin"].get("/budgets/approve/", {"year": YEAR})
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "4,074,000.00" in body and "确认核定" in body
    assert not ApprovedBudget.objects.exists()  # the confirmation page writes nothing
    response = clients["admin"].post(
        "/budgets/approve/", {"year": YEAR, "expected_version": 0}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/budgets/?year=2006"
    body = response.content.decode()
    assert "2006年度预算已核定（第1版）" in body
    assert "核定数" in body and "现算数" in body and "差额" in body
    assert latest_approved(YEAR).lines.count() == 38


@pytest.mark.django_db
def test_confirmation_warns_of_returns_not_yet_approved(clients, demo):
    QuarterlyReturn.objects.filter(
        year=YEAR, quarter=4, committee=demo["committees"]["南湖东路社区"]
    ).update(status="submitted")
    body = clients["admin"].get("/budgets/approve/", {"year": YEAR}).content.decode()
    assert "2006年尚有1份季报未审核通过" in body


@pytest.mark.django_db
def test_a_year_without_committees_is_not_approved(users, clients):
    with pytest.raises(ApprovalError):
        budget_approve(year=1990, user=users["admin"])
    with translation.override("zh-hans"):
        response = clients["admin"].post("/budgets/approve/", {"year": 1990, "expected_version": 0})
    assert response.status_code == 200
    assert "1990年没有需要核定经费的社区居委会" in response.content.decode()
    assert not ApprovedBudget.objects.exists()


# Approving again -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_approving_again_makes_a_new_version_and_keeps_the_old_one(users, demo, clients):
    first = approve(users["admin"])
    kept = frozen(first)
    correct_households(demo["committees"]["南湖东路社区"], 2568, users)

    # Without a reason: refused, nothing written, what was typed is kept.
    response = clients["admin"].post(
        "/budgets/approve/", {"year": YEAR, "expected_version": 1, "reason": "  "}
    )
    assert response.status_code == 200
    assert "请填写再次核定的原因" in response.content.decode()
    assert ApprovedBudget.objects.count() == 1

    response = clients["admin"].post(
        "/budgets/approve/",
        {"year": YEAR, "expected_version": 1, "reason": "南湖东路社区第四季度户数更正"},
    )
    assert response.status_code == 302
    second = latest_approved(YEAR)
    assert (second.version, second.reason) == (2, "南湖东路社区第四季度户数更正")
    assert frozen(first) == kept  # the earlier version stays as it was
    assert sum(line.total for line in second.lines.all()) == Decimal("4076400.00")
    comparison = approved_comparison(year=YEAR, user=users["clerk"])
    assert comparison.budget == second
    assert comparison.difference.total == 0
    page = clients["clerk"].get("/budgets/", {"year": YEAR}).content.decode()
    assert "第1版" in page and "第2版" in page and "南湖东路社区第四季度户数更正" in page


@pytest.mark.django_db
def test_a_stale_confirmation_is_refused_and_can_be_confirmed_again(users, clients):
    approve(users["admin"])  # someone else approves while this user reads the confirmation
    response = clients["admin"].post(
        "/budgets/approve/", {"year": YEAR, "expected_version": 0, "reason": "调整"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "在您确认期间核定了2006年度预算（第1版）" in body
    assert "调整" in body  # the reason typed is kept
    assert response.context["form"]["expected_version"].value() == "1"
    assert ApprovedBudget.objects.count() == 1
    response = clients["admin"].post(
        "/budgets/approve/", {"year": YEAR, "expected_version": 1, "reason": "调整"}
    )
    assert response.status_code == 302
    assert latest_approved(YEAR).version == 2


# Scoping ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_street_sees_only_its_own_lines(users, clients, demo):
    approve(users["admin"])
    response = clients["nanhu"].get("/budgets/", {"year": YEAR})
    comparison = response.context["comparison"]
    assert [street.name for street in comparison.streets] == ["南湖街道"]
    nanhu = demo["streets"]["南湖"]
    own = ApprovedBudgetLine.objects.filter(counted_under=nanhu)
    assert comparison.approved.total == sum(line.total for line in own)
    assert comparison.approved.total < Decimal("4074000.00")
    body = response.content.decode()
    assert "滨湖社区" not in body and "滨湖街道" not in body
    assert "4,074,000.00" not in body
    # Nor another street's committee page, nor its line.
    other = demo["committees"]["滨湖社区"]
    assert clients["nanhu"].get(f"/budgets/committees/{other.pk}/").status_code == 404


# Scenarios -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_scenario_is_compared_with_the_approved_budget(users, clients, demo):
    scenario = Scenario.objects.create(name="社工800")
    ScenarioPayChange.objects.create(
        scenario=scenario,
        position=Position.objects.get(code="social-worker"),
        monthly_amount=Decimal(800),
        effective_from=datetime.date(YEAR, 1, 1),
    )
    url = f"/budgets/scenarios/{scenario.pk}/"
    # Before any approval: said so, and compared with the current standards.
    response = clients["clerk"].get(url, {"year": YEAR, "against": "approved"})
    assert "尚未核定" in response.content.decode()
    assert response.context["against_approved"] is False

    approve(users["admin"])
    correct_households(demo["committees"]["南湖东路社区"], 2568, users)
    against_standards = clients["clerk"].get(url, {"year": YEAR}).context["lines"][0]
    response = clients["clerk"].get(url, {"year": YEAR, "against": "approved"})
    total = response.context["lines"][0]
    assert total.base.total == Decimal("4074000.00")  # the approved figure
    # The scenario's own figure is the same; the base differs by the later correction.
    assert total.scenario == against_standards.scenario
    assert total.difference.total == against_standards.difference.total + Decimal("2400.00")
    assert "与2006年度核定预算（第1版）对比" in response.content.decode()
    street = clients["nanhu"].get(url, {"year": YEAR, "against": "approved"}).context["lines"]
    assert [line.label for line in street[1:]] == ["南湖街道"]
    assert street[0].base == street[1].base


# The funding table ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_funding_table_gets_the_approved_columns(users, demo):
    report = get_report_class("funding")(user=SYSTEM, year=YEAR)
    assert "approved_total" not in [column.key for column in report.columns()]
    approve(users["admin"])
    correct_households(demo["committees"]["南湖东路社区"], 2568, users)
    report = get_report_class("funding")(user=SYSTEM, year=YEAR)
    keys = [column.key for column in report.columns()]
    assert keys[-2:] == ["approved_total", "total_difference"]
    rows = report.rows()
    assert rows[0].values["approved_total"] == Decimal("4074000.00")
    assert rows[0].values["total"] == Decimal("4076400.00")
    assert rows[0].values["total_difference"] == Decimal("2400.00")
    streets = [row for row in rows if row.level == "street"]
    assert sum(row.values["approved_total"] for row in streets) == Decimal("4074000.00")
    # The street summary (large scopes) agrees with the full table.
    summary = report.summary()
    assert summary.total.values["total_difference"] == Decimal("2400.00")
    assert [row.values["approved_total"] for row in summary.streets] == [
        row.values["approved_total"] for row in streets
    ]
    with translation.override("zh-hans"):
        labels = [column.label for column in report.columns()]
    assert labels[-2:] == ["核定数（合计）", "差额（现算数－核定数）"]
    # The workbook, as the browser and exportreport give it.
    with translation.override("zh-hans"):
        sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(report))).active
    header = [cell.value for cell in sheet[4]]
    total = dict(zip(header, [cell.value for cell in sheet[5]], strict=True))
    assert total["核定数（合计）"] == 4074000
    assert total["差额（现算数－核定数）"] == 2400
    assert any(
        "核定的2006年度预算（第1版）" in str(cell.value)
        for row in sheet.iter_rows()
        for cell in row
    )
    # A scenario's table has no approved columns: it is not the real standards' budget.
    scenario = Scenario.objects.create(name="空方案")
    report = get_report_class("funding")(user=SYSTEM, year=YEAR, scenario=scenario.name)
    assert "approved_total" not in [column.key for column in report.columns()]


# Committees that come and go ---------------------------------------------------------------------
@pytest.mark.django_db
def test_a_committee_removed_after_approval_keeps_its_approved_line(world):
    from budgets.approval import budget_approve as approve_year

    admin = make_user(Role.ADMIN)
    staying = world.committee("留下社区", households=1000)
    going = world.committee("撤销社区", households=500)
    budget = approve_year(year=YEAR, user=admin)
    assert budget.lines.count() == 2
    going.delete()
    added = world.committee("新建社区", households=800)
    comparison = approved_comparison(year=YEAR, user=admin)
    (street,) = [s for s in comparison.streets if s.committees]
    rows = {row.name: row for row in street.committees}
    assert rows["撤销社区"].current is None
    assert rows["撤销社区"].approved.office == Decimal("12000.00")  # 500 / 100 x 200 x 12
    assert rows["撤销社区"].difference.office == Decimal("-12000.00")
    assert rows["新建社区"].approved is None
    assert rows["新建社区"].difference.office == Decimal("19200.00")
    assert rows["留下社区"].difference.total == 0
    assert street.approved.office == Decimal("36000.00")
    assert street.current.office == Decimal("43200.00")
    assert added.pk == rows["新建社区"].id and staying.pk == rows["留下社区"].id


@pytest.mark.django_db
def test_a_committee_moved_to_another_street_shows_under_both(world):
    """Street boundaries change: the approved line stays with the street it was approved
    under (and its staff), the current figure goes with the committee's new street."""
    admin = make_user(Role.ADMIN)
    east_user = make_user(Role.STREET, world.east, username="east")
    west_user = make_user(Role.STREET, world.west, username="west")
    moved = world.committee("迁移社区", households=1000, street=world.east)
    world.committee("西街社区", households=2000, street=world.west)
    budget_approve(year=YEAR, user=admin)
    Committee.objects.filter(pk=moved.pk).update(street=world.west)

    comparison = approved_comparison(year=YEAR, user=admin)
    east, west = comparison.streets
    assert [
        (row.name, row.approved is not None, row.current is not None) for row in east.committees
    ] == [("迁移社区", True, False)]
    assert sorted(
        (row.name, row.approved is not None, row.current is not None) for row in west.committees
    ) == [
        ("西街社区", True, True),
        ("迁移社区", False, True),
    ]
    assert east.difference.office == Decimal("-24000.00")  # 1,000 / 100 x 200 x 12
    assert west.difference.office == Decimal("24000.00")
    assert comparison.difference.total == 0
    for street in comparison.streets:
        assert street.approved == sum(
            (r.approved for r in street.committees if r.approved), type(street.approved)()
        )
    # Each street's staff see their own side only.
    (seen,) = approved_comparison(year=YEAR, user=east_user).streets
    assert [row.name for row in seen.committees] == ["迁移社区"] and seen.current.total == 0
    (seen,) = approved_comparison(year=YEAR, user=west_user).streets
    assert seen.approved.office == Decimal("48000.00")
    assert seen.current.office == Decimal("72000.00")


# Queries ---------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_pages_queries_do_not_grow_with_rows(world, django_assert_max_num_queries):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    admin = make_user(Role.ADMIN)
    client = Client()
    client.force_login(admin)
    scenario = Scenario.objects.create(name="方案")

    def build(count):
        for index in range(count):
            committee = world.committee(f"社区{world.sequence}", households=1000 + index)
            world.post(committee, world.worker, datetime.date(YEAR, 1, 1))
            world.post(committee, world.director, datetime.date(YEAR, 3, 15))

    def queries(url, params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(captured)

    def measure():
        budget_approve(year=YEAR, user=admin, reason="再次核定", expected_version=None)
        return {
            "overview": queries("/budgets/", {"year": YEAR}),
            "scenario": queries(
                f"/budgets/scenarios/{scenario.pk}/", {"year": YEAR, "against": "approved"}
            ),
            "report": queries("/reports/funding/", {"year": YEAR}),
        }

    build(3)
    small = measure()
    build(30)
    with django_assert_max_num_queries(small["overview"]):
        client.get("/budgets/", {"year": YEAR})
    assert measure() == small
