"""Chinese first: the browser's Accept-Language does not switch the interface; the user's
explicit choice (the language cookie set by /i18n/setlang/) does."""

import pytest


@pytest.mark.django_db
def test_chinese_even_when_the_browser_asks_for_english(clients):
    page = clients["clerk"].get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "社区居委会" in page
    assert "Committees" not in page


@pytest.mark.django_db
def test_english_when_the_user_chooses_it(clients):
    client = clients["clerk"]
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.status_code == 302
    page = client.get("/admin/").content.decode()
    assert "Committees" in page


@pytest.mark.django_db
def test_years_are_not_grouped_like_amounts(clients):
    page = clients["nanhu"].get("/returns/2007/1/").content.decode()
    assert "2,007" not in page
    assert "2007" in page
