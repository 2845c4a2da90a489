"""A calibration packet's content: what a committee reads about one person in two minutes.

Plain dataclasses for the packet template (templates/jinja2/assessments/macros/packet.html),
which both the page and the PDF render, and the packet as a document of its own for the
PDF (packet_html). One query for the ratings, one for whoever recorded the decision; the
rubric's wording comes from the kept outline of the level (assessments.progress), so the
cost does not grow with the level's size in queries. What people wrote is shortened by
`text`, the roll-ups are charted by `chart`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.template.loader import render_to_string

from assessments.models import Assessment, Cycle, Rating
from assessments.packets.chart import AreaRollup, RollupChart, rollup_chart
from assessments.packets.text import plain_text, shorten
from assessments.progress import (
    LevelRef,
    OutlineArea,
    area_progress,
    outline_of,
    published_level,
)
from ladder.models import Level, User
from ladder.scale import Scale, is_pair

# The paper sizes a packet prints on; the CSS has a named page for each (static/css/packet.css).
PAPERS = {"a4": "A4", "letter": "US Letter"}

# Enough to read in two minutes: the largest disagreements and the strongest evidence.
MAX_DISAGREEMENTS = 6
MAX_EXCERPTS = 4
EXCERPT_CHARACTERS = 280
COMMENT_CHARACTERS = 200


# ---- the packet's parts


class BothScores:
    """The two scores of a behaviour, in words; mixed into the rows that carry both."""

    self_score: int | None
    manager_score: int | None
    labels: dict[int, str]  # the scale's

    @property
    def self_label(self) -> str:
        return "Not answered" if self.self_score is None else self.labels.get(self.self_score, "")

    @property
    def manager_label(self) -> str:
        if self.manager_score is None:
            return "Not reviewed"
        return self.labels.get(self.manager_score, "")


@dataclass(frozen=True)
class Disagreement(BothScores):
    """A behaviour the engineer and the manager scored differently."""

    behaviour_id: int
    area: str
    group: str
    text: str
    self_score: int
    manager_score: int
    comment: str  # the manager's comment, shortened to plain text
    evidence: str  # the engineer's evidence, shortened to plain text
    labels: dict[int, str] = field(kw_only=True, repr=False, compare=False)

    @property
    def gap(self) -> int:
        return abs(self.manager_score - self.self_score)

    @property
    def manager_lower(self) -> bool:
        return self.manager_score < self.self_score


@dataclass(frozen=True)
class Excerpt(BothScores):
    """Evidence for a behaviour the manager rated among the highest, shortened cleanly."""

    behaviour_id: int
    area: str
    text: str
    self_score: int | None
    manager_score: int
    excerpt: str
    shortened: bool
    labels: dict[int, str] = field(kw_only=True, repr=False, compare=False)


@dataclass(frozen=True)
class NextLevel:
    level: LevelRef
    areas: tuple[OutlineArea, ...]

    @property
    def behaviours(self) -> int:
        return sum(len(g.behaviours) for a in self.areas for g in a.groups)


@dataclass(frozen=True)
class Decision:
    outcome: str
    reason_html: str
    by: str
    at: datetime | None


@dataclass(frozen=True)
class PeerArea:
    """One area's peer input as a packet reads it: how many answered, the spread, and a
    few comments shortened to plain text."""

    name: str
    scored: int
    not_seen: int
    spread: tuple[tuple[str, int], ...]  # (the step's label, how many chose it), all steps
    comments: tuple[tuple[str, str], ...]  # (the comment, who wrote it or "")
    more: int  # comments not shown here (the review page has them all)


@dataclass(frozen=True)
class PeerSummary:
    answered: int
    asked: int
    names: bool
    areas: tuple[PeerArea, ...]
    by_behaviour: bool = False  # asked per behaviour: an area's counts are answers, summed


@dataclass(frozen=True)
class Packet:
    assessment: Assessment
    engineer: str
    level: Level
    track: str
    manager: str
    cycle: Cycle
    rollups: list[AreaRollup]
    chart: RollupChart
    disagreements: list[Disagreement]  # the largest first, at most MAX_DISAGREEMENTS
    disagreement_count: int  # all of them
    reviewed: int  # behaviours with both scores
    behaviours: int
    excerpts: list[Excerpt]
    next_level: NextLevel | None
    summary_html: str
    proposed_outcome: str
    decision: Decision | None
    peer: PeerSummary | None = None  # None: nobody was asked for peer input
    upward: PeerSummary | None = None  # the same, from the engineer's reports

    @property
    def more_disagreements(self) -> int:
        return self.disagreement_count - len(self.disagreements)

    @property
    def promotion_case(self) -> bool:
        """Whether the manager or the committee says the person is ready for the next level."""
        a = self.assessment
        promotion = self.level.framework.scale.promotion
        return promotion in (a.proposed_outcome, a.calibrated_outcome)


# What a packet reads of each rating: both scores and both rendered texts.
RATING_FIELDS = ("behaviour_id", "score", "manager_score", "evidence_html", "manager_comment_html")


def packet_of(assessment: Assessment) -> Packet:
    """The packet of an assessment read with Assessment.objects.for_page()."""
    rows = Rating.objects.filter(assessment_id=assessment.pk).order_by().values_list(*RATING_FIELDS)
    ratings = {row[0]: row for row in rows}
    decider = None
    if assessment.calibrated_by_id is not None:
        decider = User.objects.only("first_name", "last_name", "username").get(
            pk=assessment.calibrated_by_id
        )
    packet = build_packet(assessment, ratings, decider)
    from assessments.peers import Kind

    return replace(
        packet,
        peer=_peer_summary(assessment, Kind.PEER),
        upward=_peer_summary(assessment, Kind.UPWARD),
    )


# A packet is read in two minutes: a few comments per area, the rest on the review page.
PEER_COMMENTS = 2


def _peer_summary(assessment: Assessment, kind: str) -> PeerSummary | None:
    """Peer input as the packet's readers (the reviewer, the committee, HR partners: never
    the engineer) may read it: with names only if the cycle says so."""
    from assessments import peers

    outline = outline_of(published_level(assessment.level_id))
    seen_as = peers.Reading(names=assessment.cycle.peer_names_to_reviewers, engineer=False)
    found = peers.peer_input(assessment, seen_as, outline, kind)
    if not found:
        return None
    areas = []
    for area in outline.areas:
        data = found.areas.get(area.key)
        if data is None:
            continue
        comments = tuple(
            (shorten(plain_text(c.html), COMMENT_CHARACTERS)[0], c.name)
            for c in data.comments[:PEER_COMMENTS]
        )
        areas.append(
            PeerArea(
                name=area.name,
                scored=data.scored,
                not_seen=data.not_seen,
                spread=tuple((label, n) for label, _, n in data.counts),
                comments=comments,
                more=max(0, len(data.comments) - PEER_COMMENTS),
            )
        )
    return PeerSummary(found.answered, found.asked, found.names, tuple(areas), found.by_behaviour)


def build_packet(assessment: Assessment, ratings: dict[int, tuple], decider: User | None) -> Packet:
    """The packet from rows already read (behaviour id -> RATING_FIELDS): no query, beyond
    building a level's outline the first time the process sees it."""
    level = published_level(assessment.level_id)
    outline = outline_of(level)
    scale = outline.scale
    rollups = []
    disagreements, candidates = [], []
    reviewed = 0
    for area in outline.areas:
        mine = [ratings[b.id] for g in area.groups for b in g.behaviours if b.id in ratings]
        rollups.append(
            AreaRollup(
                key=area.key,
                name=area.name,
                behaviours=len(mine),
                self_average=area_progress(area, [r[1] for r in mine], scale).average,
                manager_average=area_progress(area, [r[2] for r in mine], scale).average,
            )
        )
        for group in area.groups:
            for behaviour in group.behaviours:
                row = ratings.get(behaviour.id)
                if row is None:
                    continue
                _, score, manager_score, evidence_html, _ = row
                # A pair, as every figure counts one (calibration.figures): both scored on
                # the scale, "no evidence yet" on neither side.
                if is_pair(score, manager_score):
                    reviewed += 1
                    if score != manager_score:
                        disagreements.append((area, group, behaviour, row))
                if manager_score is not None and evidence_html:
                    candidates.append((area, behaviour, row))
    # The largest gaps first; among equal gaps, where the manager rates lower first (what a
    # committee asks about), then in the ladder's order (stable sort).
    disagreements.sort(key=lambda d: (-abs(d[3][2] - d[3][1]), d[3][2] > d[3][1]))
    # The strongest evidence: what the manager rated highest, then what the engineer did.
    candidates.sort(key=lambda c: (-c[2][2], -(c[2][1] or 0)))
    return Packet(
        assessment=assessment,
        engineer=str(assessment.engineer),
        level=level,
        track=level.track.name,
        manager=str(assessment.reviewer) if assessment.reviewer_id else "",
        cycle=assessment.cycle,
        rollups=rollups,
        chart=rollup_chart(rollups, scale),
        disagreements=[
            _disagreement(*d, labels=scale.labels) for d in disagreements[:MAX_DISAGREEMENTS]
        ],
        disagreement_count=len(disagreements),
        reviewed=reviewed,
        behaviours=len(ratings),
        excerpts=[_excerpt(*c, labels=scale.labels) for c in candidates[:MAX_EXCERPTS]],
        next_level=_next_level(outline.higher),
        summary_html=assessment.summary_html,
        proposed_outcome=scale.outcome_label(assessment.proposed_outcome),
        decision=_decision(assessment, decider, scale),
    )


