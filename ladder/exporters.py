"""From the database to the ladder Markdown format."""

from ladder.areas import AREA_KINDS, AREA_NAMES, EXPECTATION_KINDS
from ladder.formats.document import AreaDoc, BehaviourDoc, LevelDoc, ResponsibilityDoc
from ladder.formats.markdown import render_ladder
from ladder.models import Area, Behaviour, Level, Responsibility


class IncompleteLevelError(ValueError):
    """A draft level that cannot be written out or published as it stands."""

    def __init__(self, level: Level, problems: list[str]):
        self.problems = problems
        super().__init__(f"{level.code} {level.title}: " + "; ".join(problems))


def level_problems(level: Level) -> list[str]:
    """What keeps a level (loaded with Level.objects.with_rubric()) from being complete."""
    problems = []
    areas = {area.kind: area for area in level.areas.all()}
    for kind in AREA_KINDS:
        area = areas.get(kind)
        if area is None:
            problems.append(f"{AREA_NAMES[kind]} is missing")
        elif area.is_expectation and not area.behaviours.all():
            problems.append(f"{area.name} has no behaviours")
        elif not area.is_expectation:
            responsibilities = area.responsibilities.all()
            if not responsibilities:
                problems.append(f"{area.name} has no responsibilities")
            used = {b.responsibility_id for b in area.behaviours.all()}
            problems.extend(
                f"{area.name} · {r.name} has no behaviours"
                for r in responsibilities
                if r.id not in used
            )
    return problems


def level_document(level: Level) -> LevelDoc:
    """The level as a LevelDoc; the level must come from Level.objects.with_rubric()."""
    problems = level_problems(level)
    if problems:
        raise IncompleteLevelError(level, problems)
    areas = []
    for area in level.areas.all():
        behaviours = list(area.behaviours.all())
        if area.is_expectation:
            areas.append(
                AreaDoc(
                    kind=area.kind,
                    description=area.description,
                    behaviours=tuple(BehaviourDoc(text=b.text, key=b.key) for b in behaviours),
                    responsibilities=(),
                    note=area.note,
                )
            )
            continue
        responsibilities = tuple(
            ResponsibilityDoc(
                name=r.name,
                behaviours=tuple(
                    BehaviourDoc(text=b.text, key=b.key)
                    for b in behaviours
                    if b.responsibility_id == r.id
                ),
                note=r.note,
            )
            for r in area.responsibilities.all()
        )
        areas.append(
            AreaDoc(
                kind=area.kind,
                description=area.description,
                behaviours=(),
                responsibilities=responsibilities,
            )
        )
    return LevelDoc(
        code=level.code,
        title=level.title,
        track=level.track.name,
        summary=level.summary,
        areas=tuple(areas),
    )


def export_level(level: Level) -> str:
    """The level as Markdown in the heading + list form."""
    return render_ladder(level_document(level))


def complete_documents(framework_id: int) -> dict[tuple[str, str], LevelDoc]:
    """Every complete level of a version as a document, keyed by (track name, code).

    Read as plain rows in four queries, not as model instances: an import compares
    against every level of the draft, and building thousands of instances cost more
    than the rest of the comparison. A level with a problem (see level_problems) is
    left out, as it can't be written as a page.
    """
    levels = Level.objects.filter(framework_id=framework_id)
    areas: dict[int, list[tuple]] = {}
    for row in Area.objects.filter(level__framework_id=framework_id).values_list(
        "level_id", "pk", "kind", "description", "note"
    ):
        areas.setdefault(row[0], []).append(row)
    responsibilities: dict[int, list[tuple]] = {}
    for row in (
        Responsibility.objects.filter(area__level__framework_id=framework_id)
        .order_by("area", "order", "pk")
        .values_list("area_id", "pk", "name", "note")
    ):
        responsibilities.setdefault(row[0], []).append(row)
    behaviours: dict[tuple[int, int | None], list[BehaviourDoc]] = {}
    for area_id, responsibility_id, key, text in (
        Behaviour.objects.filter(area__level__framework_id=framework_id)
        .order_by("area", "order", "pk")
        .values_list("area_id", "responsibility_id", "key", "text")
    ):
        behaviours.setdefault((area_id, responsibility_id), []).append(BehaviourDoc(text, key))

    found = {}
    for level in levels.values_list("pk", "code", "title", "track__name", "summary"):
        pk, code, title, track, summary = level
        by_kind = {row[2]: row for row in areas.get(pk, [])}
        docs = []
        for kind in AREA_KINDS:
            if kind not in by_kind:
                break
            _level, area_pk, _kind, description, note = by_kind[kind]
            groups = tuple(
                ResponsibilityDoc(name, tuple(behaviours.get((area_pk, r_pk), ())), r_note)
                for _area, r_pk, name, r_note in responsibilities.get(area_pk, [])
            )
            own = tuple(behaviours.get((area_pk, None), ()))
            if kind in EXPECTATION_KINDS:
                complete = bool(own)
                docs.append(AreaDoc(kind, description, own, (), note))
            else:
                complete = bool(groups) and all(r.behaviours for r in groups)
                docs.append(AreaDoc(kind, description, (), groups, note))
            if not complete:
                break
        if len(docs) == len(AREA_KINDS) and complete:
            found[(track, code)] = LevelDoc(code, title, track, summary, tuple(docs))
    return found
