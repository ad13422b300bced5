"""Accounts: login, throttling, password change, demo logins."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests import personas

pytestmark = pytest.mark.django_db


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_member_logs_in_and_out(client, world):
    response = log_in(client, "accountant_a", personas.PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("expenditures:list", kwargs=world.kwargs)).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("expenditures:list", kwargs=world.kwargs)).status_code == 302


def test_a_wrong_password_gets_a_chinese_message(client, world):
    response = log_in(client, "accountant_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_five_failures_lock_the_login_with_a_clear_message(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "accountant_a", "wrong").status_code == 200
    locked = log_in(client, "accountant_a", "wrong")
    assert locked.status_code == 429
    assert "登录失败次数过多，账户已暂时锁定" in locked.content.decode()
    # even the right password is refused while locked
    again = log_in(client, "accountant_a", personas.PASSWORD)
    assert again.status_code == 429


def test_a_password_can_be_changed(client, world):
    client.force_login(world.leader)
    response = client.post(
        reverse("accounts:password"),
        {"old_password": personas.PASSWORD, "new_password1": "a-new-long-passphrase-9", "new_password2": "a-new-long-passphrase-9"},
    )
    assert response.status_code == 302
    world.leader.refresh_from_db()
    assert world.leader.check_password("a-new-long-passphrase-9")


def test_sessions_time_out(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.fixture
def demo_user(django_user_model):
    return django_user_model.objects.create_user("caiwu", password="fundmgr-demo")


def test_demo_logins_are_refused_in_production_with_the_default_password(client, demo_user, settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD_EXPLICIT = False
    response = log_in(client, "caiwu", "fundmgr-demo")
    assert response.status_code == 200
    assert "演示账号仅在开发模式" in response.content.decode()
    # the admin login goes through the same backends
    admin = client.post(reverse("admin:login"), {"username": "caiwu", "password": "fundmgr-demo"})
    assert "_auth_user_id" not in client.session
    assert admin.status_code == 200


def test_demo_logins_work_when_debug_is_on(client, demo_user, settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD_EXPLICIT = False
    assert log_in(client, "caiwu", "fundmgr-demo").status_code == 302


def test_demo_logins_work_when_the_password_was_set_explicitly(client, demo_user, settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD_EXPLICIT = True
    assert log_in(client, "caiwu", "fundmgr-demo").status_code == 302
