"""The whole yearly report (一、二、三) from the demo data: the brief's figures (BRIEF.md 1-4),
a street's text that speaks of the street, and an as-of day that changes what is counted.

The figures below are the document's; the report counts them from the registers."""

import datetime
import io
import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from overview.yearly_report import yearly_report
from tests.overview.test_basic_situation import BRIEF_SENTENCES, page_text

URL = reverse("overview:yearly-report")

# 一、基本情况 as the basic situation states it (its own title aside).
BASIC = [s for s in BRIEF_SENTENCES if not s.startswith("建邺区社区建设基本情况")]

# 二、主要特点: the document's figures the registers hold, at the end of 2006.
FEATURES = [
    "二、主要特点",
    "全区共有明星社区4个、特色社区18个。",  # by the end of 2005 (titles of 2005)
    "全区规划建设社区中心8～10个，已列入规划8个，其中已建成2个、已批准立项2个。",
    "截至2006年底，全区已有28个社区开展一站式服务，其中试点12个。",  # 12 pilots, 28 by year end
    "“一校两站三栏四室六有六统一”功能标准",
    "截至2006年底，全区在岗人员中已有10人通过技能考试。",
    "每个实际运转的社区2～3名。",  # IT-qualified operators, a recorded qualification
]
PROBLEMS = [
    "三、存在的主要矛盾和问题",
    "个实际运转的社区办公活动用房面积未达到标准，共缺",
    "规划配套的社区用房有",
    "被挪作他用",
    "个社区的户数超过所在区域的社区规划标准",
    "有1个岗位空缺：双闸社区副主任1名。",
]


def it_training_since(text: str) -> tuple[int, int]:
    """Information-system classes and trainee-times since the chosen year, as the text says."""
    match = re.search(r"2002年以来.*?信息系统与计算机技能培训(\d+)期、([\d,]+)人次", text)
    assert match, text
    return int(match.group(1)), int(match.group(2).replace(",", ""))


@pytest.mark.django_db
def test_the_district_report_states_the_brief(clients):
    response = clients["viewer"].get(URL, {"year": 2006})
    assert response.status_code == 200
    text = page_text(response)
    assert "建邺区社区建设工作报告（2006年）" in text
    for sentence in BASIC + FEATURES + PROBLEMS:
        assert sentence in text, sentence
    # 20+ classes and 200+ trainee-times: information-system classes since 2002, not every
    # subject of one year.
    classes, times = it_training_since(text)
    assert classes >= 20 and times >= 200
    this_year = re.search(r"2006年，全区社区工作者参加培训.*?信息系统与计算机技能培训(\d+)期", text)
    assert this_year and int(this_year.group(1)) < 20
    # The problems are said once, in 三, not also in 一's facilities.
    assert text.count("共缺") == 1


