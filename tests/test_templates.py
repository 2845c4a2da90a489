"""One layout: every page but the admin's is a Jinja2 template on templates/jinja2/base.html."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SuspiciousOperation
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.defaults import bad_request, server_error

TEMPLATES = Path(settings.BASE_DIR) / "templates"
JINJA2 = TEMPLATES / "jinja2"


def test_every_template_but_the_admins_is_a_jinja2_template():
    # A page on Django's templates would need a layout of its own beside
    # templates/jinja2/base.html, and the two drift apart.
    strays = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.is_file() and path.relative_to(TEMPLATES).parts[0] not in {"jinja2", "admin"}
    ]
    assert not strays, f"Move these under templates/jinja2/ (or templates/admin/): {strays}"


@pytest.mark.parametrize(
    "name", sorted(str(p.relative_to(JINJA2)) for p in JINJA2.rglob("*.html")), ids=str
)
def test_every_jinja2_template_compiles(name):
    # Some are rendered only on rare paths (the signed-out page, the error pages).
    engines["jinja2"].env.get_template(name)


def test_the_server_error_page_renders_without_a_request_in_the_layout(rf):
    # Django's handler renders 500.html with no context at all: no user, no nav.
    response = server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert 'class="site-header"' in html
    assert "Sign out" not in html


def test_the_bad_request_page_renders_without_a_request(rf):
    response = bad_request(rf.get("/"), SuspiciousOperation("odd"))
    assert response.status_code == 400
    assert "That request couldn't be read" in response.content.decode()


def test_the_signed_out_page_renders(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string("registration/logged_out.html", request=request, using="jinja2")
    assert f'<a href="{reverse("login")}">Sign in again</a>' in html


@pytest.mark.django_db
def test_the_account_pages_are_ours_and_the_admins_password_page_stays_the_admins(
    client, admin_user
):
    client.force_login(admin_user)
    ours = client.get(reverse("password_change")).content.decode()
    assert "<h1>Change your password</h1>" in ours
    assert 'class="site-header"' in ours
    admins = client.get(reverse("admin:password_change")).content.decode()
    assert "Ladder administration" in admins
    assert 'class="site-header"' not in admins
