"""The org chart from an HR system's CSV export: read, planned as a dry run, then applied.

Reading is forgiving about how HR systems spell their columns ("Work Email",
"Supervisor Email", "Job Level"...) and strict about what is in them: every problem
is reported with its row, and a file with problems changes nothing. The plan says
who is new, who changes (manager, level, track, department, start date, name), who is
deactivated; applying it twice changes nothing the second time. People are matched
by employee id, else by e-mail. Someone absent from the file is deactivated only if an
earlier import gave them an employee id (admins typed in by hand are left alone), and
deactivating never deletes an assessment.

Guardrails: a plan that deactivates more than 40% of the people it knows, or changes
more than 5% of their employee ids, is applied only when confirmed with those numbers.
Manager changes go through assessments.roles, the one path that refuses a change
handing its maker someone's reviews and records the rest.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from assessments import roles
from assessments.permissions import can_manage_people, department_refusal, manager_refusal
from ladder.models import Track, User, end_sessions

MOST_BYTES = 20_000_000
MOST_ROWS = 50_000
MOST_CELL = 254  # the longest name or e-mail a person has here
DEACTIVATE_GUARD = 0.40
ID_CHANGE_GUARD = 0.05

# Each field and the ways HR exports spell its column, compared lower-case with
# spaces, underscores, dots and dashes alike.
COLUMNS = {
    "employee_id": [
        "employee id", "employee number", "employee no", "emp id", "emp no", "worker id",
        "person id", "staff id", "id",
    ],
    "email": [
        "email", "e mail", "work email", "email address", "work e mail", "business email",
        "primary email", "work email address",
    ],
    "first_name": ["first name", "given name", "preferred first name", "legal first name"],
    "last_name": ["last name", "surname", "family name", "legal last name"],
    "name": ["name", "full name", "display name", "employee name", "preferred name"],
    "manager": [
        "manager", "manager email", "supervisor email", "manager e mail", "reports to",
        "manager id", "supervisor id", "manager employee id", "supervisor", "line manager",
        "manager work email", "supervisor employee id",
    ],
    "department": ["department", "team", "dept", "org", "organisation", "organization",
                   "business unit", "cost center", "cost centre"],
    "track": ["track", "job family", "career track", "function"],
    "level": ["level", "job level", "grade", "career level", "level code", "job grade"],
    "started_on": ["start date", "hire date", "started", "started on", "date of joining",
                   "original hire date", "start"],
    "active": ["active", "status", "employment status", "is active", "active status"],
}  # fmt: skip
LABELS = {
    "employee_id": "Employee id",
    "email": "E-mail",
    "first_name": "First name",
    "last_name": "Last name",
    "name": "Name",
    "manager": "Manager (e-mail or employee id)",
    "department": "Department or team",
    "track": "Track",
    "level": "Level",
    "started_on": "Start date",
    "active": "Active",
}
ACTIVE = {"", "yes", "y", "true", "1", "active", "a", "employed"}
INACTIVE = {"no", "n", "false", "0", "inactive", "terminated", "left", "t", "i", "withdrawn"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _key(header: str) -> str:
    return " ".join(re.sub(r"[\s_.\-]+", " ", header.strip().lower()).split())


def recognise(headers: list[str]) -> dict[str, int]:
    """Which column holds each field, by the names HR exports use; first match wins."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = _key(header)
        for name, spellings in COLUMNS.items():
            if name not in found and key in spellings:
                found[name] = index
                break
    return found


