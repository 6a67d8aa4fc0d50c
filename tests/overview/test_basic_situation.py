"""The yearly 基本情况 states the brief's figures, computed from the demo data."""

import io
import re
from urllib.parse import quote

import pytest
from django.urls import reverse

URL = reverse("overview:basic-situation")

# The brief (shared/seed/BRIEF.md, 1-3), as the generated Chinese text says it.
BRIEF_SENTENCES = [
    "建邺区社区建设基本情况（2006年）",
    "一、基本情况",
    "1. 建制情况",
    "全区共建制社区居委会36个，实际运转34个。",
    "其中南湖街道9个，滨湖街道9个，南苑街道9个，兴隆街道8个（实际运转6个），双闸街道1个。",
    "另有村代居2个。",
    "社区居委会共有居民85,100户。",
    "2. 经费情况",
    "主任850元，副主任800元，社工（含专职党务工作者）750元",
    "每百户每月200元",
    "人员经费2,031,600元，办公及活动经费2,042,400元，合计4,074,000元。",
    "由区、街道各承担一半，分别为2,037,000元和2,037,000元。",
    "市、区财政拨付社区党建工作经费278,000元，各街道配套103,000元。",
    "3. 设施情况",
    "34个实际运转的社区居委会共有办公活动用房51处，面积14,680平方米，平均每个社区约432平方米。",
]


def page_text(response) -> str:
    body = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.mark.django_db
def test_page_states_the_brief(clients):
    response = clients["viewer"].get(URL, {"year": 2006})
    assert response.status_code == 200
    body = response.content.decode()
    for sentence in BRIEF_SENTENCES:
        assert sentence in body, sentence
    # The three tables, with the district total and the streets.
    text = page_text(response)
    for caption in (
        "表1 社区居委会建制情况表",
        "表2 社区居委会经费情况表",
        "表3 社区居委会办公活动用房情况表",
    ):
        assert caption in text
    assert "合计 2,031,600.00 2,042,400.00 4,074,000.00 2,037,000.00 2,037,000.00" in text
    assert "合计 51 14,680.00 34 431.76" in text


@pytest.mark.django_db
def test_docx_states_the_brief(clients):
    import docx

    response = clients["clerk"].get(URL, {"year": 2006, "format": "docx"})
    assert response.status_code == 200
    # Named as the document is titled, in Chinese (RFC 5987), like the report tables.
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        "建邺区社区建设基本情况（2006年）.docx"
    )
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    for sentence in BRIEF_SENTENCES:
        assert sentence in text, sentence
    assert len(document.tables) == 3
    establishment, funding, facilities = document.tables
    header = [c.text for c in establishment.rows[0].cells]
    assert header[0] == "单位" and header[1].startswith("建制社区居委会")
    assert [c.text for c in establishment.rows[1].cells][:3] == ["合计", "36", "34"]
    assert [c.text for c in funding.rows[1].cells] == [
        "合计", "2,031,600.00", "2,042,400.00", "4,074,000.00", "2,037,000.00", "2,037,000.00",
    ]  # fmt: skip
    assert [c.text for c in facilities.rows[1].cells][:3] == ["合计", "51", "14,680.00"]
    streets = [row.cells[0].text for row in establishment.rows[2:]]
    assert streets == ["南湖街道", "滨湖街道", "南苑街道", "兴隆街道", "双闸街道"]
    assert "clerk" in document.sections[0].footer.paragraphs[0].text


@pytest.mark.django_db
def test_street_user_reads_their_street(clients):
    body = clients["nanhu"].get(URL, {"year": 2006}).content.decode()
    assert "南湖街道社区建设基本情况（2006年）" in body
    assert "南湖街道共建制社区居委会9个，实际运转9个。" in body
    assert "滨湖" not in body and "兴隆" not in body and "4,074,000" not in body


@pytest.mark.django_db
def test_figures_follow_the_data(demo, clients):
    from decimal import Decimal

    from staffing.models import PayStandard

    PayStandard.objects.filter(position__code="director").update(monthly_amount=Decimal("900"))
    body = clients["clerk"].get(URL, {"year": 2006}).content.decode()
    assert "全区共建制社区居委会36个" in body
    assert "主任900元" in body
    assert "人员经费2,031,600元" not in body


@pytest.mark.django_db
def test_default_year_and_bad_year(clients):
    assert "（2006年）" in clients["clerk"].get(URL).content.decode()
    assert clients["clerk"].get(URL, {"year": "abc"}).status_code == 400
    assert clients["clerk"].get(URL, {"year": 2006, "format": "pdf"}).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
