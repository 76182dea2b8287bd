"""What a production install needs from the code: the deploy checks and a health check a load
balancer can reach (docs/operations.md)."""

import re

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from sehoglandet import checks


def ids(messages) -> list[str]:
    return [message.id for message in messages]


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("", ["sehoglandet.E001"]),
        ("se.hoglandet.se", ["sehoglandet.E002"]),
        ("http://127.0.0.1:8000", ["sehoglandet.E003"]),
        ("https://localhost", ["sehoglandet.E003"]),
        ("http://[::1]:8000/", ["sehoglandet.E003"]),
        ("http://se.hoglandet.se", ["sehoglandet.W001"]),
        ("https://se.hoglandet.se", []),
    ],
)
def test_the_deploy_check_refuses_a_site_url_that_e_mail_links_cannot_use(settings, site_url, expected):
    settings.SITE_URL = site_url

    assert ids(checks.check_site_url(None)) == expected


def test_the_deploy_check_warns_when_e_mail_would_only_reach_the_console(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert ids(checks.check_email_backend(None)) == ["sehoglandet.W002"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert checks.check_email_backend(None) == []


def test_manage_py_check_deploy_fails_on_a_local_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    with pytest.raises(SystemCheckError, match=re.escape("SITE_URL 'http://127.0.0.1:8000' points at this machine")):
        call_command("check", "--deploy", "--tag", "security")


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["se.example.se"]
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.mark.django_db
def test_a_load_balancer_gets_ok_over_plain_http_whatever_host_it_names(client, production):
    response = client.get("/health/", HTTP_HOST="10.0.0.5:8000")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain"
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_every_other_page_still_goes_to_https_and_refuses_an_unknown_host(client, production):
    assert client.get("/", HTTP_HOST="se.example.se").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.get("/health/x", HTTP_HOST="10.0.0.5:8000").status_code == 400


@pytest.mark.django_db
def test_the_health_check_answers_a_head_request_and_refuses_a_post(client, production):
    assert client.head("/health/", HTTP_HOST="10.0.0.5").status_code == 200
    assert client.post("/health/", HTTP_HOST="10.0.0.5").status_code == 405
