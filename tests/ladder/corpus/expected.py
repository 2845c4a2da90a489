"""Hand-counted expectations for every page of the ladder corpus.

Each page exists as ``<name>.md`` and ``<name>.html`` with the same content, so one
expectation serves both. Everything here was counted by reading the pages against the
import rules (the level heading, grouping headings, areas by heading or bold line,
notes, bold bullets as responsibilities, merges, links, keys and the derived track),
not by running the parser: when a test fails, suspect the parser first, then recount.

Conventions:

- ``per_area`` lists the behaviours of each area in AREA_KINDS order: scope, reach,
  levers, results, direction, talent, culture, craft.
- A behaviour is addressed as (area kind, responsibility name or None for a level
  expectation, 1-based index).
- ``notes`` lists every non-empty note of the page, keyed by (area kind, responsibility
  name or None); every other note must be empty.
- ``warnings`` are (line, words) for the Markdown file: exactly these lines warn, each
  as many times as listed, and the words appear (ignoring case) in a warning on that
  line. The HTML file gives ``html_warnings`` warnings, by default as many.
- Error pages list (line, words) for the Markdown file, line None where the rules fix
  no line. The HTML file reports errors on ``html_lines`` distinct lines (by default as
  many distinct lines as the Markdown file) and every listed word appears in some error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCOPE = "Area of ownership and level of autonomy / ambiguity"
REACH = "Organizational reach and extent of influence"
LEVERS = "Technical levers typically exercised to achieve business impact"
MANAGER_LEVERS = "Levers typically exercised to achieve business impact"

# Words of the warnings, from the rules' own wording.
SECTION = "section heading"  # a heading that names no area
SUMMARY = "summary"  # a paragraph under a section heading, or after some area
RESPONSIBILITY = "responsibility"  # a bold bullet, or bullets before any responsibility
DROPPED = "dropped"  # a behaviour repeated word for word in a merged responsibility

Where = tuple[str, str | None]
Behaviour = tuple[str, str | None, int, str]


@dataclass(frozen=True)
class Page:
    name: str
    code: str
    title: str
    track: str
    summary: str
    responsibilities: int
    behaviours: int
    per_area: tuple[int, int, int, int, int, int, int, int]
    descriptions: dict[str, str] = field(default_factory=dict)
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    texts: tuple[Behaviour, ...] = ()
    keys: tuple[Behaviour, ...] = ()
    notes: dict[Where, str] = field(default_factory=dict)
    warnings: tuple[tuple[int, str], ...] = ()
    html_warnings: int | None = None

    @property
    def expected_html_warnings(self) -> int:
        return len(self.warnings) if self.html_warnings is None else self.html_warnings


@dataclass(frozen=True)
class ErrorPage:
    name: str
    errors: tuple[tuple[int | None, str], ...]
    html_lines: int | None = None

    @property
    def expected_html_lines(self) -> int:
        if self.html_lines is not None:
            return self.html_lines
        return len({line for line, _words in self.errors})


PAGES: tuple[Page, ...] = (
    Page(
        name="northwind-ic1-associate-software-engineer",
        code="IC1",
        title="Associate Software Engineer",
        track="Software",
        summary=(
            "Associate Software Engineers learn the codebase and deliver well-defined tasks "
            "with guidance from their team."
        ),
        responsibilities=8,
        behaviours=16,
        per_area=(2, 1, 2, 3, 1, 2, 2, 3),
        descriptions={"scope": SCOPE, "levers": LEVERS},
        names={
            "results": ("Impact", "Ownership"),
            "culture": ("Collaboration", "Communication"),
            "craft": ("Code Fluency", "Software Design"),
        },
        texts=(
            (
                "scope",
                None,
                1,
                "I deliver small, well-defined tasks with guidance from a more senior engineer",
            ),
            (
                "levers",
                None,
                2,
                "Learning - I build knowledge of our [engineering workflow](../workflow.md)",
            ),
            (
                "results",
                "Impact",
                2,
                "I follow the [definition of done]"
                "(https://handbook.northwind.example/engineering/definition-of-done) "
                "for every change",
            ),
            (
                "craft",
                "Code Fluency",
                1,
                "I write code that is readable, tested and follows our "
                "[style guide](../style-guide.md)",
            ),
        ),
        keys=(
            ("reach", None, 1, "reach-1"),
            ("results", "Impact", 2, "impact-2"),
            ("craft", "Code Fluency", 1, "code-fluency-1"),
        ),
        warnings=((6, SECTION), (28, SECTION)),
    ),
    Page(
        name="northwind-ic2-software-engineer-ii",
        code="IC2",
        title="Software Engineer II",
        track="Software",
        summary=(
            "I deliver well-scoped features on my own and grow my technical skills. "
            "The five pillars below apply to every engineer at Northwind."
        ),
        responsibilities=8,
        behaviours=16,
        per_area=(3, 1, 2, 3, 1, 2, 1, 3),
        descriptions={"scope": SCOPE, "reach": REACH},
        names={
            "talent": ("Hiring", "Personal Growth"),
            "craft": ("Code Fluency", "Architecture Design"),
        },
        texts=(
            ("scope", None, 1, "I deliver features of a few weeks' size with little guidance"),
            ("levers", None, 2, "Code review - I give timely reviews to my teammates"),
            (
                "craft",
                "Code Fluency",
                2,
                "I use our observability tools to debug problems in production",
            ),
        ),
        keys=(
            ("scope", None, 3, "scope-3"),
            ("levers", None, 2, "levers-2"),
            ("craft", "Architecture Design", 1, "architecture-design-1"),
        ),
        notes={
            ("scope", None): (
                "Features are scoped by a senior engineer or the engineering manager."
            ),
            ("levers", None): (
                "Levers are examples, not a checklist.\n\n"
                "Most engineers at this level rely on Execution."
            ),
        },
        warnings=((30, SECTION), (32, SUMMARY)),
    ),
    Page(
        name="northwind-ic3-senior-software-engineer",
        code="IC3",
        title="Senior Software Engineer",
        track="Software",
        summary=(
            "I own significant features end to end and raise the technical bar of my team. "
            "I am the go-to person for at least one area of our product."
        ),
        responsibilities=8,
        behaviours=16,
        per_area=(2, 1, 2, 4, 1, 2, 2, 2),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={
            "results": ("Impact", "Ownership"),
            "culture": ("Collaboration", "Organizational Health"),
        },
        texts=(
            (
                "scope",
                None,
                1,
                "I own projects of one to three months that span several services",
            ),
            ("results", "Impact", 1, "I deliver projects that measurably move my team's goals"),
            (
                "results",
                "Impact",
                3,
                "I make sure my projects ship with monitoring and a rollback plan",
            ),
            (
                "levers",
                None,
                2,
                "Mentorship - I mentor one or two engineers, following "
                "[https://mentoring.northwind.example](https://mentoring.northwind.example)",
            ),
            (
                "culture",
                "Organizational Health",
                1,
                "I help new teammates settle in, using the onboarding guide at "
                "[https://handbook.northwind.example/onboarding]"
                "(https://handbook.northwind.example/onboarding)",
            ),
        ),
        keys=(
            ("scope", None, 1, "scope-projects"),
            ("scope", None, 2, "scope-2"),
            ("results", "Impact", 3, "impact-3"),
            ("results", "Ownership", 1, "ownership-1"),
        ),
        # Line 40: the second **Impact**, merged into the first.
        warnings=((8, SECTION), (27, SECTION), (40, "Impact")),
    ),
    Page(
        name="northwind-ic4-staff-software-engineer",
        code="IC4",
        title="Staff Software Engineer",
        track="Software",
        summary="I lead multi-team technical efforts and set the direction for a product area.",
        responsibilities=7,
        behaviours=16,
        per_area=(2, 2, 2, 3, 1, 2, 1, 3),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={
            "results": ("Impact", "Decision Making"),
            "craft": ("Architecture Design", "Technical Strategy"),
        },
        texts=(
            (
                "scope",
                None,
                2,
                "I take on problems where both the what and the how are unclear, "
                "and I make them clear for others",
            ),
            (
                "levers",
                None,
                1,
                "Technical strategy - I write the technical strategy for my area "
                "and keep it current",
            ),
            (
                "results",
                "Decision Making",
                1,
                "I make timely decisions with incomplete information and document the "
                "trade-offs I accepted",
            ),
            ("reach", None, 1, "I influence the roadmaps of the teams in my product area"),
        ),
        keys=(
            ("reach", None, 1, "reach-roadmaps"),
            ("reach", None, 2, "reach-2"),
            ("craft", "Architecture Design", 1, "architecture-design-1"),
            ("craft", "Architecture Design", 2, "craft-arch-reviews"),
            ("craft", "Technical Strategy", 1, "technical-strategy-1"),
        ),
        notes={
            ("results", "Impact"): (
                "See also [how we measure impact]"
                "(https://handbook.northwind.example/engineering/impact)."
            ),
            ("direction", "Strategy"): (
                "See also [writing a technical strategy](../strategy/writing.md)."
            ),
        },
    ),
    Page(
        name="northwind-ic5-principal-software-engineer",
        code="IC5",
        title="Principal Software Engineer",
        track="Software",
        summary=(
            "I set the technical direction for a whole product line and make the "
            "engineering organization better."
        ),
        responsibilities=8,
        behaviours=15,
        per_area=(2, 1, 2, 3, 2, 1, 1, 3),
        descriptions={
            "scope": SCOPE,
            "results": (
                "Principal engineers are measured by the outcomes of the organisations they "
                "influence, not by their own output.\n\n"
                "This pillar carries the most weight at IC5."
            ),
            "craft": (
                "Craft at this level is about judgement more than output.\n\n"
                "I still write code, mostly prototypes and critical reviews."
            ),
        },
        names={
            "direction": ("Strategy", "Innovation"),
            "craft": ("Architecture Design", "Code Fluency"),
        },
        texts=(
            ("scope", None, 1, "I own the technical direction of a product line across many teams"),
            ("scope", None, 2, "I define problems the company has not yet noticed"),
            ("results", "Impact", 1, "I deliver company-level outcomes through the teams I guide"),
            (
                "culture",
                "Organizational Health",
                1,
                "I model the values I want to see, especially when it is hard",
            ),
            (
                "craft",
                "Architecture Design",
                2,
                "I make build versus buy decisions for critical systems",
            ),
        ),
        keys=(("direction", "Innovation", 1, "innovation-1"),),
    ),
    Page(
        name="contoso-ic3-machine-learning-engineer",
        code="IC3",
        title="Machine Learning Engineer",
        track="Machine Learning",
        summary=(
            "I independently deliver well-scoped ML features and grow my expertise in "
            "modeling and ML systems"
        ),
        responsibilities=9,
        behaviours=16,
        per_area=(2, 1, 2, 3, 1, 2, 2, 3),
        descriptions={
            "scope": SCOPE,
            "reach": REACH,
            "levers": LEVERS,
            "craft": (
                "I build reliable ML features end to end and know the standard techniques "
                "of my area well."
            ),
        },
        names={
            "results": ("Impact", "Ownership"),
            "talent": ("Personal Growth", "Hiring"),
            "craft": ("Code Fluency", "ML Fluency"),
        },
        texts=(
            (
                "craft",
                "ML Fluency",
                1,
                "I own the ML development lifecycle* for the models I work on",
            ),
            ("levers", None, 2, "Modeling - I apply standard modeling techniques correctly"),
            (
                "results",
                "Impact",
                2,
                "I validate the effect of my changes with offline and online experiments",
            ),
        ),
        keys=(("levers", None, 1, "levers-1"), ("craft", "ML Fluency", 2, "ml-fluency-2")),
        notes={
            ("craft", "ML Fluency"): (
                "* ML development lifecycle refers to data collection, training, evaluation, "
                "deployment and monitoring."
            ),
        },
    ),
    Page(
        name="contoso-ic4-senior-machine-learning-engineer",
        code="IC4",
        title="Senior Machine Learning Engineer",
        track="Machine Learning",
        summary="I own ML systems for my team and set the technical direction of my projects",
        responsibilities=9,
        behaviours=18,
        per_area=(2, 2, 2, 4, 2, 2, 1, 3),
        descriptions={
            "scope": SCOPE,
            "craft": (
                "I ensure the quality of the ML systems my team builds and the validity of "
                "our experiments.\n\n"
                "I have the system design skills to connect ML systems to the services "
                "around them."
            ),
        },
        names={"results": ("Impact", "Ownership"), "craft": ("ML Design", "Code Fluency")},
        texts=(
            ("results", "Impact", 1, "I identify opportunities where ML moves my team's metrics"),
            (
                "results",
                "Impact",
                2,
                "I deliver projects to a high standard against tight deadlines",
            ),
            ("results", "Impact", 3, "I account for risks in my project plans and track them"),
            (
                "craft",
                "Code Fluency",
                1,
                "I write production-quality code and review others' code carefully",
            ),
        ),
        keys=(("results", "Impact", 3, "impact-3"), ("craft", "Code Fluency", 1, "code-fluency-1")),
        notes={
            ("talent", "Talent Development"): (
                "See also [the interviewer guide]"
                "(https://wiki.contoso.example/hiring/interviewer-guide)."
            ),
        },
        # Line 19, the second Impact row: merged into the first, and its first behaviour,
        # the same words as the first row's second one, dropped.
        warnings=((19, "Impact"), (19, DROPPED)),
    ),
    Page(
        name="contoso-ic2-data-engineer",
        code="IC2",
        title="Data Engineer",
        track="Data",
        summary="I build and maintain reliable data pipelines for my team with some guidance.",
        responsibilities=7,
        behaviours=14,
        per_area=(2, 1, 2, 3, 1, 1, 2, 2),
        descriptions={"scope": SCOPE, "levers": LEVERS},
        names={"results": ("Impact", "Ownership"), "craft": ("Data Modeling", "Code Fluency")},
        texts=(
            ("scope", None, 2, "I fix data quality issues in the pipelines I own"),
            (
                "talent",
                "Personal Growth",
                1,
                "I learn our data stack by reading the "
                "[platform docs](https://data.contoso.example/platform)",
            ),
            (
                "culture",
                "Collaboration",
                1,
                "I document my datasets in the [data catalogue](catalogue/index.md)",
            ),
            (
                "craft",
                "Data Modeling",
                1,
                "I design tables that follow our "
                "[modeling conventions](https://data.contoso.example/conventions)",
            ),
        ),
        keys=(
            ("culture", "Collaboration", 2, "collaboration-2"),
            ("craft", "Data Modeling", 1, "data-modeling-1"),
        ),
    ),
    Page(
        name="fabrikam-ic3-site-reliability-engineer",
        code="IC3",
        title="Site Reliability Engineer",
        track="Reliability",
        summary=("I keep the services of my team reliable and help my team respond to incidents."),
        responsibilities=7,
        behaviours=14,
        per_area=(2, 1, 2, 3, 1, 1, 1, 3),
        descriptions={"scope": SCOPE, "reach": REACH},
        names={"results": ("Impact", "Ownership"), "craft": ("Observability", "Automation")},
        texts=(
            ("levers", None, 1, "Automation - I automate manual operational work"),
            ("results", "Impact", 2, "I improve the availability of the services I own"),
            (
                "craft",
                "Automation",
                1,
                "I write tools in Go or Python that replace manual runbook steps",
            ),
        ),
        keys=(
            ("results", "Ownership", 1, "ownership-1"),
            ("craft", "Observability", 2, "observability-2"),
        ),
        # Every bold bullet: Impact, Ownership, Agility, Personal Growth, Collaboration,
        # Observability, Automation.
        warnings=tuple((line, RESPONSIBILITY) for line in (30, 33, 38, 43, 48, 53, 56)),
    ),
    Page(
        name="fabrikam-ic4-senior-site-reliability-engineer",
        code="IC4",
        title="Senior Site Reliability Engineer",
        track="Reliability",
        summary=(
            "I lead reliability work across my team's services and improve how we run production."
        ),
        responsibilities=7,
        behaviours=14,
        per_area=(2, 1, 2, 2, 3, 1, 1, 2),
        names={
            "results": ("Results",),
            "direction": ("Agility", "Strategy"),
            "talent": ("Talent",),
            "culture": ("Collaboration",),
            "craft": ("Observability", "Automation"),
        },
        texts=(
            ("results", "Results", 1, "I cut the time to restore service for my team's incidents"),
            ("direction", "Strategy", 2, "I explain the cost of those investments to my manager"),
            ("talent", "Talent", 1, "I mentor engineers joining the on-call rotation"),
        ),
        keys=(
            ("results", "Results", 2, "results-2"),
            ("direction", "Strategy", 2, "strategy-2"),
            ("talent", "Talent", 1, "talent-1"),
        ),
        # 29 and 42: bullets before any responsibility (Results, Talent); the others are
        # bold bullets: Agility, Strategy, Collaboration, Observability, Automation.
        warnings=tuple((line, RESPONSIBILITY) for line in (29, 34, 36, 42, 46, 51, 53)),
    ),
    Page(
        name="fabrikam-ic5-staff-site-reliability-engineer",
        code="IC5",
        title="Staff Site Reliability Engineer",
        track="Reliability",
        summary=(
            "I set the reliability strategy for a group of teams and make production safer "
            "for everyone."
        ),
        responsibilities=7,
        behaviours=13,
        per_area=(2, 2, 1, 2, 1, 2, 1, 2),
        descriptions={"scope": SCOPE, "levers": LEVERS},
        names={
            "results": ("Impact", "Decision Making"),
            "talent": ("Talent Development", "Hiring"),
        },
        texts=(
            (
                "scope",
                None,
                2,
                "I take on ambiguous, cross-cutting problems such as cascading failures",
            ),
            (
                "craft",
                "Architecture Design",
                2,
                "I set standards for capacity planning across my group of teams",
            ),
        ),
        keys=(("results", "Decision Making", 1, "decision-making-1"),),
        notes={
            ("scope", None): "Scope grows with the systems I own, not with the size of my team.",
        },
    ),
    Page(
        name="globex-m3-associate-engineering-manager",
        code="M3",
        title="Associate Engineering Manager",
        track="Engineering Manager",
        summary="I manage a small team for the first time, with close support from my director.",
        responsibilities=6,
        behaviours=13,
        per_area=(2, 1, 2, 2, 1, 3, 1, 1),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": MANAGER_LEVERS},
        names={"talent": ("Coaching", "Hiring"), "results": ("Delivery",)},
        texts=(
            ("scope", None, 2, "I run my team's rituals: planning, standups and retrospectives"),
            ("talent", "Coaching", 2, "I write growth plans with each report"),
        ),
        keys=(("levers", None, 2, "levers-2"), ("talent", "Hiring", 1, "hiring-1")),
        warnings=((20, SECTION),),
    ),
    Page(
        name="globex-m4-engineering-manager",
        code="M4",
        title="Engineering Manager",
        track="Engineering Manager",
        summary="I lead a team of engineers, deliver its roadmap and grow the people on it.",
        responsibilities=7,
        behaviours=15,
        per_area=(2, 1, 2, 4, 1, 3, 1, 1),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": MANAGER_LEVERS},
        names={"results": ("Delivery", "Ownership"), "talent": ("Coaching", "Hiring")},
        texts=(
            ("results", "Delivery", 1, "I make sure my team delivers on its commitments"),
            ("results", "Delivery", 2, "I report progress and risks honestly to my director"),
            ("results", "Delivery", 3, "I cut scope early when a deadline is at risk"),
        ),
        keys=(("results", "Delivery", 3, "delivery-3"),),
        notes={
            ("talent", "Coaching"): (
                "Performance reviews follow the company calendar.\n\n"
                "Calibration notes are shared with the director before the committee meets."
            ),
        },
        # 33: **delivery** merged into Delivery; 35: its first bullet repeats one of the first.
        warnings=((20, SECTION), (33, "delivery"), (35, DROPPED)),
    ),
    Page(
        name="globex-m5-senior-engineering-manager",
        code="M5",
        title="Senior Engineering Manager",
        track="Engineering Manager",
        summary=(
            "I lead several teams through their managers and shape how my group works. "
            "The three expectations below describe the level as a whole."
        ),
        responsibilities=6,
        behaviours=13,
        per_area=(2, 1, 2, 3, 1, 2, 1, 1),
        descriptions={"scope": SCOPE, "levers": MANAGER_LEVERS},
        names={"results": ("Delivery", "Ownership")},
        texts=(
            ("results", "Ownership", 1, "I own the operational excellence* of my group's services"),
            (
                "direction",
                "Strategy",
                1,
                "I set a strategy for my group that follows the "
                "[department goals](../goals/2025.md)",
            ),
            (
                "talent",
                "Talent Development",
                1,
                "I coach my managers on hard conversations and performance issues",
            ),
        ),
        keys=(("talent", "Talent Development", 2, "talent-development-2"),),
        notes={
            ("reach", None): "A group is two to four teams that share a mission.",
            ("results", "Ownership"): (
                "* Operational excellence is defined in our "
                "[operations standard](../operations/standard.md)."
            ),
        },
        warnings=((4, SECTION), (6, SUMMARY), (8, SECTION), (10, SUMMARY)),
    ),
    Page(
        name="globex-m6-director-of-engineering",
        code="M6",
        title="Director of Engineering",
        track="Engineering Management",
        summary=(
            "I lead a department of several groups and own its results, its people and its "
            "strategy. Directors are assessed by their department's results as much as by "
            "their own work."
        ),
        responsibilities=5,
        behaviours=11,
        per_area=(2, 1, 2, 2, 1, 1, 1, 1),
        descriptions={"scope": SCOPE, "levers": MANAGER_LEVERS},
        names={"results": ("Business Outcomes",)},
        texts=(
            (
                "results",
                "Business Outcomes",
                2,
                "I report on them openly at [https://metrics.globex.example/engineering]"
                "(https://metrics.globex.example/engineering)",
            ),
            (
                "levers",
                None,
                2,
                "Organization - I design the structure of my department as it grows",
            ),
        ),
        keys=(
            ("scope", None, 1, "dept-size"),
            ("scope", None, 2, "dept-budget"),
            ("levers", None, 1, "levers-1"),
        ),
        warnings=((25, SECTION), (27, SUMMARY)),
    ),
    Page(
        name="umbrella-m4-engineering-manager",
        code="M4",
        title="Engineering Manager",
        track="Engineering Manager",
        summary=(
            "Engineering managers at Umbrella run one team and are accountable for its "
            "delivery and its people."
        ),
        responsibilities=5,
        behaviours=11,
        per_area=(2, 1, 2, 2, 1, 1, 1, 1),
        descriptions={"scope": SCOPE, "levers": MANAGER_LEVERS},
        names={"craft": ("Technical Oversight",)},
        texts=(
            (
                "scope",
                None,
                2,
                "I set my team's priorities with its product manager, and I say no to work "
                "that does not fit them",
            ),
            (
                "direction",
                "Vision",
                1,
                "I give my team a clear picture of where it is heading and why that matters "
                "to the company",
            ),
        ),
        keys=(("results", "Delivery", 2, "delivery-2"),),
        notes={("results", "Delivery"): "See also [how we plan](planning.md)."},
    ),
    Page(
        name="umbrella-m5-senior-engineering-manager",
        code="M5",
        title="Senior Engineering Manager",
        track="Engineering Manager",
        summary=(
            "Senior engineering managers at Umbrella run a group of teams through their managers."
        ),
        responsibilities=6,
        behaviours=13,
        per_area=(2, 1, 2, 1, 1, 3, 2, 1),
        descriptions={"reach": REACH},
        names={"talent": ("Manager Development", "Hiring"), "culture": ("Culture",)},
        texts=(
            (
                "talent",
                "Manager Development",
                2,
                "I give my managers room to make their own mistakes",
            ),
            ("culture", "Culture", 2, "I make it safe to raise problems early"),
        ),
        keys=(("talent", "Hiring", 1, "hiring-1"), ("culture", "Culture", 1, "culture-1")),
        notes={
            ("levers", None): (
                "Most senior engineering managers spend half of their time on people.\n\n"
                "The rest goes to planning and to cross-group work."
            ),
        },
        # 41, 44: bold bullets; 49: bullets in Culture before any responsibility.
        warnings=((41, RESPONSIBILITY), (44, RESPONSIBILITY), (49, RESPONSIBILITY)),
    ),
    Page(
        name="initech-l3-engineer",
        code="L3",
        title="Engineer",
        track="Engineer",
        summary="I build features on an existing system with little supervision.",
        responsibilities=6,
        behaviours=11,
        per_area=(2, 1, 1, 2, 1, 1, 1, 2),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={"results": ("Impact", "Quality")},
        texts=(
            ("levers", None, 1, "Execution - I ship working software every week"),
            ("craft", "Code", 2, "I keep dependencies up to date"),
        ),
        keys=(("craft", "Code", 2, "code-2"),),
    ),
    Page(
        name="initech-l5-senior-engineer",
        code="L5",
        title="Senior Engineer",
        track="Engineer",
        summary="I lead the technical work of my team and make the engineers around me better.",
        responsibilities=6,
        behaviours=13,
        per_area=(2, 1, 2, 3, 1, 1, 1, 2),
        descriptions={"scope": SCOPE, "reach": REACH},
        names={"results": ("Impact", "Ownership")},
        texts=(
            (
                "scope",
                None,
                2,
                "I resolve ambiguity in requirements before my team starts building",
            ),
            (
                "levers",
                None,
                2,
                "Mentorship - I mentor two or more engineers and review their designs",
            ),
            (
                "results",
                "Impact",
                2,
                "I make sure our work reaches production behind feature flags and with monitoring",
            ),
        ),
        keys=(("talent", "Mentorship", 1, "mentorship-1"),),
        notes={
            ("scope", None): "Scope at L5 is measured in team-months, not in lines of code.",
            ("results", "Ownership"): "Incident follow-ups are tracked in the team's issue board.",
        },
    ),
    Page(
        name="initech-l6-staff-engineer",
        code="L6",
        title="Staff Engineer",
        track="Engineer",
        summary="I lead technical work that spans several teams.",
        responsibilities=7,
        behaviours=14,
        per_area=(2, 1, 2, 3, 1, 1, 1, 3),
        descriptions={"scope": SCOPE, "reach": REACH},
        names={
            "results": ("Impact", "Decision Making"),
            "craft": ("Architecture Design", "Code Fluency"),
        },
        texts=(
            ("results", "Impact", 2, "I measure whether my projects achieved what they promised"),
            (
                "craft",
                "Architecture Design",
                2,
                "I retire systems that no longer pay for themselves",
            ),
        ),
        keys=(("results", "Impact", 2, "impact-2"), ("craft", "Code Fluency", 1, "code-fluency-1")),
        # 30: "### impact" merged into Impact; 54, 57: bold bullets.
        warnings=((30, "impact"), (54, RESPONSIBILITY), (57, RESPONSIBILITY)),
    ),
    Page(
        name="hooli-ic3-mobile-engineer",
        code="IC3",
        title="Mobile Engineer",
        track="Mobile",
        summary="I build and ship features in our iOS and Android apps with little guidance.",
        responsibilities=6,
        behaviours=13,
        per_area=(2, 1, 2, 3, 1, 1, 1, 2),
        descriptions={"scope": SCOPE, "levers": LEVERS},
        names={"results": ("Impact", "Ownership")},
        texts=(
            (
                "results",
                "Impact",
                2,
                "I follow each release with a look at crash and performance dashboards",
            ),
            (
                "craft",
                "Code Fluency",
                1,
                "I write Swift and Kotlin that follows our platform guides",
            ),
        ),
        keys=(
            ("craft", "Code Fluency", 1, "mobile-languages"),
            ("craft", "Code Fluency", 2, "code-fluency-2"),
        ),
        notes={
            ("talent", "Personal Growth"): (
                "Engineers who work on both platforms are paired with a mentor for each.\n\n"
                "Pairing schedules are agreed with the engineering manager."
            ),
        },
        # Every bold bullet: Impact, Ownership, Agility, Personal Growth, Collaboration,
        # Code Fluency.
        warnings=tuple((line, RESPONSIBILITY) for line in (28, 31, 36, 41, 50, 55)),
    ),
    Page(
        name="hooli-ic4-senior-ios-engineer",
        code="IC4",
        title="Senior iOS Engineer",
        track="iOS",
        summary="I lead the iOS side of large features and raise the quality bar of our app.",
        responsibilities=10,
        behaviours=20,
        per_area=(3, 2, 3, 3, 2, 2, 2, 3),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={
            "direction": ("Innovation", "Strategy"),
            "craft": ("Code Fluency", "Architecture Design"),
        },
        texts=(
            (
                "scope",
                None,
                3,
                "I own one architectural area of the app, such as networking or persistence",
            ),
            (
                "talent",
                "Hiring",
                1,
                "I interview iOS candidates using our "
                "[interview rubric](https://eng.hooli.example/hiring/ios-rubric)",
            ),
            (
                "craft",
                "Code Fluency",
                2,
                "I follow the [Swift API design guidelines]"
                "(https://www.swift.org/documentation/api-design-guidelines/)",
            ),
        ),
        keys=(("levers", None, 3, "levers-3"),),
        notes={
            ("craft", "Code Fluency"): (
                "See also [our iOS style guide](https://eng.hooli.example/ios/style)."
            ),
        },
    ),
    Page(
        name="hooli-ic5-lead-android-engineer",
        code="IC5",
        title="Lead Android Engineer",
        track="Android",
        summary=(
            "I set the technical direction of our Android app and lead the engineers who build it."
        ),
        responsibilities=6,
        behaviours=12,
        per_area=(2, 1, 1, 2, 2, 1, 1, 2),
        descriptions={
            "scope": SCOPE,
            "results": (
                "Results for a lead are the results of the Android app as a whole.\n\n"
                "They are reviewed with the head of mobile each quarter."
            ),
        },
        names={"results": ("Results",), "direction": ("Strategy", "Innovation")},
        texts=(
            (
                "results",
                "Results",
                1,
                "I keep the app's crash-free rate and start-up time within their targets",
            ),
        ),
        keys=(("results", "Results", 2, "results-2"),),
        warnings=((31, RESPONSIBILITY),),
    ),
    Page(
        name="dunder-ic2-junior-frontend-engineer",
        code="IC2",
        title="Junior Frontend Engineer",
        track="Frontend",
        summary="I build user interface components and pages with guidance from senior engineers.",
        responsibilities=7,
        behaviours=14,
        per_area=(2, 1, 2, 3, 1, 1, 1, 3),
        descriptions={"scope": SCOPE, "levers": LEVERS},
        names={"results": ("Impact", "Ownership"), "craft": ("Code Fluency", "Accessibility")},
        texts=(
            ("levers", None, 2, "Accessibility - I check my pages with a screen reader"),
            ("results", "Impact", 2, "I fix the visual bugs reported on my pages"),
            (
                "talent",
                "Personal Growth",
                1,
                "I work through the [frontend learning path](learning/frontend.md) with my mentor",
            ),
        ),
        keys=(
            ("craft", "Code Fluency", 2, "code-fluency-2"),
            ("craft", "Accessibility", 1, "accessibility-1"),
        ),
    ),
    Page(
        name="dunder-ic6-distinguished-engineer",
        code="IC6",
        title="Distinguished Engineer",
        track="Engineer",
        summary=(
            "Distinguished engineers shape the technology of the whole company. "
            "Fewer than one in a hundred engineers reach this level."
        ),
        responsibilities=6,
        behaviours=12,
        per_area=(2, 1, 2, 2, 1, 2, 1, 1),
        descriptions={"scope": SCOPE, "reach": REACH},
        names={"results": ("Impact", "Decision Making")},
        texts=(
            (
                "levers",
                None,
                2,
                "External - I publish our work, for example at "
                "[https://research.dunder.example](https://research.dunder.example)",
            ),
            (
                "talent",
                "Talent Development",
                2,
                "I sponsor engineers from groups that are under-represented in senior roles",
            ),
        ),
        keys=(
            ("results", "Decision Making", 1, "decision-making-1"),
            ("culture", "Organizational Health", 1, "organizational-health-1"),
        ),
        warnings=((28, SECTION),),
    ),
    Page(
        name="stark-ic4-sr-security-engineer",
        code="IC4",
        title="Sr Security Engineer",
        track="Security",
        summary="I secure the systems of my area and help other teams build securely",
        responsibilities=7,
        behaviours=15,
        per_area=(2, 2, 2, 3, 1, 1, 1, 3),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={"craft": ("Security Engineering", "Incident Response")},
        texts=(
            ("reach", None, 2, "I work with legal and compliance on security requirements"),
            (
                "results",
                "Impact",
                1,
                "I reduce the number of critical findings in my area quarter over quarter",
            ),
            (
                "direction",
                "Strategy",
                1,
                "I plan my area's security roadmap using the "
                "[OWASP Top Ten](https://owasp.org/www-project-top-ten/) as a baseline",
            ),
        ),
        keys=(("craft", "Security Engineering", 2, "security-engineering-2"),),
        notes={
            ("craft", "Incident Response"): (
                "See also [the incident response runbook]"
                "(https://security.stark.example/runbooks/incident-response)."
            ),
        },
    ),
    Page(
        name="stark-ic7-engineering-fellow",
        code="IC7",
        title="Engineering Fellow",
        track="Engineering",
        summary=(
            "An Engineering Fellow is recognised across the industry and sets direction for "
            "the whole of Stark."
        ),
        responsibilities=5,
        behaviours=10,
        per_area=(1, 1, 2, 1, 1, 1, 1, 2),
        descriptions={"scope": SCOPE, "levers": LEVERS},
        names={"craft": ("Technical Leadership",)},
        texts=(
            (
                "craft",
                "Technical Leadership",
                2,
                "I review the most important designs in the company",
            ),
        ),
        keys=(("scope", None, 1, "scope-1"), ("results", "Impact", 1, "impact-1")),
        notes={("scope", None): "Fellows choose their own problems."},
    ),
    Page(
        name="wayne-ic3-data-scientist",
        code="IC3",
        title="Data Scientist",
        track="Data Scientist",
        summary=(
            "I answer product questions with data and design experiments with little guidance."
        ),
        responsibilities=6,
        behaviours=11,
        per_area=(2, 1, 2, 1, 1, 1, 1, 2),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={"craft": ("Statistics", "Code Fluency")},
        texts=(
            ("scope", None, 2, "I design and analyse A/B tests for my area"),
            (
                "talent",
                "Personal Growth",
                1,
                "I learn new methods from the [reading list](reading-list.md) and apply them",
            ),
        ),
        keys=(
            ("scope", None, 1, "ds-area"),
            ("scope", None, 2, "ds-experiments"),
            ("craft", "Code Fluency", 1, "code-fluency-1"),
        ),
        notes={("scope", None): "Product areas are listed on the [team page](../team.md)."},
    ),
    Page(
        name="wayne-ic5-staff-data-scientist",
        code="IC5",
        title="Staff Data Scientist",
        track="Data Scientist",
        summary=(
            "I lead data science for a product line and set the standards for how we "
            "measure success."
        ),
        responsibilities=6,
        behaviours=14,
        per_area=(2, 2, 2, 2, 1, 2, 1, 2),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={"results": ("Impact", "Ownership")},
        texts=(
            ("reach", None, 2, "I partner with finance on the company's forecasting"),
            (
                "levers",
                None,
                2,
                "Causal inference - I estimate effects where experiments are impossible",
            ),
            (
                "results",
                "Ownership",
                1,
                "I own the quality of the metrics I define, including their data pipelines*",
            ),
        ),
        keys=(("reach", None, 2, "reach-2"), ("craft", "Statistics", 2, "statistics-2")),
        notes={
            ("results", "Ownership"): (
                "* Metric pipelines are built together with the data engineering team."
            ),
        },
    ),
    Page(
        name="contoso-ic5-staff-data-engineer",
        code="IC5",
        title="Staff Data Engineer",
        track="Data Platform",
        summary="I set the direction of our data platform and deliver it with several teams",
        responsibilities=6,
        behaviours=13,
        per_area=(2, 1, 2, 2, 2, 1, 1, 2),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": LEVERS},
        names={"direction": ("Strategy", "Innovation")},
        texts=(
            ("levers", None, 2, "Cost - I keep the platform's cost in line with its value"),
            (
                "craft",
                "Architecture Design",
                2,
                "I define the data contracts between producers and consumers",
            ),
        ),
        keys=(("craft", "Architecture Design", 2, "architecture-design-2"),),
        notes={
            ("craft", "Architecture Design"): (
                "Data contracts are described in the platform handbook.\n\n"
                "Changes to a contract need the approval of every consumer."
            ),
        },
    ),
    Page(
        name="acme-l4-backend-engineer-iii",
        code="L4",
        title="Backend Engineer III",
        track="Backend",
        summary=(
            "Each bullet is one behaviour we expect at this level. "
            "This page was last reviewed by the backend guild in March."
        ),
        responsibilities=6,
        behaviours=12,
        per_area=(2, 1, 2, 2, 1, 1, 1, 2),
        descriptions={"scope": SCOPE, "levers": LEVERS},
        names={"craft": ("Software Design", "Operations")},
        texts=(
            ("levers", None, 1, "Reliability - I keep my services within their SLOs"),
            ("craft", "Operations", 1, "I write runbooks for the alerts of my services"),
        ),
        keys=(
            ("results", "Impact", 1, "unblock-product"),
            ("results", "Impact", 2, "measure-effect"),
            ("craft", "Operations", 1, "operations-1"),
        ),
        warnings=((4, SECTION), (6, SUMMARY), (63, SECTION), (65, SUMMARY)),
    ),
    Page(
        name="acme-m4-engineering-manager-ii",
        code="M4",
        title="Engineering Manager II",
        track="Engineering Manager",
        summary="I manage a team with a broad remit and act as a partner to my director.",
        responsibilities=6,
        behaviours=11,
        per_area=(2, 1, 2, 2, 1, 1, 1, 1),
        descriptions={"scope": SCOPE, "reach": REACH, "levers": MANAGER_LEVERS},
        names={"results": ("Delivery", "Quality")},
        texts=(
            (
                "levers",
                None,
                2,
                "Talent - I build a team that can run without me for a few weeks",
            ),
            ("culture", "Team Health", 1, "I run regular retrospectives and act on what they find"),
        ),
        keys=(("results", "Quality", 1, "quality-1"),),
        notes={("talent", "Coaching"): "See also [the coaching guide](../people/coaching.md)."},
        warnings=((6, SECTION), (28, SECTION)),
    ),
)

ERROR_PAGES: tuple[ErrorPage, ...] = (
    # The rules name no line for a missing level heading: any one line, one error.
    ErrorPage("error-no-level-heading", errors=((None, "level heading"),)),
    ErrorPage("error-second-level-heading", errors=((48, "second level"),)),
    ErrorPage("error-second-level-heading-in-the-middle", errors=((24, "second level"),)),
    ErrorPage("error-missing-area", errors=((40, "Talent"),)),
    ErrorPage("error-same-area-twice", errors=((14, "Scope"),)),
    ErrorPage("error-empty-bullet", errors=((41, "empty bullet"),)),
    ErrorPage("error-bullet-before-any-area", errors=((6, "bullet"),)),
    ErrorPage("error-malformed-key", errors=((8, "key"),)),
    ErrorPage("error-empty-responsibility", errors=((24, "Ownership"),)),
    ErrorPage("error-wiki-table-empty-responsibility", errors=((17, "Ownership"),)),
    ErrorPage(
        "error-several-errors",
        errors=((8, "key"), (24, "empty bullet"), (36, "Talent"), (36, "Culture")),
    ),
)
