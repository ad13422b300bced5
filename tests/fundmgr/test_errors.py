"""Error pages: our look, in Chinese, with DEBUG off and no internals shown."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.fundmgr.error_urls import SECRET_DETAIL

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def test_debug_is_off_in_tests_as_in_production(settings):
    assert settings.DEBUG is False


def test_an_unknown_address_shows_our_404_page_in_chinese(client, world):
    client.force_login(world.accountant_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "<h1>页面不存在</h1>" in html
    assert "您要访问的页面不存在" in html
    assert "fundmgr · 预算执行与绩效自评" in html  # base.html's top bar
    assert "Page not found" not in html and "Not Found" not in html


def test_another_departments_page_is_our_404_for_an_outsider(client, world):
    client.force_login(world.outsider)
    response = client.get(reverse("department", kwargs=world.kwargs))
    assert response.status_code == 404
    assert "页面不存在" in page(response)


def test_the_404_page_follows_the_chosen_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="en">' in page(response)


def test_a_refused_action_shows_our_403_page(client, world):
    client.force_login(world.accountant_a)
    response = client.get(reverse("upload:workbook"))  # only the finance office imports
    assert response.status_code == 403
    html = page(response)
    assert "<h1>无权访问</h1>" in html
    assert "请联系部门财务处" in html
    assert "403 Forbidden" not in html


@pytest.mark.urls("tests.fundmgr.error_urls")
def test_a_view_that_raises_gives_our_500_page_without_a_traceback(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.finance)
    response = client.get("/test-errors/raises/")
    assert response.status_code == 500
    html = page(response)
    assert "<h1>服务器内部错误</h1>" in html
    assert "错误已记录" in html
    for internal in ("Traceback", "RuntimeError", SECRET_DETAIL, "hunter2", "error_urls.py"):
        assert internal not in html


@pytest.mark.urls("tests.fundmgr.error_urls")
def test_a_suspicious_request_gives_our_400_page(client):
    response = client.get("/test-errors/suspicious/")
    assert response.status_code == 400
    html = page(response)
    assert "<h1>请求无效</h1>" in html
    assert SECRET_DETAIL not in html


def test_an_unknown_host_gives_our_400_page(client):
    response = client.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "请求无效" in page(response)


def test_a_form_without_its_csrf_token_gives_our_page_not_djangos(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.finance)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    html = page(response)
    assert "<h1>页面已过期</h1>" in html
    assert "未做任何改动" in html
    assert "CSRF" not in html
    assert "_auth_user_id" in client.session  # not logged out
