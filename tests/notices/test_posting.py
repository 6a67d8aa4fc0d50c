"""The district posts a notice to all streets or chosen ones, with an optional attachment;
street staff and viewers may not; a bad attachment is refused in Chinese and nothing typed
is lost."""

import pytest
from django.urls import reverse

from notices.models import Delivery, Kind, Notice

from .conftest import bytes_of, pdf, upload

pytestmark = pytest.mark.django_db

NEW = reverse("notices:new")


def post(client, **data):
    form = {"title": "关于报送2007年第二季度报表的通知", "body": "请各街道于7月15日前报送。"}
    form.update(data)
    return client.post(NEW, {k: v for k, v in form.items() if v is not None})


def test_clerk_posts_to_chosen_streets(clients, demo):
    nanhu, binhu = demo["streets"]["南湖"], demo["streets"]["滨湖"]
    response = post(clients["clerk"], audience="chosen", streets=[nanhu.pk, binhu.pk])
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:detail", args=[notice.pk])
    assert notice.kind == Kind.NOTICE and notice.sent_by.username == "clerk-district"
    assert set(notice.deliveries.values_list("street__short_name", flat=True)) == {"南湖", "滨湖"}
    # 南湖 sees it; 南苑 does not.
    assert notice.title in clients["nanhu"].get(reverse("notices:list")).content.decode()
    nanyuan_user = _street_client(demo, "南苑")
    assert notice.title not in nanyuan_user.get(reverse("notices:list")).content.decode()


def test_admin_posts_to_all_streets(clients, demo):
    response = post(clients["admin"], audience="all")
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert notice.deliveries.count() == len(demo["streets"]) == 5
    page = clients["admin"].get(response["Location"]).content.decode()
    assert "通知已发送给 5 个街道。" in page


def test_chosen_without_streets_is_refused_and_keeps_the_text(clients):
    response = post(clients["clerk"], audience="chosen", body="正文一字不丢")
    assert response.status_code == 400
    body = response.content.decode()
    assert "请至少勾选一个街道，或选择发送给全部街道。" in body
    assert "正文一字不丢" in body and "关于报送2007年第二季度报表的通知" in body
    assert Notice.objects.count() == 0


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("名单.exe", b"MZ\x90\x00", "不能上传“.exe”类型的附件"),
        ("假的.pdf", b"MZ\x90\x00this is a program", "的内容并不是 pdf 文件"),
        ("空的.docx", b"", "文件是空的。"),
    ],
)
def test_bad_attachment_is_refused_in_chinese_and_the_text_stays(clients, name, content, message):
    response = post(
        clients["clerk"],
        audience="all",
        body="请各街道认真组织学习。",
        attachment=upload(name, content),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "请重新选择附件：浏览器无法保留已选择的文件。" in body
    assert "请各街道认真组织学习。" in body  # what the clerk typed is shown again
    assert 'value="关于报送2007年第二季度报表的通知"' in body
    assert Notice.objects.count() == 0


def test_too_big_attachment_is_refused(clients, settings):
    settings.NOTICE_ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = post(clients["clerk"], audience="all", attachment=pdf(size=2 * 1024 * 1024))
    assert response.status_code == 400
    assert "该文件大小为 2.0 MB，附件最大不能超过 1.0 MB。" in response.content.decode()
    assert Notice.objects.count() == 0


def test_other_field_error_says_to_choose_the_file_again(clients):
    response = post(clients["clerk"], audience="chosen", attachment=pdf())
    assert response.status_code == 400
    assert "请重新选择附件" in response.content.decode()


def test_attachment_is_stored_and_downloaded_by_the_street(clients, demo, media):
    nanhu = demo["streets"]["南湖"]
    post(clients["clerk"], audience="chosen", streets=[nanhu.pk], attachment=pdf("报表说明.pdf"))
    notice = Notice.objects.get()
    assert notice.attachment_name == "报表说明.pdf"
    assert notice.attachment.name.startswith("notices/") and notice.attachment.name.endswith(".pdf")
    assert (media / notice.attachment.name).exists()  # through default_storage
    url = reverse("notices:attachment", args=[notice.pk])
    response = clients["nanhu"].get(url)
    assert response.status_code == 200
    assert bytes_of(response).startswith(b"%PDF-")
    assert "filename*=utf-8''%E6%8A%A5" in response["Content-Disposition"]
    # Another street's user: not found.
    assert clients["binhu"].get(url).status_code == 404


@pytest.mark.parametrize("who", ["nanhu", "viewer"])
def test_street_staff_and_viewers_may_not_post(clients, who):
    assert clients[who].get(NEW).status_code == 403
    response = post(clients[who], audience="all")
    assert response.status_code == 403
    assert "只有区管理员和区民政局工作人员可以发布通知。" in response.content.decode()
    assert Notice.objects.count() == 0 and Delivery.objects.count() == 0


def test_the_list_offers_posting_only_to_who_may_post(clients):
    assert 'id="new-notice"' in clients["clerk"].get(reverse("notices:list")).content.decode()
    for who in ("nanhu", "viewer"):
        assert 'id="new-notice"' not in clients[who].get(reverse("notices:list")).content.decode()


def _street_client(demo, short_name):
    from django.test import Client

    from accounts.roles import Role
    from tests.conftest import make_user

    client = Client()
    client.force_login(make_user(Role.STREET, demo["streets"][short_name]))
    return client