def _disagreement(area, group, behaviour, row, *, labels: dict[int, str]) -> Disagreement:
    _, score, manager_score, evidence_html, comment_html = row
    return Disagreement(
        behaviour_id=behaviour.id,
        area=area.name,
        group=group.name,
        text=behaviour.text,
        self_score=score,
        manager_score=manager_score,
        comment=shorten(plain_text(comment_html), COMMENT_CHARACTERS)[0],
        evidence=shorten(plain_text(evidence_html), COMMENT_CHARACTERS)[0],
        labels=labels,
    )


def _excerpt(area, behaviour, row, *, labels: dict[int, str]) -> Excerpt:
    _, score, manager_score, evidence_html, _ = row
    text, shortened = shorten(plain_text(evidence_html), EXCERPT_CHARACTERS)
    return Excerpt(
        behaviour_id=behaviour.id,
        area=area.name,
        text=behaviour.text,
        self_score=score,
        manager_score=manager_score,
        excerpt=text,
        shortened=shortened,
        labels=labels,
    )


def _next_level(higher: LevelRef | None) -> NextLevel | None:
    if higher is None:
        return None
    return NextLevel(level=higher, areas=outline_of(published_level(higher.id)).areas)


def _decision(assessment: Assessment, decider: User | None, scale: Scale) -> Decision | None:
    if assessment.calibrated_outcome is None:
        return None
    return Decision(
        outcome=scale.outcome_label(assessment.calibrated_outcome),
        reason_html=assessment.calibration_reason_html,
        by=str(decider) if decider else "",
        at=assessment.calibrated_at,
    )


def packet_html(packet: Packet, *, paper: str = "a4") -> str:
    """The packet as a document of its own, for the PDF renderer (no request, no layout)."""
    context = {"p": packet, "paper": paper if paper in PAPERS else "a4"}
    return render_to_string("assessments/packet_pdf.html", context, using="jinja2")
