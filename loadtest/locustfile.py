"""The last hours before a deadline, as locust users: engineers, managers and a committee.

Each simulated person takes one entry of the roster that loadtest/seed.py wrote
(LADDER_ROSTER), with its signed-in session. Engineers open their self-assessment and
autosave a behaviour every few seconds, now and then reload the page, and some submit;
managers open their reports' reviews and autosave comments; calibrators read the
committee's pages. Every save the server acknowledges (200 with the row's new version)
goes into the ledger (LADDER_LEDGER, one JSON line per save), which loadtest/run.py
compares with the database afterwards.

Run by loadtest/run.py; on its own: locust -f loadtest/locustfile.py with the two
variables set and --host pointing at a server of the seeded database.
"""

import itertools
import json
import os
import random
import re
import secrets
import threading
from pathlib import Path

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

ROSTER = json.loads(Path(os.environ["LADDER_ROSTER"]).read_text())
_taken = {
    "engineer": itertools.count(),
    "manager": itertools.count(),
    "calibrator": itertools.count(),
}
_ledger_lock = threading.Lock()
# Open for the whole run, closed when locust quits (_close_ledger).
_ledger = open(os.environ["LADDER_LEDGER"], "w")  # noqa: SIM115
# Every request's start (Unix time), name and milliseconds, for the report's split of
# the opening minute from the steady state (LADDER_TIMINGS; absent, nothing is kept).
_timings = open(os.environ["LADDER_TIMINGS"], "w") if os.environ.get("LADDER_TIMINGS") else None  # noqa: SIM115
WORDS = [
    "shipped",
    "led",
    "wrote",
    "reviewed",
    "mentored",
    "migrated",
    "measured",
    "designed",
    "proposed",
    "ran",
    "fixed",
    "ranking",
    "model",
    "feature",
    "store",
    "evaluation",
    "latency",
    "incident",
    "rollout",
    "experiment",
    "budget",
]


def ledger(**entry) -> None:
    with _ledger_lock:
        _ledger.write(json.dumps(entry) + "\n")
        _ledger.flush()


def evidence() -> str:
    words = random.choices(WORDS, k=random.randint(8, 60))
    return " ".join(words).capitalize() + f". Ref {secrets.token_hex(4)}."


def versions(html: str) -> dict[int, int]:
    """behaviour id -> the row's version, from the rating forms of a page."""
    found = {}
    for match in re.finditer(r'name="version" value="(\d+)" id="version-(\d+)"', html):
        found[int(match[2])] = int(match[1])
    return found


class Person(FastHttpUser):
    # geventhttpclient rather than requests: the generator shares the machine with the
    # server it measures, and spent a third of a core on requests' own work as 300
    # people arrived. Cookies go in a header: the session and the CSRF pair are fixed.
    abstract = True
    wait_time = between(2, 5)

    def on_start(self):
        people = [p for p in ROSTER["people"] if p["role"] == self.role]
        taken = next(_taken[self.role])
        if taken >= len(people):
            # Two simulated browsers on one person's rows would be a test of conflicts,
            # not of lost writes: stop, so that loadtest/run.py seeds more people.
            raise StopUser()
        self.me = people[taken]
        # Django's CSRF check wants the cookie and the header to agree; any token will do.
        token = secrets.token_hex(16)
        self.cookies = {
            "Cookie": f"{ROSTER['session_cookie']}={self.me['session']}; csrftoken={token}"
        }
        self.headers = {
            **self.cookies,
            "X-CSRFToken": token,
            "HX-Request": "true",
            "Referer": self.host + "/",
        }

    def get(self, url: str, name: str):
        return self.client.get(url, headers=self.cookies, name=name)

    def post(self, url: str, data: dict, name: str):
        return self.client.post(url, data=data, headers=self.headers, name=name)