class FileProblem(ValueError):
    """The file can't be read at all: its size, encoding or shape."""


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark), UTF-16 with one, else Windows-1252."""
    if len(data) > MOST_BYTES:
        raise FileProblem(f"The file is over {MOST_BYTES // 1_000_000} MB: split it.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    employee_id: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    manager: str = ""
    department: str = ""
    track: str = ""
    level: str = ""
    started_on: date | None = None
    active: bool = True


@dataclass
class Sheet:
    rows: list[Row]
    columns: dict[str, int]
    headers: list[str]
    errors: list[str] = field(default_factory=list)

    @property
    def unrecognised(self) -> list[str]:
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if i not in used and h.strip()]


def read(text: str, mapping: dict[str, str] | None = None) -> Sheet:
    """The rows of the file, and every problem with them by row number.

    `mapping` names columns the header didn't say clearly: {"email": "Courriel"}.
    """
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), strict=True)
    lines = []
    try:
        for line in reader:
            lines.append(line)
    except csv.Error:
        # A cell over the csv module's limit (the ladder's CSV reader raises it for long
        # rubric text; the file's size bounds it anyway), or a broken quote.
        raise FileProblem(
            f"Row {len(lines) + 1} can't be read: a cell is far too long, or a quote is "
            "never closed."
        ) from None
    if not lines:
        raise FileProblem("The file is empty.")
    headers = lines[0]
    columns = recognise(headers)
    for name, header in (mapping or {}).items():
        if name in COLUMNS and header in headers:
            columns[name] = headers.index(header)
    sheet = Sheet([], columns, headers)
    missing = [LABELS[n] for n in ("email",) if n not in columns]
    if "name" not in columns and not {"first_name", "last_name"} <= columns.keys():
        missing.append("Name (or first and last name)")
    if missing:
        sheet.errors.append(
            f"No column for {', '.join(missing)}. Name the columns, or choose them below."
        )
        return sheet
    body = [line for line in lines[1:] if any(cell.strip() for cell in line)]
    if len(body) > MOST_ROWS:
        raise FileProblem(f"The file has {len(body):,} people; at most {MOST_ROWS:,} at once.")
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in line):
            continue
        row, problems = _row(number, line, columns)
        sheet.errors += problems
        sheet.rows.append(row)
    return sheet


def _cell(line: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return line[index].strip() if index is not None and index < len(line) else ""


def _row(number: int, line: list[str], columns: dict[str, int]) -> tuple[Row, list[str]]:
    problems = []
    values = {name: _cell(line, columns, name) for name in COLUMNS}
    for name, value in values.items():
        if len(value) > MOST_CELL:
            problems.append(f"Row {number}: {LABELS[name]} is over {MOST_CELL} characters.")
            values[name] = value[:MOST_CELL]
        if "\x00" in value:
            problems.append(f"Row {number}: {LABELS[name]} holds a NUL character.")
            values[name] = value.replace("\x00", "")
    first, last = values["first_name"], values["last_name"]
    if not (first or last) and values["name"]:
        first, _, last = values["name"].partition(" ")
    email = values["email"].lower()
    if not EMAIL.match(email):
        problems.append(f"Row {number}: “{email[:60]}” is not an e-mail address.")
    active = values["active"].lower()
    if active not in ACTIVE | INACTIVE:
        problems.append(f"Row {number}: Active is “{active[:20]}”; write yes or no.")
    started = None
    if values["started_on"]:
        try:
            started = date.fromisoformat(values["started_on"][:10].replace("/", "-"))
        except ValueError:
            problems.append(
                f"Row {number}: the start date “{values['started_on'][:20]}” isn't a date "
                "written as YYYY-MM-DD."
            )
    row = Row(
        number=number,
        employee_id=values["employee_id"],
        email=email,
        first_name=first.strip()[:150],
        last_name=last.strip()[:150],
        manager=values["manager"].lower() if "@" in values["manager"] else values["manager"],
        department=values["department"][:120],
        track=values["track"],
        level=values["level"].upper()[:12],
        started_on=started,
        active=active not in INACTIVE,
    )
    return row, problems


# ---- the plan


@dataclass
class Change:
    row: Row | None
    person: User | None  # None: someone new
    fields: dict[str, tuple[object, object]]  # name → (now, in the file)
    manager: tuple[User | None, object] | None = None  # (now, a User or a Row of the file)

    @property
    def name(self) -> str:
        if self.person is not None:
            return str(self.person)
        return f"{self.row.first_name} {self.row.last_name}".strip() or self.row.email


@dataclass
class Plan:
    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    deactivated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    known: int = 0  # people with an employee id before the file
    id_changes: int = 0
    matched: dict[int, User | None] = field(default_factory=dict)  # row number → person
    created: list[int] = field(default_factory=list)  # once applied: the new people's ids

    @property
    def deactivated_share(self) -> float:
        return len(self.deactivated) / self.known if self.known else 0.0

    @property
    def id_change_share(self) -> float:
        return self.id_changes / self.known if self.known else 0.0

    @property
    def needs_confirming(self) -> list[str]:
        """The guardrails this plan crosses, in words with its numbers."""
        crossed = []
        if self.known and self.deactivated_share > DEACTIVATE_GUARD:
            crossed.append(
                f"It deactivates {len(self.deactivated)} of {self.known} people "
                f"({self.deactivated_share:.0%}; more than {DEACTIVATE_GUARD:.0%})."
            )
        if self.known and self.id_change_share > ID_CHANGE_GUARD:
            crossed.append(
                f"It changes the employee id of {self.id_changes} of {self.known} people "
                f"({self.id_change_share:.0%}; more than {ID_CHANGE_GUARD:.0%})."
            )
        return crossed

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new or self.changed or self.deactivated)


def plan(sheet: Sheet, *, by: User) -> Plan:
    """What applying the sheet would change, and every reason it can't be applied yet."""
    result = Plan(errors=list(sheet.errors))
    rows = sheet.rows
    _duplicates(rows, "email", "e-mail", result.errors)
    _duplicates([r for r in rows if r.employee_id], "employee_id", "employee id", result.errors)
    people = list(User.objects.select_related("track", "manager"))
    by_id = {p.employee_id: p for p in people if p.employee_id}
    by_email = {p.email.lower(): p for p in people if p.email}
    result.known = len(by_id)
    matched: dict[int, User | None] = {}
    for row in rows:
        person = by_id.get(row.employee_id) if row.employee_id else None
        if person is None:
            person = by_email.get(row.email)
            if person is not None and row.employee_id and person.employee_id:
                result.id_changes += person.employee_id != row.employee_id
        matched[row.number] = person
    result.matched = matched
    tracks = {t.name.lower(): t for t in Track.objects.all()} | {
        t.slug: t for t in Track.objects.all()
    }
    file_ids = {r.employee_id: r for r in rows if r.employee_id}
    file_emails = {r.email: r for r in rows}

    def manager_of(row: Row):
        ref = row.manager
        if not ref:
            return None
        found = file_emails.get(ref) if "@" in ref else file_ids.get(ref)
        if found is not None:
            return found
        person = by_email.get(ref) if "@" in ref else by_id.get(ref)
        if person is None:
            result.errors.append(f"Row {row.number}: the manager “{ref[:60]}” is nobody known.")
        return person

    managers = {row.number: manager_of(row) for row in rows}
    _loops(rows, managers, result.errors)
    for row in rows:
        person = matched[row.number]
        if row.track and row.track.lower() not in tracks:
            result.errors.append(f"Row {row.number}: no track is called “{row.track[:40]}”.")
        wanted = {
            "employee_id": row.employee_id or (person.employee_id if person else ""),
            "email": row.email,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "department": row.department,
            "level_code": row.level,
            "track": tracks.get(row.track.lower()) if row.track else None,
            "started_on": row.started_on,
            "is_active": row.active,
        }
        if person is not None:
            # A column the file doesn't have leaves that field as it is: a file without
            # tracks doesn't take everyone's track away.
            wanted = {k: v for k, v in wanted.items() if _has_column(sheet, k)}
        manager = managers[row.number]
        if person is None:
            change = Change(row, None, {k: (None, v) for k, v in wanted.items()})
            change.manager = (None, manager)
            stub = User(email=row.email, first_name=row.first_name, last_name=row.last_name)
            if refusal := _refusal(by, stub, manager, matched):
                result.errors.append(f"Row {row.number}: {refusal}")
            result.new.append(change)
            continue
        differs = {k: (getattr(person, k), v) for k, v in wanted.items() if getattr(person, k) != v}
        now = person.manager
        same_manager = (
            "manager" not in sheet.columns
            or (manager is None and now is None)
            or (isinstance(manager, User) and now is not None and manager.pk == now.pk)
            or (isinstance(manager, Row) and now is not None and matched.get(manager.number) == now)
        )
        change = Change(row, person, differs, None if same_manager else (now, manager))
        refusal = _refusal(by, person, manager, matched)
        if refusal and not same_manager:
            result.errors.append(f"Row {row.number}: {refusal}")
        if "department" in differs and (
            moved := department_refusal(by, person, differs["department"][1])
        ):
            result.errors.append(f"Row {row.number}: {moved}")
        if not row.active and person.is_active:
            result.deactivated.append(change)
        elif differs or not same_manager:
            result.changed.append(change)
        else:
            result.unchanged += 1
    in_file = {matched[r.number].pk for r in rows if matched[r.number] is not None}
    for person in people:
        if person.employee_id and person.is_active and person.pk not in in_file:
            result.deactivated.append(Change(None, person, {"is_active": (True, False)}))
    return result


