"""Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import subprocess
from contextlib import contextmanager

import pytest

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium as root on a machine with no network beyond package registries:
# without the background-networking flags it keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@contextmanager
def _orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread, and Django refuses
    # ORM calls from such a thread unless told it is deliberate. Only the browser
    # tests say so, for their own setup, call and teardown (the per-item hooks of
    # this conftest see only the items in this folder).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    with _orm_beside_playwright():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    with _orm_beside_playwright():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    with _orm_beside_playwright():
        return (yield)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def sign_in(live_server):
    """Sign in through the login form, as a person would."""

    def _sign_in(page, user, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return _sign_in


def download_packet_text(page, folder) -> str:
    """Download the open packet's A4 PDF, as its link does, and read back its text."""
    with page.expect_download() as download:
        page.get_by_role("link", name="A4").click()
    pdf = folder / "packet.pdf"
    download.value.save_as(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
