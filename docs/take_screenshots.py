"""Sign in to a running Ladder as demo people and capture its pages as PNGs.

Run `make run` in one terminal, then:
    .venv/bin/python docs/take_screenshots.py [--base URL] [--out docs/screenshots]

The demo organisation (make run) has assessments at every stage: Dev's draft is
where the self-assessment pages are taken (started and partly answered if it isn't
yet), Mira reviews Ben's and Chloé's, and Priya (cal) calibrates the cycle.
"""

import argparse
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

LEVEL = "/ladder/engineering-career-framework/v1/machine-learning/IC5/"
LAPTOP, PHONE = (1280, 900), (390, 844)
PAGES = [
    # (file name, path or a step below, viewport, login, full page)
    ("level", LEVEL, LAPTOP, "ana", False),
    ("level-phone", LEVEL, PHONE, "ana", False),
    ("framework", "/ladder/engineering-career-framework/v1/", LAPTOP, "ana", False),
    ("login", "/accounts/login/", LAPTOP, None, False),
    ("assessment", "assessment", LAPTOP, "dev", False),
    ("assessment-phone", "assessment", PHONE, "dev", False),
    ("home", "/", LAPTOP, "dev", False),
    ("home-phone", "/", PHONE, "dev", False),
    ("admin-home", "/", LAPTOP, "admin", False),
    ("manager-home", "/", LAPTOP, "mira", False),
    ("team", "/team/", LAPTOP, "mira", False),
    ("team-phone", "/team/", PHONE, "mira", True),
    ("review", "review", LAPTOP, "mira", False),
    ("review-phone", "review", PHONE, "mira", False),
    ("packet", "packet", LAPTOP, "mira", True),
    ("packet-phone", "packet", PHONE, "mira", False),
    ("calibration", "calibration", LAPTOP, "cal", True),
    ("calibration-phone", "calibration", PHONE, "cal", False),
    ("disagreements", "disagreements", LAPTOP, "cal", True),
    ("import", "/ladder/import/", LAPTOP, "admin", False),
    ("import-report", "import-report", LAPTOP, "admin", False),
    ("editor", "editor", LAPTOP, "admin", False),
    ("editor-phone", "editor", PHONE, "admin", False),
    ("publish", "publish", LAPTOP, "admin", False),
    ("cycle", "cycle", LAPTOP, "admin", True),
    ("cycle-phone", "cycle", PHONE, "admin", False),
    ("partner-cycle", "cycle", LAPTOP, "hana", True),
    ("partner-cycle-phone", "cycle", PHONE, "hana", False),
    ("committees", "/committees/", LAPTOP, "admin", True),
    ("committee", "committee", LAPTOP, "admin", True),
    ("committee-phone", "committee", PHONE, "admin", False),
    ("people-import", "/people/import/", LAPTOP, "admin", False),
    ("peer-input", "peer-input", LAPTOP, "ana", False),
    ("review-peers", "review-peers", LAPTOP, "mira", False),
]
CORPUS = Path(__file__).resolve().parent.parent / "tests" / "ladder" / "corpus"