# The person's fields, and the columns that fill them.
SOURCES = {
    "employee_id": ("employee_id",),
    "email": ("email",),
    "first_name": ("first_name", "name"),
    "last_name": ("last_name", "name"),
    "department": ("department",),
    "level_code": ("level",),
    "track": ("track",),
    "started_on": ("started_on",),
    "is_active": ("active",),
}


def _has_column(sheet: Sheet, field_name: str) -> bool:
    return any(column in sheet.columns for column in SOURCES[field_name])


def _refusal(by: User, person: User, manager, matched) -> str | None:
    target = manager if isinstance(manager, User) else matched.get(getattr(manager, "number", 0))
    return manager_refusal(by, person, target) if target is not None else None


def _duplicates(rows: list[Row], attribute: str, label: str, errors: list[str]) -> None:
    seen: dict[str, int] = {}
    for row in rows:
        value = getattr(row, attribute)
        if value in seen:
            errors.append(f"Rows {seen[value]} and {row.number} have the same {label}, {value}.")
        else:
            seen[value] = row.number


def _loops(rows: list[Row], managers: dict[int, object], errors: list[str]) -> None:
    """A manager chain within the file that comes back to where it started."""
    reported: set[int] = set()
    for row in rows:
        chain, current = [], row
        while isinstance(current, Row) and current.number not in chain:
            chain.append(current.number)
            current = managers.get(current.number)
        if isinstance(current, Row) and current.number == row.number:
            loop = frozenset(chain)
            if not loop & reported:
                reported |= loop
                errors.append(
                    "Rows " + ", ".join(map(str, sorted(chain))) + " manage each other in a loop."
                )


