"""Writes that span several framework models: creating levels, drafts, imports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from ladder.digests import StaleDraftError, draft_digest
from ladder.exporters import complete_documents, level_problems
from ladder.formats.document import (
    BEHAVIOUR_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    BehaviourDoc,
    LevelDoc,
    ParsedPage,
    Problem,
)
from ladder.keys import carry_keys
from ladder.models import (
    Area,
    AreaGroup,
    Behaviour,
    Framework,
    Level,
    PublishedFrameworkError,
    Responsibility,
    Track,
    level_rank,
)
from ladder.rubric_text import plain
from ladder.scale import DEFAULT, Scale


def tracks_by_name(names: set[str]) -> dict[str, Track]:
    """The tracks with these names, creating the missing ones."""
    found = {track.name: track for track in Track.objects.filter(name__in=names)}
    for name in sorted(names - found.keys()):
        found[name] = Track.objects.create(name=name, slug=slugify(name))
    return found


def create_levels(*, framework: Framework, documents: Sequence[LevelDoc]) -> list[Level]:
    """Write whole levels into a draft with one bulk insert per table."""
    if not framework.is_draft:
        raise PublishedFrameworkError(framework)
    tracks = tracks_by_name({doc.track for doc in documents})
    levels = Level.objects.bulk_create(
        Level(
            framework=framework,
            track=tracks[doc.track],
            code=doc.code,
            rank=level_rank(doc.code),
            title=doc.title,
            summary=doc.summary,
        )
        for doc in documents
    )
    new_groups = AreaGroup.objects.bulk_create(
        AreaGroup(level=level, name=group.name, description=group.description, order=order)
        for level, doc in zip(levels, documents, strict=True)
        for order, group in enumerate(doc.groups)
    )
    groups = {(group.level_id, group.name): group for group in new_groups}
    areas = Area.objects.bulk_create(
        Area(
            level=level,
            key=area.key,
            name=area.name,
            group=groups[(level.pk, area.group)] if area.group else None,
            subgrouped=area.subgrouped,
            order=order,
            description=area.description,
            note=area.note,
        )
        for level, doc in zip(levels, documents, strict=True)
        for order, area in enumerate(doc.areas)
    )
    area_docs = [area for doc in documents for area in doc.areas]
    responsibilities = Responsibility.objects.bulk_create(
        Responsibility(area=area, name=r.name, order=position, note=r.note)
        for area, area_doc in zip(areas, area_docs, strict=True)
        for position, r in enumerate(area_doc.responsibilities)
    )
    behaviours = []
    responsibility_iter = iter(responsibilities)
    for area, area_doc in zip(areas, area_docs, strict=True):
        position = 0
        for b in area_doc.behaviours:
            behaviours.append(
                Behaviour(
                    area=area, key=b.key, text=b.text, examples=list(b.examples), order=position
                )
            )
            position += 1
        for r_doc in area_doc.responsibilities:
            responsibility = next(responsibility_iter)
            for b in r_doc.behaviours:
                behaviours.append(
                    Behaviour(
                        area=area,
                        responsibility=responsibility,
                        key=b.key,
                        text=b.text,
                        examples=list(b.examples),
                        order=position,
                    )
                )
                position += 1
    Behaviour.objects.bulk_create(behaviours)
    return levels


@transaction.atomic
def new_draft_from(framework: Framework) -> Framework:
    """Copy a version, whole, into the next draft of the same framework."""
    if Framework.objects.drafts().filter(slug=framework.slug).exists():
        raise ValidationError(
            f"{framework.name} already has a draft; edit or delete it before starting another."
        )
    draft = Framework.objects.create(
        name=framework.name,
        version=Framework.next_version_number(framework.slug),
        notes="",
        based_on=framework,
        scale_data=framework.scale_data,
    )
    create_levels(framework=draft, documents=list(complete_documents(framework.pk).values()))
    return draft


@transaction.atomic
def publish(framework: Framework, expected_digest: str | None = None) -> Framework:
    """Check every level is complete, then freeze the draft as its version.

    `expected_digest` is ladder.digests.draft_digest() of the draft as the publisher
    read it: if the draft has changed since, nothing is published (StaleDraftError).
    """

    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    # Under the lock no edit can land between this check and the publication. A
    # version already published falls through to publish(), which says so.
    if (
        expected_digest is not None
        and framework.is_draft
        and draft_digest(framework) != expected_digest
    ):
        raise StaleDraftError()
    problems = [
        f"{level.code}: {problem}"
        for level in Level.objects.filter(framework=framework).with_rubric()
        for problem in level_problems(level)
    ]
    if problems:
        raise ValidationError(["This draft cannot be published yet.", *problems])
    framework.publish()
    return framework


@dataclass
class ImportReport:
    framework: Framework | None
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    scale_changed: bool = False


@dataclass
class LevelPlan:
    """What importing one page would do to its level."""

    source: str
    doc: LevelDoc  # keys carried over from the level it replaces
    before: LevelDoc | None
    outcome: str  # "created", "updated" or "unchanged"
    warnings: tuple[Problem, ...] = ()

    @property
    def added(self) -> list[BehaviourDoc]:
        return [b for kind, b in _keyed(self.doc) if (kind, b.key) not in _by_key(self.before)]

    @property
    def removed(self) -> list[BehaviourDoc]:
        return [b for kind, b in _keyed(self.before) if (kind, b.key) not in _by_key(self.doc)]

    @property
    def changed(self) -> list[tuple[BehaviourDoc, BehaviourDoc]]:
        old = _by_key(self.before)
        return [
            (old[kind, b.key], b)
            for kind, b in _keyed(self.doc)
            if (kind, b.key) in old and old[kind, b.key].text != b.text
        ]


def _keyed(doc: LevelDoc | None) -> list[tuple[str, BehaviourDoc]]:
    if doc is None:
        return []
    return [(area.key, b) for area in doc.areas for b in area.all_behaviours]


def _by_key(doc: LevelDoc | None) -> dict[tuple[str, str], BehaviourDoc]:
    return {(kind, b.key): b for kind, b in _keyed(doc)}


@dataclass
class ImportPlan:
    """What an import would write, worked out without writing anything."""

    framework_name: str
    framework: Framework | None  # the draft, or else the latest version, compared against
    levels: list[LevelPlan]
    # Every row of the draft as it was read: an unfinished level has no document to
    # compare, but a colleague's work in it must still make the plan stale.
    fingerprint: str = ""
    # The scale file's scale, if the import has one; and the scale it would replace.
    scale: Scale | None = None
    scale_before: Scale = DEFAULT

    @property
    def to_write(self) -> list[LevelDoc]:
        return [plan.doc for plan in self.levels if plan.outcome != "unchanged"]

    @property
    def scale_changes(self) -> bool:
        return self.scale is not None and self.scale != self.scale_before

    @property
    def digest(self) -> str:
        """Changes whenever the plan would: what it compares against and what it writes."""
        text = repr(
            (
                self.framework_name,
                self.framework.pk if self.framework else None,
                self.fingerprint,
                [(plan.outcome, plan.before, plan.doc) for plan in self.levels],
                self.scale,
                self.scale_before,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()


ProgressCallback = Callable[[int, int, str, str], None]
Page = ParsedPage | tuple[str, LevelDoc]


def _as_parsed(page: Page) -> ParsedPage:
    if isinstance(page, ParsedPage):
        return page
    source, doc = page
    return ParsedPage(source, doc)


def plan_import(
    *,
    framework_name: str,
    pages: Sequence[Page],
    progress: ProgressCallback | None = None,
    lock: bool = False,
    scale: Scale | None = None,
) -> ImportPlan:
    """What importing these pages (and the scale, if given) into the framework's draft
    would change; writes nothing."""
    parsed = [_as_parsed(page) for page in pages]
    slug = _check_framework_name(framework_name)
    problems: list[str] = []
    track_slugs = dict(Track.objects.values_list("slug", "name"))
    seen: dict[tuple[str, str], str] = {}
    for page in parsed:
        doc = page.doc
        problems += _length_problems(page.source, doc)
        problems += _track_problems(page.source, doc.track, track_slugs)
        where = (doc.track, doc.code)
        if where in seen:
            problems.append(
                f"{page.source}: {doc.code} ({doc.track}) is also defined in {seen[where]}."
            )
        seen.setdefault(where, page.source)
    if problems:
        raise ValidationError(problems)

    drafts = Framework.objects.drafts().filter(slug=slug)
    draft = (drafts.select_for_update() if lock else drafts).first()
    base = draft or Framework.objects.published().filter(slug=slug).order_by("-version").first()
    # An unfinished draft level can't be written as a document; it is simply
    # replaced by the page, if the import has one for it.
    existing = complete_documents(base.pk) if base is not None else {}
    present = _level_pks(base)
    plans = []
    for index, page in enumerate(parsed, start=1):
        where = (page.doc.track, page.doc.code)
        before = existing.get(where)
        doc = carry_keys(page.doc, before)
        outcome = "unchanged" if before == doc else "updated" if where in present else "created"
        plans.append(LevelPlan(page.source, doc, before, outcome, page.warnings))
        if progress is not None:
            progress(index, len(parsed), page.source, f"{doc.code} {doc.title}: {outcome}")
    fingerprint = draft_digest(base) if base is not None and base.is_draft else ""
    before = base.scale if base is not None else DEFAULT
    return ImportPlan(framework_name, base, plans, fingerprint, scale, before)


@transaction.atomic
def import_levels(
    *,
    framework_name: str,
    documents: Sequence[Page],
    publish_version: bool = False,
    progress: ProgressCallback | None = None,
    expected_digest: str | None = None,
    scale: Scale | None = None,
) -> ImportReport:
    """Bring a framework's draft in line with parsed ladder pages, all or nothing.

    A page identical to the level already in the draft (or, with no draft, in the
    latest version) writes nothing; a draft is only started when something changed.
    With ``expected_digest``, nothing is written unless the plan is still the one a
    person saw (StalePlanError otherwise).
    """
    plan = plan_import(
        framework_name=framework_name, pages=documents, progress=progress, lock=True, scale=scale
    )
    if expected_digest is not None and plan.digest != expected_digest:
        raise StalePlanError(plan)
    report = ImportReport(framework=plan.framework)
    for level in plan.levels:
        getattr(report, level.outcome).append(f"{level.doc.code} {level.doc.title}")

    to_write = plan.to_write
    if to_write or plan.scale_changes:
        base = plan.framework
        draft = base if base is not None and base.is_draft else None
        if draft is None:
            draft = new_draft_from(base) if base is not None else _first_draft(framework_name)
        if plan.scale_changes:
            draft.scale_data = plan.scale.to_data()
            draft.save(update_fields=["scale_data"])
            report.scale_changed = True
        in_draft = _level_pks(draft)
        stale = [
            in_draft[(doc.track, doc.code)] for doc in to_write if (doc.track, doc.code) in in_draft
        ]
        _delete_levels(stale)
        create_levels(framework=draft, documents=to_write)
        report.framework = draft
    if publish_version and report.framework is not None and report.framework.is_draft:
        report.framework = publish(report.framework)
    return report


def _delete_levels(pks: list[int]) -> None:
    """Delete draft levels whole; the caller holds the draft's lock.

    Ratings, their history and packet jobs point into levels, some with PROTECT,
    which makes Django load every row before deleting it. Nothing points into a
    draft's levels in practice, so when nothing does the rows go in four plain
    DELETEs, bottom up; otherwise the ordinary delete runs, and cascades or refuses.
    """
    chain = (
        (Behaviour, "area__level__in"),
        (Responsibility, "area__level__in"),
        (Area, "level__in"),
        (Level, "pk__in"),
    )
    inside = {model for model, _path in chain}
    for model, path in chain:
        rows = model.objects.filter(**{path: pks})
        for relation in model._meta.get_fields(include_hidden=True):
            if not relation.auto_created or relation.concrete or relation.related_model in inside:
                continue
            pointing = relation.related_model._base_manager.filter(
                **{f"{relation.field.name}__in": rows}
            )
            if pointing.exists():
                Level.objects.filter(pk__in=pks).delete()
                return
    for model, path in chain:
        rows = model.objects.filter(**{path: pks})
        rows._raw_delete(rows.db)


class StalePlanError(Exception):
    """The framework changed between the dry run a person read and their confirmation."""

    def __init__(self, plan: ImportPlan):
        super().__init__("The framework changed since this import was checked.")
        self.plan = plan


def _check_framework_name(framework_name: str) -> str:
    slug = slugify(framework_name)
    if not slug:
        raise ValidationError(
            f"The framework name {framework_name!r} needs some letters or digits (a–z, 0–9)."
        )
    clash = Framework.objects.filter(slug=slug).exclude(name=framework_name).first()
    if clash is not None:
        raise ValidationError(
            f"The framework name {framework_name!r} is too close to {clash.name!r}."
        )
    return slug


def _length_problems(source: str, doc: LevelDoc) -> list[str]:
    # The parser accepts any length; the columns don't, and PostgreSQL would refuse
    # the whole insert with a message that names neither the file nor the field.
    limits = [
        ("level code", doc.code, Level._meta.get_field("code").max_length),
        ("title", doc.title, Level._meta.get_field("title").max_length),
        ("track name", doc.track, Track._meta.get_field("name").max_length),
    ]
    limits += [
        (
            f"responsibility name {r.name[:40]!r}…",
            r.name,
            Responsibility._meta.get_field("name").max_length,
        )
        for area in doc.areas
        for r in area.responsibilities
    ]
    limits += [("summary", doc.summary, TEXT_MAX_LENGTH)]
    for area in doc.areas:
        limits += [
            (f"{area.name} description", area.description, TEXT_MAX_LENGTH),
            (f"{area.name} note", area.note, TEXT_MAX_LENGTH),
        ]
        limits += [
            (f"{area.name} · {r.name[:40]} note", r.note, TEXT_MAX_LENGTH)
            for r in area.responsibilities
        ]
        limits += [
            (f"behaviour {plain(b.text)[:40]!r}…", b.text, BEHAVIOUR_MAX_LENGTH)
            for b in area.all_behaviours
        ]
    return [
        f"{source}: the {what} is {len(value):,} characters; the limit is {limit:,}."
        for what, value, limit in limits
        if len(value) > limit
    ]


def _track_problems(source: str, name: str, slugs: dict[str, str]) -> list[str]:
    # Tracks are part of page addresses, so two names may not share one.
    slug = slugify(name)
    if not slug:
        return [f"{source}: the track {name!r} needs some letters or digits (a–z, 0–9)."]
    if slugs.setdefault(slug, name) != name:
        return [
            f"{source}: the track {name!r} would share its address with the track {slugs[slug]!r}."
        ]
    return []


def _first_draft(name: str) -> Framework:
    return Framework.objects.create(name=name, version=1)


def _level_pks(framework: Framework | None) -> dict[tuple[str, str], int]:
    if framework is None:
        return {}
    rows = Level.objects.filter(framework=framework).values_list("track__name", "code", "pk")
    return {(track, code): pk for track, code, pk in rows}
