"""``manage.py notify_deadlines``: near or past the quarter's deadline, each street with
returns not submitted is told once per quarter and kind, however often the command runs;
bad arguments exit non-zero with a message."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from communities.models import Committee
from notices.models import Kind, Notice
from returns.models import QuarterlyReturn, ReturnStatus, quarter_deadline
from returns.selectors import committees_in_quarter

from .conftest import submitted

pytestmark = pytest.mark.django_db

# 2007 Q2 is due on 15 July 2007.
DUE = datetime.date(2007, 7, 15)


def run(*args) -> str:
    out = io.StringIO()
    call_command("notify_deadlines", *args, stdout=out)
    return out.getvalue()


def submit_street(street, year=2007, quarter=2):
    for committee in committees_in_quarter(
        Committee.objects.filter(street=street), year=year, quarter=quarter
    ):
        submitted(committee, year=year, quarter=quarter)


def test_due_date_is_the_one_the_returns_use():
    assert quarter_deadline(year=2007, quarter=2) == DUE


def test_near_the_deadline_each_street_is_told_once(demo):
    submit_street(demo["streets"]["双闸"])  # 双闸 has submitted everything: not told
    output = run("--today", "2007-07-13")
    notices = Notice.objects.filter(kind=Kind.DEADLINE_NEAR)
    assert notices.count() == 4
    assert "4 个街道" in output and "南湖街道" in output and "双闸街道" not in output
    nanhu = notices.get(deliveries__street__short_name="南湖")
    assert nanhu.title == "2007年第2季度报表将于 2007-07-15 截止"
    assert "南湖东路社区" in nanhu.body and nanhu.sent_by is None
    # The next day, and a second run the same day: nobody is told again.
    run("--today", "2007-07-13")
    output = run("--today", "2007-07-14")
    assert Notice.objects.filter(kind=Kind.DEADLINE_NEAR).count() == 4
    assert "本次提醒 0 个街道，另有 4 个街道此前已提醒过" in output


def test_past_the_deadline_is_another_kind_also_once(demo):
    run("--today", "2007-07-13")
    run("--today", "2007-07-16")
    run("--today", "2007-07-20")
    assert Notice.objects.filter(kind=Kind.DEADLINE_NEAR).count() == 5
    past = Notice.objects.filter(kind=Kind.DEADLINE_PAST)
    assert past.count() == 5
    assert "已经逾期" in past.first().body


def test_the_quarter_is_the_one_due_and_far_deadlines_say_so(demo):
    output = run("--today", "2007-05-02")  # Q1 due 15 April: past
    assert Notice.objects.filter(kind=Kind.DEADLINE_PAST, year=2007, quarter=1).exists()
    Notice.objects.all().delete()
    output = run("--today", "2007-07-01")  # Q2 due in 14 days: not near
    assert Notice.objects.count() == 0
    assert "尚未临近" in output
    output = run("--today", "2007-07-01", "--days-before", "14")
    assert Notice.objects.filter(kind=Kind.DEADLINE_NEAR).count() == 5


def test_explicit_quarter(demo):
    QuarterlyReturn.objects.filter(year=2006).update(status=ReturnStatus.DRAFT)
    run("--today", "2007-07-20", "--year", "2006", "--quarter", "4")
    assert Notice.objects.filter(year=2006, quarter=4, kind=Kind.DEADLINE_PAST).count() == 5


@pytest.mark.parametrize(
    "args,message",
    [
        (["--today", "2007-13-40"], "--today 应为 YYYY-MM-DD 格式的日期"),
        (["--today", "昨天"], "而不是“昨天”"),
        (["--days-before", "-1"], "--days-before 必须在 0 到 90 之间"),
        (["--year", "2007"], "--year 和 --quarter 须同时给出"),
        (["--year", "2007", "--quarter", "5"], "1、2、3或4"),
        (["--year", "1800", "--quarter", "1"], "1949"),
    ],
)
def test_bad_arguments_fail_with_a_message(demo, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert Notice.objects.count() == 0


def test_bad_arguments_exit_non_zero(demo, capsys):
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "notify_deadlines", "--today", "nonsense"])
    with pytest.raises(SystemExit) as exit_:
        utility.execute()
    assert exit_.value.code != 0
    assert "YYYY-MM-DD" in capsys.readouterr().err