# ---- applying


class StaleReport(ValueError):
    """People changed since the report was read: the plan to apply isn't the one shown."""


def digest(result: Plan) -> str:
    """The plan as shown, so a confirmation applies that plan or says it changed."""
    parts = [
        *(f"n:{c.row.email}" for c in result.new),
        *(f"c:{c.person.pk}:{sorted(c.fields)}:{c.manager is not None}" for c in result.changed),
        *(f"d:{c.person.pk}" for c in result.deactivated),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def apply(sheet: Sheet, *, by: User, confirmed: bool = False, expected: str | None = None) -> Plan:
    """Apply the sheet as planned, in one transaction; refused while it has problems, or
    when `expected` (the digest of the plan someone read) is no longer the plan."""
    with transaction.atomic():
        result = plan(sheet, by=by)
        if expected is not None and digest(result) != expected:
            raise StaleReport("People changed since this report: read it again, then confirm.")
        if result.errors:
            raise ValueError("The file has problems; nothing was changed.")
        if result.needs_confirming and not confirmed:
            raise ValueError(" ".join(result.needs_confirming) + " Confirm to apply.")
        # New people in one statement, their managers set in a second: someone new
        # has no assessment to record it on, and is told by the invitation, not by a
        # "your manager changed" e-mail.
        usernames = _usernames([c.row.email for c in result.new])
        fresh = []
        for change in result.new:
            values = {k: v for k, (_, v) in change.fields.items()}
            person = User(username=usernames[change.row.email], **values)
            person.set_unusable_password()
            fresh.append(person)
        created = {
            c.row.number: p
            for c, p in zip(
                result.new, User.objects.bulk_create(fresh, batch_size=1000), strict=True
            )
        }
        for change in result.changed + result.deactivated:
            if change.fields:
                values = {k: v for k, (_, v) in change.fields.items()}
                User.objects.filter(pk=change.person.pk).update(**values)
                for k, v in values.items():
                    setattr(change.person, k, v)
        # Every row's person, whether the row changes them or not: a manager may be anyone.
        matched = {n: p for n, p in result.matched.items() if p is not None} | created
        newcomers = []
        for change in result.new + result.changed + result.deactivated:
            if change.manager is None:
                continue
            target = change.manager[1]
            if isinstance(target, Row):
                target = matched.get(target.number)
            if change.person is None:
                person = created[change.row.number]
                person.manager = target
                newcomers.append(person)
            else:
                roles.set_manager(change.person, by=by, to=target)
        User.objects.bulk_update(newcomers, ["manager"], batch_size=1000)
        # Deactivated people are signed out everywhere, there and then.
        end_sessions(c.person.pk for c in result.deactivated)
    result.created = [p.pk for p in created.values()]
    return result


@task()
def apply_upload(batch_id: int) -> str:
    """Apply an uploaded file its uploader confirmed, in the worker; the report page
    follows its progress. Refused (stale, problems, a guardrail) leaves it pending,
    with the reason on the report."""
    from assessments.models import PeopleImport

    batch = PeopleImport.objects.select_related("uploaded_by").get(pk=batch_id)
    if batch.status != PeopleImport.Status.APPLYING:
        return "not waiting"
    if not can_manage_people(batch.uploaded_by):
        _settle(
            batch,
            status=PeopleImport.Status.PENDING,
            error="Whoever uploaded this file may no longer change people; nothing changed.",
        )
        return "refused"
    try:
        result = apply(
            read(batch.text, batch.mapping),
            by=batch.uploaded_by,
            confirmed=batch.confirmed,
            expected=batch.digest,
        )
    except (ValueError, FileProblem) as refusal:
        _settle(batch, status=PeopleImport.Status.PENDING, error=str(refusal)[:500])
        return "refused"
    except Exception:
        _settle(
            batch,
            status=PeopleImport.Status.PENDING,
            error="Something went wrong applying this file; nothing changed. Try again.",
        )
        raise
    _settle(
        batch,
        status=PeopleImport.Status.APPLIED,
        applied_at=timezone.now(),
        created=result.created,
        summary=(
            f"{len(result.new)} new, {len(result.changed)} changed, "
            f"{len(result.deactivated)} deactivated"
        ),
    )
    return batch.summary


def _settle(batch, **fields) -> None:
    for name, value in fields.items():
        setattr(batch, name, value)
    batch.save(update_fields=list(fields))


def _usernames(emails: list[str]) -> dict[str, str]:
    """A free username for each new person: their e-mail address, numbered if taken."""
    taken = set(
        User.objects.filter(username__in=[e[:150] for e in emails]).values_list(
            "username", flat=True
        )
    )
    names = {}
    for email in emails:
        name, n = email[:150], 2
        while name in taken:
            name, n = f"{email[:140]}-{n}", n + 1
        taken.add(name)
        names[email] = name
    return names