@pytest.mark.django_db
def test_the_docx_holds_the_three_parts(clients):
    import docx

    response = clients["clerk"].get(URL, {"year": 2006, "format": "docx"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "建邺区社区建设工作报告（2006年）.docx"
    )
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    for sentence in ["一、基本情况", *FEATURES, *PROBLEMS]:
        assert sentence in text, sentence
    assert len(document.tables) == 3


@pytest.mark.django_db
def test_every_figure_links_to_its_source(clients):
    body = clients["clerk"].get(URL, {"year": 2006}).content.decode()
    links = set(re.findall(r'<a href="([^"]+)">', body.split('class="situation"')[1]))
    for expected in (
        "/reports/establishment/?year=2006",
        "/reports/funding/?year=2006",
        "/reports/facilities/?year=2006",
        "/reports/function-standard/?year=2006",
        "/reports/planning/?year=2006",
        "/reports/staffing/?year=2006",
        "/admin/communities/title/?year__lte=2006",
        "/admin/staffing/qualification/?kind=it_operator",
    ):
        assert expected in links, expected
    # Every source opens, filtered as linked (an unknown admin filter would redirect).
    for link in links:
        response = clients["clerk"].get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link


@pytest.mark.django_db
def test_mid_year_counts_what_was_there_by_then(clients):
    response = clients["clerk"].get(URL, {"year": 2006, "as_of": "2006-06-30"})
    assert response.status_code == 200
    text = page_text(response)
    assert "建邺区社区建设工作报告（截至2006年6月30日）" in text
    # The document's own mid-year figures ("截止今年上半年").
    assert "截至2005年底，全区共有明星社区4个、特色社区18个。" in text
    assert "截至2006年6月30日，全区已有12个社区开展一站式服务试点。" in text
    assert "已建成2个、已批准立项2个" in text
    assert "截至2006年6月30日，34个实际运转的社区居委会共有办公活动用房51处" in text
    # The exam was passed in November: at mid-year nobody had, and nothing is said of it.
    assert "通过技能考试" not in text
    assert "28个社区" not in text
    classes, times = it_training_since(text)
    assert classes >= 20 and times >= 200
    assert "2006年（截至2006年6月30日），全区社区工作者参加培训12期" in text


@pytest.mark.django_db
def test_an_earlier_day_counts_less(demo, clients):
    from communities.models import CommunityCentre

    CommunityCentre.objects.filter(name="兴隆社区中心").update(
        status_date=datetime.date(2006, 7, 1)
    )
    text = page_text(clients["clerk"].get(URL, {"year": 2006, "as_of": "2006-06-30"}))
    assert "已建成2个、已批准立项1个" in text
    text = page_text(clients["clerk"].get(URL, {"year": 2006}))
    assert "已建成2个、已批准立项2个" in text


@pytest.mark.django_db
def test_a_street_report_speaks_of_the_street(clients):
    response = clients["nanhu"].get(URL, {"year": 2006})
    assert response.status_code == 200
    article = page_text(response).split("南湖街道社区建设工作报告（2006年）")[1]
    assert "全区" not in article
    for sentence in (
        "南湖街道共建制社区居委会9个，实际运转9个。",
        "2006年南湖街道社区居委会人员经费",
        "南湖街道共有明星社区",
        "南湖街道已有",
        "南湖街道在岗的信息系统持证操作员共",
    ):
        assert sentence in article, sentence
    assert "滨湖" not in article and "兴隆" not in article and "双闸" not in article
    assert "8～10" not in article  # the district's plan is not the street's


@pytest.mark.django_db
def test_the_choice_of_year_for_training(clients):
    text = page_text(clients["clerk"].get(URL, {"year": 2006, "since": 2005}))
    classes, _times = re.search(
        r"2005年以来.*?信息系统与计算机技能培训(\d+)期、([\d,]+)人次", text
    ).groups()
    assert int(classes) < 20
    assert "2002年以来" not in text


@pytest.mark.django_db
def test_bad_parameters_are_refused_in_chinese(clients):
    response = clients["clerk"].get(URL, {"year": 2006, "as_of": "2007-01-15"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "截至日期须在2006年内" in body and 'value="2007-01-15"' in body
    response = clients["clerk"].get(URL, {"year": 2006, "since": 2008})
    assert response.status_code == 400
    assert "培训累计起始年份不能晚于所选年度" in response.content.decode()
    assert clients["clerk"].get(URL, {"year": 2006, "format": "pdf"}).status_code == 404


@pytest.mark.django_db
def test_sentences_without_data_are_left_out(demo, clients):
    from staffing.models import ExamResult, Qualification

    Qualification.objects.all().delete()
    ExamResult.objects.all().delete()
    text = page_text(clients["clerk"].get(URL, {"year": 2006}))
    assert "持证操作员" not in text and "技能考试" not in text
    assert "全区共有明星社区4个" in text


@pytest.mark.django_db
def test_the_reports_page_lists_the_yearly_report(clients):
    body = clients["viewer"].get(reverse("reports:report-list")).content.decode()
    assert "社区建设年度工作报告" in body and URL in body


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_queries_do_not_grow_with_rows(demo, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from communities.models import Committee, Title

    def count():
        with CaptureQueriesContext(connection) as context:
            yearly_report(year=2006, user=users["clerk"]).text()
        return len(context.captured_queries)

    before = count()
    street = demo["streets"]["南湖"]
    for number in range(5):
        committee = Committee.objects.create(
            code=f"T{number}", name=f"测试{number}社区", street=street, households=3000 + number
        )
        Title.objects.create(
            committee=committee, kind="star", field="culture", name="文化社区", year=2005
        )
    assert count() == before


@pytest.mark.django_db
def test_the_average_income_is_the_briefs_and_comes_from_the_pay_received(clients, users):
    """人均年收入约12600元 (BRIEF): the standard plus what the streets add (staffing.income),
    rounded to the hundred as the bureau writes it; the standard alone would say ~9,300."""
    from staffing.income import average_annual_income

    text = page_text(clients["viewer"].get(URL, {"year": 2006}))
    assert "社区工作者人均年收入约12,600元。" in text
    average = average_annual_income(users["viewer"], 2006)
    assert f"{round(average / 100) * 100:,}" == "12,600"
