"""From the database to the ladder Markdown format."""

from ladder.formats.document import (
    AreaDoc,
    BehaviourDoc,
    GroupDoc,
    LevelDoc,
    ResponsibilityDoc,
)
from ladder.formats.markdown import render_ladder
from ladder.models import Area, Behaviour, Level, Responsibility


class IncompleteLevelError(ValueError):
    """A draft level that cannot be written out or published as it stands."""

    def __init__(self, level: Level, problems: list[str]):
        self.problems = problems
        super().__init__(f"{level.code} {level.title}: " + "; ".join(problems))


def level_problems(level: Level) -> list[str]:
    """What keeps a level (loaded with Level.objects.with_rubric()) from being complete.

    A level may have no areas yet (named but not written), and an area no behaviours if
    it says something (a description or a note: left empty on purpose at this level);
    an area with nothing at all, or a sub-group without behaviours, is unfinished.
    """
    problems = []
    for area in level.areas.all():
        behaviours = area.behaviours.all()
        if area.subgrouped:
            used = {b.responsibility_id for b in behaviours}
            problems.extend(
                f"{area.name} · {r.name} has no behaviours"
                for r in area.responsibilities.all()
                if r.id not in used
            )
        if not behaviours and not (area.description or area.note):
            # A flat list's area has no name to say.
            problems.append(
                f"{area.name} has no behaviours" if area.name else "The list of behaviours is empty"
            )
    return problems


def level_document(level: Level) -> LevelDoc:
    """The level as a LevelDoc; the level must come from Level.objects.with_rubric()."""
    problems = level_problems(level)
    if problems:
        raise IncompleteLevelError(level, problems)
    areas = []
    groups: dict[str, GroupDoc] = {}
    for area in level.areas.all():
        behaviours = list(area.behaviours.all())
        responsibilities = tuple(
            ResponsibilityDoc(
                name=r.name,
                behaviours=tuple(
                    BehaviourDoc(b.text, b.key, tuple(b.examples))
                    for b in behaviours
                    if b.responsibility_id == r.id
                ),
                note=r.note,
            )
            for r in area.responsibilities.all()
        )
        group = area.group
        if group is not None:
            groups.setdefault(group.name, GroupDoc(group.name, group.description))
        areas.append(
            AreaDoc(
                key=area.key,
                name=area.name,
                description=area.description,
                behaviours=()
                if area.subgrouped
                else tuple(BehaviourDoc(b.text, b.key, tuple(b.examples)) for b in behaviours),
                responsibilities=responsibilities if area.subgrouped else (),
                note=area.note,
                subgrouped=area.subgrouped,
                group=group.name if group is not None else "",
            )
        )
    return LevelDoc(
        code=level.code,
        title=level.title,
        track=level.track.name,
        summary=level.summary,
        areas=tuple(areas),
        groups=tuple(groups.values()),
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
    for row in (
        Area.objects.filter(level__framework_id=framework_id)
        .order_by("level", "order", "pk")
        .values_list(
            "level_id",
            "pk",
            "key",
            "name",
            "description",
            "note",
            "subgrouped",
            "group__name",
            "group__description",
        )
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
    for area_id, responsibility_id, key, text, examples in (
        Behaviour.objects.filter(area__level__framework_id=framework_id)
        .order_by("area", "order", "pk")
        .values_list("area_id", "responsibility_id", "key", "text", "examples")
    ):
        behaviours.setdefault((area_id, responsibility_id), []).append(
            BehaviourDoc(text, key, tuple(examples))
        )

    found = {}
    for level in levels.values_list("pk", "code", "title", "track__name", "summary"):
        pk, code, title, track, summary = level
        docs, used_groups, complete = [], {}, True
        for row in areas.get(pk, []):
            _level, area_pk, key, name, description, note, subgrouped, group, about = row
            own = tuple(behaviours.get((area_pk, None), ()))
            subgroups = tuple(
                ResponsibilityDoc(name, tuple(behaviours.get((area_pk, r_pk), ())), r_note)
                for _area, r_pk, name, r_note in responsibilities.get(area_pk, [])
            )
            if subgrouped:
                complete = all(r.behaviours for r in subgroups) and bool(
                    subgroups or description or note
                )
            else:
                complete = bool(own or description or note)
            if not complete:
                break
            if group is not None:
                used_groups.setdefault(group, GroupDoc(group, about))
            docs.append(
                AreaDoc(
                    key,
                    description,
                    () if subgrouped else own,
                    subgroups if subgrouped else (),
                    note,
                    name=name,
                    subgrouped=subgrouped,
                    group=group or "",
                )
            )
        if complete:
            found[(track, code)] = LevelDoc(
                code, title, track, summary, tuple(docs), tuple(used_groups.values())
            )
    return found