def sign_in(page, base: str, login: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill("ladder-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def open_assessment(page, base: str) -> None:
    """Ana's assessment, started and partly answered the first time."""
    page.goto(base + "/")
    start = page.get_by_role("button", name="Start your IC5 self-assessment")
    if start.count():
        start.click()
        forms = page.locator(".rating-form")
        for index, answer in enumerate(["Consistently", "Sometimes", "Beyond this level"] * 3):
            forms.nth(index).get_by_text(answer, exact=True).click()
        forms.first.get_by_label("Evidence", exact=True).fill(
            "Led the **feature store** migration with three teams: "
            "https://github.com/acme/ml/pull/123 and the [design doc](https://docs.example/fs)."
        )
        page.wait_for_timeout(2500)  # autosave and the progress refresh
    else:
        page.get_by_role("link", name="self-assessment").first.click()
    page.wait_for_load_state()


def open_review(page, base: str) -> None:
    """Ben's review, which Mira has started."""
    page.goto(base + "/team/")
    page.get_by_role("link", name=re.compile("^Finish your review.*Ben")).click()
    page.wait_for_load_state()


def open_packet(page, base: str) -> None:
    """Chloé's calibration packet: Mira finished her review."""
    page.goto(base + "/team/")
    page.get_by_role("link", name=re.compile("^With the calibration committee.*Chlo")).click()
    page.get_by_role("link", name="Calibration packet").click()
    page.wait_for_load_state()


def open_calibration(page, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name=re.compile("^Calibrate")).first.click()
    page.wait_for_load_state()


def open_disagreements(page, base: str) -> None:
    open_calibration(page, base)
    page.get_by_role("link", name=re.compile("disagree")).first.click()
    page.wait_for_load_state()


def open_import_report(page, base: str) -> None:
    """The dry run of two corpus pages, one of them HTML."""
    page.goto(base + "/ladder/import/")
    page.get_by_label("Files").set_input_files(
        [
            str(CORPUS / "contoso-ic4-senior-machine-learning-engineer.html"),
            str(CORPUS / "globex-m4-engineering-manager.md"),
        ]
    )
    page.get_by_role("button", name=re.compile("Check")).click()
    page.wait_for_url(re.compile(r"/ladder/import/\d+/"))


def open_editor(page, base: str) -> None:
    """IC5 in the draft, starting one from v1 the first time."""
    page.goto(base + LEVEL + "edit/")
    start = page.get_by_role("button", name=re.compile("Start a draft"))
    if start.count():
        start.click()
    else:
        page.get_by_role("link", name=re.compile("draft")).first.click()
    page.wait_for_url(re.compile(r"/v\d+/.*/edit/"))


def open_publish(page, base: str) -> None:
    open_editor(page, base)
    page.get_by_role("link", name=re.compile("Publish")).first.click()
    page.wait_for_load_state()


def open_cycle(page, base: str) -> None:
    """The open demo cycle's page, as whoever runs it finds it from the list."""
    page.goto(f"{base}/cycles/")
    page.get_by_role("link", name="Demo review cycle", exact=True).click()


def open_peer_input(page, base: str) -> None:
    """Ana's page for her input on Dev, from her home."""
    page.goto(base + "/")
    page.get_by_role("link", name="Give your input on Dev Raman").click()
    page.wait_for_load_state()


def open_review_peers(page, base: str) -> None:
    """Ben's review at its peer input: three colleagues answered, one declined."""
    open_review(page, base)
    top = page.locator(".peer-summary").bounding_box()["y"]
    page.evaluate("y => window.scrollBy(0, y)", top - 20)


def open_committee(page, base: str) -> None:
    """The demo cycle's committee, from the list of committees."""
    page.goto(f"{base}/committees/")
    page.get_by_role("link", name="Demo review cycle calibrators").click()


STEPS = {
    "peer-input": open_peer_input,
    "review-peers": open_review_peers,
    "committee": open_committee,
    "import-report": open_import_report,
    "editor": open_editor,
    "publish": open_publish,
    "assessment": open_assessment,
    "review": open_review,
    "packet": open_packet,
    "calibration": open_calibration,
    "disagreements": open_disagreements,
    "cycle": open_cycle,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--extra", nargs="*", default=[], help="More name=path pairs to capture.")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = PAGES + [
        (name, path, LAPTOP, "admin", True) for name, path in (e.split("=", 1) for e in args.extra)
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path, (width, height), login, full in pages:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            if login:
                sign_in(page, args.base, login)
            if path in STEPS:
                STEPS[path](page, args.base)
            else:
                page.goto(args.base + path)
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=full)
            context.close()
            print(f"{name}: {args.out / f'{name}.png'}")
        browser.close()


if __name__ == "__main__":
    main()
