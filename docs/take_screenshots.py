"""Sign in to a running Ladder as a demo person and capture its pages as PNGs.

Run `make run` in one terminal, then:
    .venv/bin/python docs/take_screenshots.py [--base URL] [--out docs/screenshots]
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

PAGES = [
    # (file name, path, width, login, full page)
    ("level", "/ladder/engineering-career-framework/v1/machine-learning/IC5/", 1280, "ana", False),
    (
        "level-phone",
        "/ladder/engineering-career-framework/v1/machine-learning/IC5/",
        390,
        "ana",
        False,
    ),
    ("framework", "/ladder/engineering-career-framework/v1/", 1280, "ana", False),
    ("login", "/accounts/login/", 1280, None, False),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--extra", nargs="*", default=[], help="More name=path pairs to capture.")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = PAGES + [
        (name, path, 1280, "admin", True) for name, path in (e.split("=", 1) for e in args.extra)
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, path, width, login, full in pages:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            if login:
                page.goto(args.base + "/accounts/login/")
                page.get_by_label("Username").fill(login)
                page.get_by_label("Password").fill("ladder-demo")
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state()
            page.goto(args.base + path)
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=full)
            context.close()
            print(f"{name}: {args.out / f'{name}.png'}")
        browser.close()


if __name__ == "__main__":
    main()
