"""IT-qualified operators (持证上岗) as a recorded qualification, apart from the skills exam;
labels that say what they count; vacant posts against the posts per committee."""

import datetime

import pytest
from django.utils import translation

from communities.models import Committee, CommitteeKind, CommitteeStatus
from reports.registry import get_report_class
from scoping.rules import SYSTEM
from staffing.models import ExamResult, Posting, Qualification, QualificationKind
from staffing.selectors import qualified_counts, training_between, vacancies

pytestmark = pytest.mark.django_db

YEAR_END = datetime.date(2006, 12, 31)


def operating_ids():
    return set(
        Committee.objects.established_in(2006)
        .filter(kind=CommitteeKind.URBAN, status=CommitteeStatus.OPERATING)
        .values_list("pk", flat=True)
    )


def test_demo_has_two_or_three_operators_per_committee(demo):
    counts = qualified_counts(year=2006, user=SYSTEM, group_by="committee")
    per_committee = [counts.get(pk, {}).get("it_operators", 0) for pk in operating_ids()]
    assert len(per_committee) == 34
    assert min(per_committee) == 2 and max(per_committee) == 3


def test_operators_and_exam_passes_are_different_things(demo):
    total = qualified_counts(year=2006, user=SYSTEM, group_by=None)[None]
    assert total["exam_passed"] == 10  # the higher exam (BRIEF 4)
    assert total["it_operators"] > total["exam_passed"]
    # Passing the exam does not make an operator, nor the reverse.
    passer = ExamResult.objects.first().person
    Qualification.objects.filter(person=passer).delete()
    after = qualified_counts(year=2006, user=SYSTEM, group_by=None)[None]
    assert after["exam_passed"] == 10


def test_a_lapsed_or_later_qualification_does_not_count(demo):
    before = qualified_counts(year=2006, user=SYSTEM, group_by=None)[None]["it_operators"]
    first = Qualification.objects.order_by("pk").first()
    first.valid_until = datetime.date(2006, 10, 31)
    first.save()
    second = Qualification.objects.order_by("pk")[1]
    second.qualified_on = datetime.date(2007, 1, 5)
    second.save()
    after = qualified_counts(year=2006, user=SYSTEM, group_by=None)[None]["it_operators"]
    assert after == before - 2
    mid = qualified_counts(year=2006, user=SYSTEM, group_by=None, day=datetime.date(2006, 6, 30))[
        None
    ]["it_operators"]
    assert mid == before - 1  # the lapsed one still held it at mid-year


def test_a_qualification_cannot_lapse_before_it_is_obtained(demo):
    from django.core.exceptions import ValidationError

    qualification = Qualification(
        person=Qualification.objects.first().person,
        kind=QualificationKind.IT_OPERATOR,
        qualified_on=datetime.date(2006, 5, 1),
        valid_until=datetime.date(2006, 4, 1),
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        qualification.full_clean()
    assert "有效期截止日期不能早于取得资格日期" in str(error.value)


def test_the_staffing_table_says_what_it_counts(demo):
    with translation.override("zh-hans"):
        report = get_report_class("staffing")(user=SYSTEM, year=2006)
        labels = {c.key: str(c.label) for c in report.columns()}
        notes = " ".join(report.notes())
    assert "qualified" not in labels
    assert labels["exam_passed"] == "在岗人员中通过技能考试人数"
    assert labels["it_operators"] == "在岗信息系统持证操作员人数"
    assert "持证上岗人数" not in labels.values() and "持证上岗人数" not in notes
    values = report.rows()[0].values
    assert values["exam_passed"] == 10
    counts = qualified_counts(year=2006, user=SYSTEM, group_by=None)[None]
    assert values["it_operators"] == counts["it_operators"]


def test_training_by_subject_and_since_a_year(demo):
    year = training_between(
        start=datetime.date(2006, 1, 1), end=YEAR_END, user=SYSTEM, by_subject=True
    )
    since = training_between(
        start=datetime.date(2002, 1, 1), end=YEAR_END, user=SYSTEM, by_subject=True
    )
    # The brief's 20+ classes and 200+ trainee-times are information-system classes since
    # 2002; one year's information-system classes do not reach them.
    assert since["information"]["classes"] >= 20 and since["information"]["trainee_times"] >= 200
    assert year["information"]["classes"] < 20
    total = training_between(start=datetime.date(2006, 1, 1), end=YEAR_END, user=SYSTEM)[None]
    assert total["classes"] == sum(v["classes"] for v in year.values())


def test_vacancies_against_the_posts(demo):
    found = vacancies(day=YEAR_END, user=SYSTEM)
    assert [(v["committee"].name, v["position"].code, v["vacant"]) for v in found] == [
        ("双闸社区", "deputy", 1)
    ]
    director = Posting.objects.filter(
        position__code="director", committee__name="文体社区", end_date__isnull=True
    ).get()
    director.end_date = datetime.date(2006, 9, 30)
    director.save()
    found = vacancies(day=YEAR_END, user=SYSTEM)
    assert ("文体社区", "director", 1) in [
        (v["committee"].name, v["position"].code, v["vacant"]) for v in found
    ]
    # Before the director left, the post was filled.
    mid = vacancies(day=datetime.date(2006, 6, 30), user=SYSTEM)
    assert "文体社区" not in [v["committee"].name for v in mid]
