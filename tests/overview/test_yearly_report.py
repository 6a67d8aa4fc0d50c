"""The whole yearly report (一、二、三) from the demo data: the brief's figures, a street's
text, and an as-of date that changes what is counted."""

import datetime

import pytest

from overview.yearly_report import yearly_report


@pytest.mark.django_db
def test_dump(users):
    report = yearly_report(year=2006, user=users["clerk"])
    print(report.text())
    for part in report.all_parts():
        for section in part.sections:
            for p in section.paragraphs:
                print(getattr(p, "links", None))
    print(yearly_report(year=2006, user=users["clerk"], day=datetime.date(2006, 6, 30)).text())
    print(yearly_report(year=2006, user=users["nanhu"]).text())