class Engineer(Person):
    role = "engineer"
    weight = 85

    def on_start(self):
        super().on_start()
        self.submitted, self.versions = False, {}
        self.row = None  # (behaviour, text, score) of the row being written in
        self.open_page()

    def open_page(self):
        response = self.get(f"/assessments/{self.me['assessment']}/", name="page: assessment")
        if response.status_code == 200:
            self.versions = versions(response.text)
            self.submitted = not self.versions

    @task(20)
    def autosave(self):
        """A pause in typing saves the row (typing=1, as the page sends it); now and then
        the person leaves the row, and the page saves it once more to render it."""
        if self.submitted or not self.versions:
            return self.open_page()
        pk = self.me["assessment"]
        row = self.row
        if row is not None and (row[0] not in self.versions or random.random() < 0.25):
            self.row = None
            if row[0] in self.versions:
                return self.send(pk, *row, typing=False)
        if self.row is None:
            self.row = (random.choice(list(self.versions)), "", 1)
        behaviour = self.row[0]
        text, score = evidence(), random.choice([1, 2, 3, 4])
        self.row = (behaviour, text, score)
        self.send(pk, behaviour, text, score, typing=True)

    def send(self, pk: int, behaviour: int, text: str, score: int, *, typing: bool):
        ledger(kind="attempt", side="self", assessment=pk, behaviour=behaviour, text=text,
               score=score)  # fmt: skip
        data = {"score": score, "evidence": text, "version": self.versions[behaviour]}
        if typing:
            data["typing"] = "1"
        response = self.post(
            f"/assessments/{pk}/behaviours/{behaviour}/",
            data,
            name="autosave" if typing else "autosave on leaving a row",
        )
        if response.status_code == 200:
            version = int(response.headers["X-Rating-Version"])
            self.versions[behaviour] = version
            ledger(kind="self", assessment=pk, behaviour=behaviour, version=version,
                   text=text, score=score)  # fmt: skip
        elif response.status_code in (403, 409):
            self.row = None
            self.open_page()

    @task(2)
    def reload(self):
        self.open_page()

    @task(1)
    def submit(self):
        if self.submitted or random.random() > 0.3:
            return
        pk = self.me["assessment"]
        response = self.client.post(
            f"/assessments/{pk}/submit/",
            headers={k: v for k, v in self.headers.items() if k != "HX-Request"},
            name="submit",
            allow_redirects=False,
        )
        if response.status_code == 302:
            self.submitted = True
            ledger(kind="submit", assessment=pk)


class Manager(Person):
    role = "manager"
    weight = 12

    def on_start(self):
        super().on_start()
        self.pages = {}
        for pk in self.me["reviews"]:
            self.open_review(pk)

    def open_review(self, pk: int):
        response = self.get(f"/assessments/{pk}/review/", name="page: review")
        if response.status_code == 200:
            self.pages[pk] = versions(response.text)

    @task(10)
    def comment(self):
        pk = random.choice(self.me["reviews"])
        rows = self.pages.get(pk)
        if not rows:
            return self.open_review(pk)
        behaviour = random.choice(list(rows))
        text, score = evidence(), random.choice([1, 2, 3, 4])
        ledger(kind="attempt", side="review", assessment=pk, behaviour=behaviour, text=text,
               score=score)  # fmt: skip
        response = self.post(
            f"/assessments/{pk}/review/behaviours/{behaviour}/",
            {"score": score, "comment": text, "version": rows[behaviour]},
            name="review save",
        )
        if response.status_code == 200:
            version = int(response.headers["X-Rating-Version"])
            rows[behaviour] = version
            ledger(kind="review", assessment=pk, behaviour=behaviour, version=version,
                   text=text, score=score)  # fmt: skip
        elif response.status_code in (403, 409):
            self.open_review(pk)

    @task(2)
    def team(self):
        self.get("/team/", name="page: team")

    @task(1)
    def reload(self):
        self.open_review(random.choice(self.me["reviews"]))


class Calibrator(Person):
    role = "calibrator"
    weight = 3
    wait_time = between(3, 8)

    @task(3)
    def committee(self):
        self.get(f"/cycles/{self.me['cycle']}/calibration/", name="page: calibration")

    @task(1)
    def disagreements(self):
        self.get(f"/cycles/{self.me['cycle']}/disagreements/", name="page: disagreements")


@events.request.add_listener
def _count_failures(name, response=None, exception=None, **kwargs):
    """Answers the run must account for: server errors, and connections that dropped."""
    status = getattr(response, "status_code", 0) or 0
    if status >= 500 or (exception is not None and status == 0):
        # A stack trace shown to a person is an error whatever the status.
        if "Traceback" in (getattr(response, "text", "") or ""):
            status = "trace"
        ledger(kind="trouble", name=name, status=status, error=repr(exception)[:200])


@events.request.add_listener
def _time(name, response_time, start_time=None, response=None, **kwargs):
    if _timings is not None and start_time is not None:
        status = getattr(response, "status_code", 0) or 0
        with _ledger_lock:
            _timings.write(f"{start_time:.3f},{name},{response_time:.1f},{status}\n")


@events.quitting.add_listener
def _close_ledger(environment, **kwargs):
    _ledger.close()
    if _timings is not None:
        _timings.close()
