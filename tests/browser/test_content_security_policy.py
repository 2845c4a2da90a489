"""The strict Content-Security-Policy holds on every page: Chromium reports no violation.

Each persona signs in and walks the site from the start page by following its links,
one page per URL shape (/assessments/12/ and /assessments/13/ are one shape), the
admin's pages included. Every document listens for `securitypolicyviolation` from
before its first script runs; any report, or a console message about the policy,
fails the test with the page and the directive.
"""

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.urls import reverse

from assessments import workflow
from assessments.models import Cycle
from assessments.services import start_assessment
from ladder.models import Framework
from ladder.services import new_draft_from
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.factories import PASSWORD, UserFactory, level_doc, make_framework

pytestmark = [
    pytest.mark.browser,
    pytest.mark.engine_neutral,
    pytest.mark.django_db(transaction=True),
]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""
# Links not followed: they sign out, or answer with a file rather than a page.
NOT_PAGES = re.compile(r"/logout/|\.(md|csv|pdf|yaml)$|/(download|export)|/jsi18n/")


def shape(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


@pytest.fixture
def site(engineer, peer, manager, calibrator, admin_user, ladder_editor):
    framework = make_framework(
        level_doc("IC4", "Senior Machine Learning Engineer", responsibilities=1, behaviours=2),
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=2),
    )
    new_draft_from(framework)
    track = framework.levels.first().track
    for person in (engineer, peer):
        person.track = track
        person.save(update_fields=["track"])
    cycle = make_cycle(framework)
    committee = Group.objects.create(name="Committee")
    committee.user_set.add(calibrator)
    cycle.calibrators = committee
    cycle.save(update_fields=["calibrators"])
    reviewed = start_assessment(cycle=cycle, engineer=engineer)
    answer_all(reviewed)
    workflow.submit(reviewed, by=engineer)
    review_all(reviewed, manager)
    start_assessment(cycle=cycle, engineer=peer)
    return {
        "engineer": engineer,
        "manager": manager,
        "calibrator": calibrator,
        "admin": admin_user,
        "editor": ladder_editor,
        "framework": framework,
        "track": track,
    }


AXE = Axe()


def accessibility_violations(page) -> list[str]:
    """What axe-core finds wrong on the page as it stands, one line per rule and element."""
    results = AXE.run(page, options={"resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {node['target']}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]


def walk(page, starts: list[str], origin: str, limit: int) -> list[str]:
    """Visit starts and the pages reachable from them, one per URL shape; return the
    violations seen."""
    problems, seen, queue = [], set(), list(starts)
    page.on(
        "console",
        lambda m: (
            problems.append(f"{page.url}: console: {m.text}")
            if "Content Security Policy" in m.text
            else None
        ),
    )
    visited = 0
    while queue and visited < limit:
        url = queue.pop(0)
        if shape(url) in seen:
            continue
        seen.add(shape(url))
        response = page.goto(url)
        visited += 1
        assert response is not None
        assert response.status < 500, f"{url} answered {response.status}"
        assert response.headers.get("content-security-policy"), f"{url} sent no policy"
        problems += [f"{url}: {v}" for v in page.evaluate("window.__cspViolations || []")]
        problems += [f"{url}: axe: {v}" for v in accessibility_violations(page)]
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            href = urldefrag(href).url
            if href.startswith(origin) and not NOT_PAGES.search(href) and "?" not in href:
                queue.append(href)
    return problems


def unlinked_pages(persona: str, site) -> list[str]:
    """Pages no link leads to from the start page: reached after an action, or typed."""
    slug, track = site["framework"].slug, site["track"].slug
    pages = [
        reverse("password_change_done"),
        reverse("ladder:compare-levels", args=[slug, 1, track]),
        reverse("ladder:compare-versions", args=[slug, track, "IC5"]),
        reverse("assessments:my-reminders"),
        "/no-such-page/",
    ]
    if persona == "manager":
        pages.append(reverse("assessments:team"))
    return pages


@pytest.mark.parametrize(
    "persona", ["signed out", "engineer", "manager", "calibrator", "editor", "admin"]
)
def test_no_page_breaks_the_content_security_policy(page, live_server, sign_in, site, persona):
    page.add_init_script(LISTEN)
    origin = live_server.url
    if persona == "signed out":
        starts = [reverse("login"), "/no-such-page/"]
    else:
        sign_in(page, site[persona], PASSWORD)
        starts = ["/", *unlinked_pages(persona, site)]
        if persona in ("admin", "editor"):
            starts.append("/admin/")
    limit = 80 if persona in ("admin", "editor") else 30
    problems = walk(page, [origin + path for path in starts], origin, limit)
    assert problems == []


def test_pages_after_an_action_pass_axe_too(page, live_server, sign_in, site):
    """What the crawl can't reach: a page with a message, and a level shown beside."""
    junior = UserFactory(username="junior", level_code="IC4", track=site["track"])
    assessment = start_assessment(cycle=Cycle.objects.get(), engineer=junior)
    sign_in(page, junior, PASSWORD)
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}?beside=IC5")
    assert page.locator("aside.beside").count() > 0
    assert accessibility_violations(page) == []
    # A saved scale comes back to the framework's page with a message.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site["editor"], PASSWORD)
    draft = Framework.objects.drafts().get()
    page.goto(f"{live_server.url}{reverse('ladder:edit-scale', args=[draft.slug, draft.version])}")
    page.get_by_role("button", name="Save the scale").click()
    assert page.locator("ul.messages li").count() > 0
    assert accessibility_violations(page) == []
    # Whoever runs cycles: a preview of who to enrol, and the cycle by manager.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, site["admin"], PASSWORD)
    cycle = Cycle.objects.get()
    enrol = reverse("assessments:enrol", args=[cycle.pk])
    page.goto(f"{live_server.url}{enrol}?levels=IC4&levels=IC5")
    assert page.get_by_role("heading", name="Nobody new to enrol").count() == 1
    assert accessibility_violations(page) == []
    page.goto(f"{live_server.url}{reverse('assessments:cycle', args=[cycle.pk])}?view=managers")
    assert page.locator("table.groups tbody tr").count() > 0
    assert accessibility_violations(page) == []
    # An org chart's dry run, with a problem and a column to choose.
    page.goto(f"{live_server.url}{reverse('assessments:people-import')}")
    page.get_by_label("CSV file from your HR system").set_input_files(
        files=[
            {
                "name": "people.csv",
                "mimeType": "text/csv",
                "buffer": b"Work Email,Name,Matricule\nnew@acme.test,New Person,E1\nbad,Bad,E2\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload and see what would change").click()
    assert page.get_by_role("heading", name="1 problem: nothing can be applied yet").count() == 1
    assert accessibility_violations(page) == []
