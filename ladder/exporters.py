"""From the database to the ladder Markdown format."""

from ladder.ladder_format import (
    AREA_KINDS,
    AREA_NAMES,
    AreaDoc,
    BehaviourDoc,
    LevelDoc,
    ResponsibilityDoc,
    render_ladder,
)
from ladder.models import Level


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
