"""The ladder page format: parsing both page shapes, errors, and render/parse round trips."""

import pickle
import random
import re
import time

import pytest

from ladder import rubric_text
from ladder.areas import AREA_KINDS, AREA_NAMES, EXPECTATION_KINDS, PILLAR_KINDS
from ladder.formats.document import (
    MAX_BEHAVIOURS_PER_AREA,
    AreaDoc,
    BehaviourDoc,
    LadderFormatError,
    LevelDoc,
    ResponsibilityDoc,
    derived_key,
    derived_track,
    normalise_text,
)
from ladder.formats.inline import clean_inline
from ladder.formats.markdown import parse_ladder, parse_page, render_ladder
from tests.conftest import SEED_PATH

pytestmark = pytest.mark.no_database

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")

SHAPE_B = """\
# IC4 Machine Learning Engineer

***I deliver multi-team goals and shape the technical direction of my area***

**Scope**
_Area of ownership and level of autonomy / ambiguity_

- I deliver multi-team goals
- I exhibit a high standard of technical judgement

**Collaborative Reach**
_Organizational reach and extent of influence_

- I influence the roadmap of my team

**Impact Levers**
_Technical levers typically exercised to achieve business impact_

- Domain Expertise - I demonstrate depth in a product area
- Mentorship - I mentor engineers on my team

## 🏆 Results

**Impact**

- I identify opportunities that have team-wide impact
- I execute projects to a high standard

**Ownership**

- I have a sense of responsibility for my area

## 🌟 Direction

**Strategy**

- I contribute to the technical vision of my team

## 🌳 Talent

**Hiring**

- I take part in interviews

## 🌈 Culture

**Collaboration**

- I work well across teams

## 🦉 Craft

I ensure the quality of ML systems for my team.

I have a well-rounded set of system design skills.

**ML Fluency**

- I am an expert in a range of ML techniques

**Code Fluency**

- I write clear code
"""


def seed() -> LevelDoc:
    return parse_ladder(SEED_TEXT, SEED_PATH.name)


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line containing needle."""
    for number, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def last_line_of(text: str) -> int:
    """Number of the file's last line; a final newline ends that line rather than starting one."""
    return len(text.split("\n")) - text.endswith("\n")


def area_doc(doc: LevelDoc, kind: str) -> AreaDoc:
    return next(area for area in doc.areas if area.key == kind)


def texts(area: AreaDoc) -> list[str]:
    return [b.text for b in area.all_behaviours]


# --------------------------------------------------------------------------- the seed


def test_seed_has_code_title_and_track():
    doc = seed()
    assert (doc.code, doc.title, doc.track) == (
        "IC5",
        "Staff Machine Learning Engineer",
        "Machine Learning",
    )


def test_seed_summary_joins_the_bold_italic_fragments():
    assert seed().summary == (
        "I set the multi-year, multi-team technical strategy and deliver it through direct "
        "implementation or broad technical leadership"
    )


def test_seed_has_three_expectations_then_five_pillars():
    doc = seed()
    assert tuple(area.key for area in doc.areas) == AREA_KINDS
    assert all(not a.responsibilities for a in doc.areas if a.key in EXPECTATION_KINDS)
    assert all(not a.behaviours for a in doc.areas if a.key in PILLAR_KINDS)


def test_seed_yields_18_responsibilities():
    assert seed().responsibility_count == 18


def test_seed_yields_58_behaviours():
    assert seed().behaviour_count == 58


@pytest.mark.parametrize(
    ("kind", "count"),
    [
        ("scope", 2),
        ("reach", 2),
        ("levers", 4),
        ("results", 8),
        ("direction", 5),
        ("talent", 10),
        ("culture", 9),
        ("craft", 18),
    ],
)
def test_seed_area_has_expected_number_of_behaviours(kind, count):
    assert len(area_doc(seed(), kind).all_behaviours) == count


def test_seed_responsibility_names_join_fragmented_bold():
    names = [r.name for area in seed().areas for r in area.responsibilities]
    for name in ["Code Fluency", "Software Design", "Decision Making", "Organizational Health"]:
        assert name in names
    assert names[:3] == ["Impact", "Ownership", "Decision Making"]
    assert not any("*" in name for name in names)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("scope", "I deliver multi-year, multi-team product or platform goals"),
        (
            "levers",
            "Product Expertise - I increasingly influence or make product decisions/scope and "
            "determine the right technical tradeoffs to deliver customer value quickly.",
        ),
        (
            "levers",
            "Domain Expertise - I demonstrate a high level of depth in a particular platform or "
            "product category that brings unique business value.",
        ),
        ("craft", "The expectations for code fluency do not go up beyond L3."),
        (
            "results",
            "I'm able to reach the right decision despite conflicting perspectives",
        ),
        (
            "culture",
            "Working with my manager, I leverage the strengths & skills of the members of my "
            "team, and help identify talent gaps required for team success",
        ),
    ],
)
def test_seed_behaviour_is_verbatim_apart_from_whitespace(kind, text):
    assert text in texts(area_doc(seed(), kind))


def test_seed_keeps_curly_quotes_and_em_dashes():
    results = texts(area_doc(seed(), "results"))
    assert results[1].startswith("I execute large projects to a very high standard — e.g.")
    assert "results aren’t moving the needle" in results[3]


def test_seed_first_scope_bullet_comes_first():
    assert area_doc(seed(), "scope").behaviours[0] == BehaviourDoc(
        "I deliver multi-year, multi-team product or platform goals", "scope-1"
    )


def test_seed_craft_intro_is_two_paragraphs():
    paragraphs = area_doc(seed(), "craft").description.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("I ensure the quality of ML systems for my team")
    assert paragraphs[0].endswith("I propose new business initiatives powered by ML for Dropbox.")
    assert paragraphs[1].startswith("I have a well-rounded set of system design")


def test_seed_other_pillars_have_no_intro():
    assert [area_doc(seed(), kind).description for kind in PILLAR_KINDS[:4]] == [""] * 4


def test_seed_expectation_descriptions_come_from_the_table_header():
    doc = seed()
    assert area_doc(doc, "scope").description == (
        "Area of ownership and level of autonomy / ambiguity"
    )
    assert area_doc(doc, "reach").description == "Organizational reach and extent of influence"


def test_seed_keys_are_derived_from_position():
    doc = seed()
    assert [b.key for b in area_doc(doc, "scope").behaviours] == ["scope-1", "scope-2"]
    impact = area_doc(doc, "results").responsibilities[0]
    assert [b.key for b in impact.behaviours] == ["impact-1", "impact-2", "impact-3", "impact-4"]
    code_fluency = area_doc(doc, "craft").responsibilities[2]
    assert code_fluency.behaviours[0].key == "code-fluency-1"


def test_seed_parses_the_same_with_windows_line_endings_and_a_bom():
    assert parse_ladder("\ufeff" + SEED_TEXT.replace("\n", "\r\n")) == seed()


# --------------------------------------------------------------------------- shape B


def test_shape_b_page_parses_all_eight_areas():
    doc = parse_ladder(SHAPE_B, "ic4.md")
    assert (doc.code, doc.title, doc.track) == (
        "IC4",
        "Machine Learning Engineer",
        "Machine Learning",
    )
    assert doc.summary == "I deliver multi-team goals and shape the technical direction of my area"
    assert tuple(a.key for a in doc.areas) == AREA_KINDS
    assert doc.behaviour_count == 13
    assert doc.responsibility_count == 7
    assert area_doc(doc, "levers").description == (
        "Technical levers typically exercised to achieve business impact"
    )
    assert area_doc(doc, "craft").description == (
        "I ensure the quality of ML systems for my team.\n\n"
        "I have a well-rounded set of system design skills."
    )
    assert [r.name for r in area_doc(doc, "craft").responsibilities] == [
        "ML Fluency",
        "Code Fluency",
    ]
    assert area_doc(doc, "results").responsibilities[0].behaviours[1] == BehaviourDoc(
        "I execute projects to a high standard", "impact-2"
    )


def test_wrapped_bullet_joins_its_continuation_lines():
    text = SHAPE_B.replace(
        "- I deliver multi-team goals\n",
        "- I deliver multi-team\n  goals that matter\n   to the business\n",
    )
    scope = area_doc(parse_ladder(text), "scope")
    assert texts(scope) == [
        "I deliver multi-team goals that matter to the business",
        "I exhibit a high standard of technical judgement",
    ]


def test_lazy_continuation_line_belongs_to_the_bullet_above():
    text = SHAPE_B.replace("- I write clear code\n", "- I write clear\ncode\n")
    assert texts(area_doc(parse_ladder(text), "craft"))[-1] == "I write clear code"


def test_star_and_plus_bullets_work_like_dashes():
    text = SHAPE_B.replace("- I identify", "* I identify").replace("- I execute", "+ I execute")
    assert parse_ladder(text) == parse_ladder(SHAPE_B)


def test_setext_pillar_headings_work_like_atx_ones():
    text = SHAPE_B.replace("## 🏆 Results\n", "Results\n-------\n").replace(
        "## 🦉 Craft\n", "🦉 Craft\n=====\n"
    )
    assert parse_ladder(text) == parse_ladder(SHAPE_B)


def test_emoji_images_and_trailing_colons_in_headings_are_ignored():
    text = SHAPE_B.replace(
        "## 🏆 Results", '## ![trophy](https://example.com/1f3c6.png?v=6 "trophy")  Results:'
    ).replace("## 🌟 Direction", "### DIRECTION ###")
    assert parse_ladder(text) == parse_ladder(SHAPE_B)


def test_expectation_names_match_ignoring_case_markup_and_colons():
    text = (
        SHAPE_B.replace("**Scope**", "**scope:**")
        .replace("**Collaborative Reach**", "**Collaborative**  **Reach**")
        .replace("**Impact Levers**", "__IMPACT LEVERS__:")
    )
    assert parse_ladder(text) == parse_ladder(SHAPE_B)


def test_expectations_may_also_be_headings():
    text = SHAPE_B.replace("**Scope**", "## 🔭 Scope").replace(
        "**Collaborative Reach**", "## Collaborative Reach"
    )
    assert parse_ladder(text) == parse_ladder(SHAPE_B)


def test_deeper_heading_inside_a_pillar_names_a_responsibility():
    text = SHAPE_B.replace("**Impact**", "### Impact").replace("**Ownership**", "### Ownership:")
    assert parse_ladder(text) == parse_ladder(SHAPE_B)


def test_explicit_keys_replace_derived_ones_and_are_removed_from_text():
    text = SHAPE_B.replace(
        "- I execute projects to a high standard",
        "- I execute projects to a high standard <!-- key: execution.v2 -->",
    ).replace("- I deliver multi-team goals", "- I deliver multi-team goals <!--key:scope-9-->")
    doc = parse_ladder(text)
    impact = area_doc(doc, "results").responsibilities[0]
    assert [(b.text, b.key) for b in impact.behaviours] == [
        ("I identify opportunities that have team-wide impact", "impact-1"),
        ("I execute projects to a high standard", "execution.v2"),
    ]
    assert [b.key for b in area_doc(doc, "scope").behaviours] == ["scope-9", "scope-2"]


def test_explicit_track_comment_overrides_the_derived_track():
    text = SHAPE_B.replace(
        "# IC4 Machine Learning Engineer\n",
        "# IC4 Machine Learning Engineer\n<!-- track: Applied  Science -->\n",
    )
    assert parse_ladder(text).track == "Applied Science"


def test_other_html_comments_and_thematic_breaks_are_ignored():
    text = SHAPE_B.replace(
        "## 🌟 Direction", "<!-- reviewed by the ladder team -->\n\n---\n\n## Direction"
    )
    assert parse_ladder(text) == parse_ladder(SHAPE_B)


def test_level_code_is_uppercased_and_may_be_followed_by_a_separator():
    text = SHAPE_B.replace("# IC4 Machine Learning Engineer", "# ic4: Machine Learning Engineer")
    doc = parse_ladder(text)
    assert (doc.code, doc.title) == ("IC4", "Machine Learning Engineer")


def test_markup_in_bullets_is_cleaned_but_wording_kept():
    text = SHAPE_B.replace(
        "- I write clear code",
        r"- I write **clear**, _well-tested_ code in snake_case \- *always*<br>even on 2*3 days",
    )
    assert texts(area_doc(parse_ladder(text), "craft"))[-1] == (
        "I write clear, well-tested code in snake_case - always even on 2*3 days"
    )


def test_missing_summary_gives_an_empty_one():
    text = SHAPE_B.replace(
        "***I deliver multi-team goals and shape the technical direction of my area***\n", ""
    )
    assert parse_ladder(text).summary == ""


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("**Code** **F****luency**", "Code Fluency"),
        ("**Key** **B****ehaviors**", "Key Behaviors"),
        ("**Collaborative**  **Reach**", "Collaborative Reach"),
        (
            "**_I set the multi-year_**  **_technical strategy_**",
            "I set the multi-year technical strategy",
        ),
        (r"Product Expertise \- I increasingly", "Product Expertise - I increasingly"),
        ("snake_case and a_b_c stay", "snake_case and a_b_c stay"),
        (r"escaped \*stars\* and \_underscores\_", "escaped *stars* and _underscores_"),
        ("a * b _ c", "a * b _ c"),
        ("one<br>two<BR/>three<br />four", "one two three four"),
        ("text <!-- note --> more", "text more"),
        ('![owl](https://x/1f989.png "owl")  Craft', "Craft"),
        ("  spaced \t out\n text  ", "spaced out text"),
        ("team’s “quoted” — dash", "team’s “quoted” — dash"),
        (r"ends with a backslash \\", "ends with a backslash \\"),
        (r"a lone \ backslash", r"a lone \ backslash"),
        (r"\<br> is text", "<br> is text"),
    ],
)
def test_clean_inline_removes_markup_but_not_words(raw, clean):
    assert clean_inline(raw) == clean


def test_normalise_text_collapses_paragraphs_and_whitespace():
    assert normalise_text("  one\n two  \n\n\n  three\t\r\n  \r\n\nfour ") == (
        "one two\n\nthree\n\nfour"
    )
    assert normalise_text(" \n ") == ""


@pytest.mark.parametrize(
    ("kind", "responsibility", "index", "key"),
    [
        ("scope", None, 1, "scope-1"),
        ("results", "Impact", 2, "impact-2"),
        ("craft", "ML Fluency", 3, "ml-fluency-3"),
        ("results", "Decision Making", 1, "decision-making-1"),
        ("craft", "  C++ / Rust!  ", 1, "c-rust-1"),
        ("culture", "Équipe naïve", 1, "equipe-naive-1"),
        ("talent", "🌟", 4, "talent-4"),
    ],
)
def test_derived_key_slugs_the_responsibility_or_area(kind, responsibility, index, key):
    assert derived_key(kind, responsibility, index) == key


def test_derived_key_never_exceeds_64_characters():
    key = derived_key("craft", "word " * 40, 12)
    assert len(key) <= 64
    assert key.endswith("-12")
    assert re.fullmatch(r"[a-z0-9][a-z0-9.-]*", key)


@pytest.mark.parametrize(
    ("title", "track"),
    [
        ("Staff Machine Learning Engineer", "Machine Learning"),
        ("Machine Learning Engineer", "Machine Learning"),
        ("Senior Software Engineer", "Software"),
        ("Senior Staff Backend Engineer", "Backend"),
        ("Principal Infrastructure Engineering Manager", "Infrastructure"),
        ("Lead Data Manager", "Data"),
        ("Staff Engineer", "Engineer"),
        ("Product Designer", "Product Designer"),
        ("Engineering Manager", "Engineering Manager"),
        ("Senior Engineering Manager", "Engineering Manager"),
        ("Software Engineer II", "Software"),
        ("Director of Engineering", "Director of Engineering"),
        # Titles of ladders without level codes.
        ("Engineer 1", "Engineer"),
        ("Senior Engineer 2", "Engineer"),
        ("Machine Learning Engineer 2", "Machine Learning"),
        ("Tech Lead", "Tech Lead"),
        ("Senior Tech Lead", "Tech Lead"),
        ("Engineering Fellow", "Engineering"),
        ("Lead Engineer", "Engineer"),
    ],
)
def test_derived_track_strips_seniority_and_role(title, track):
    assert derived_track(title) == track


def test_format_error_names_file_and_line():
    error = LadderFormatError("ic5.md", 7, "something is off")
    assert str(error) == "ic5.md:7: something is off"
    assert (error.filename, error.line, error.message) == ("ic5.md", 7, "something is off")
    assert isinstance(error, ValueError)
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_level_doc_finds_areas_by_kind():
    doc = seed()
    assert doc.area("craft").name == "Craft"
    assert doc.area("reach").name == AREA_NAMES["reach"] == "Collaborative Reach"
    assert doc.area("results").subgrouped
    with pytest.raises(KeyError):
        doc.area("nope")


# --------------------------------------------------------------------------- errors


def parse_error(text: str) -> LadderFormatError:
    with pytest.raises(LadderFormatError) as caught:
        parse_ladder(text, "broken.md")
    error = caught.value
    assert "broken.md" in str(error)
    # Every error is reported, the first one first.
    assert str(error).split("\n")[0] == f"broken.md:{error.line}: {error.message}"
    assert str(error.errors[0]) == f"broken.md:{error.line}: {error.message}"
    return error


def replaced(old: str, new: str, text: str = SHAPE_B) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_text_before_the_level_heading_is_an_error():
    error = parse_error("Some preamble\n\n" + SHAPE_B)
    assert error.line == 1
    assert "level heading" in error.message


def test_empty_file_has_no_level_heading():
    error = parse_error("")
    assert error.line == 1
    assert "no level heading" in error.message


def test_page_with_only_areas_has_no_level_heading():
    text = SHAPE_B.split("\n", 3)[3]  # drop the heading and summary
    error = parse_error(text)
    assert error.line == 2
    assert "level heading" in error.message


def test_level_heading_without_a_code_is_an_error():
    error = parse_error(replaced("# IC4 Machine", "# Machine"))
    assert error.line == 1
    assert "level code" in error.message


def test_level_heading_without_a_title_is_an_error():
    error = parse_error(replaced("# IC4 Machine Learning Engineer", "# IC4"))
    assert error.line == 1
    assert "no title" in error.message


def test_second_level_heading_is_an_error():
    text = replaced("## 🌳 Talent", "# IC6 Something Else\n\n## 🌳 Talent")
    error = parse_error(text)
    assert error.line == line_of(text, "# IC6")
    assert "second level heading" in error.message


def test_unknown_pillar_name_lists_the_allowed_names():
    text = replaced("## 🌟 Direction", "## 🌟 Vision")
    error = parse_error(text)
    assert error.line == line_of(text, "Vision")
    assert "Vision" in error.message
    assert "Results, Direction, Talent, Culture, Craft" in error.message


def test_unknown_name_in_the_expectation_table_header_is_an_error():
    text = replaced("**Impact Levers**<br><br>", "**Impact Leverage**<br><br>", SEED_TEXT)
    error = parse_error(text)
    assert error.line == line_of(text, "Impact Leverage")
    assert "Impact Leverage" in error.message
    assert "Scope, Collaborative Reach, Impact Levers" in error.message


def test_same_area_twice_is_an_error():
    text = replaced("## 🌈 Culture", "## Talent")
    error = parse_error(text)
    assert error.line == line_of(text, "## Talent")
    assert "Talent area appears twice" in error.message


def test_missing_area_is_reported_at_the_last_line():
    text = SHAPE_B[: SHAPE_B.index("## 🌈 Culture")]
    error = parse_error(text)
    assert error.line == last_line_of(text)
    assert "missing area(s): Culture, Craft" in error.message


def test_missing_area_in_a_file_without_final_newline_points_at_its_last_line():
    text = SEED_TEXT[: SEED_TEXT.index("![owl]")].rstrip("\n")
    error = parse_error(text)
    assert error.line == last_line_of(text)
    assert "Craft" in error.message


def test_bullet_before_any_area_is_an_error():
    text = replaced("**Scope**", "- a stray bullet\n\n**Scope**")
    error = parse_error(text)
    assert error.line == line_of(text, "a stray bullet")
    assert "outside any area" in error.message


def test_bullets_before_any_responsibility_get_one_named_after_the_pillar():
    text = replaced("## 🌟 Direction\n", "## 🌟 Direction\n\n- I float freely\n")
    page = parse_page(text, "loose.md")
    first = page.doc.area("direction").responsibilities[0]
    assert first.name == "Direction"
    assert first.behaviours[0].text == "I float freely"
    assert [str(w) for w in page.warnings] == [
        f"loose.md:{line_of(text, 'I float freely')}: bullets in the Direction pillar before "
        "any responsibility; read as a responsibility named 'Direction'"
    ]


def test_responsibility_name_in_an_expectation_area_is_an_error():
    text = replaced(
        "**Collaborative Reach**", "**Influence**\n\n- I influence\n\n**Collaborative Reach**"
    )
    error = parse_error(text)
    assert error.line == line_of(text, "**Influence**")
    assert "not a level expectation" in error.message


def test_table_row_with_the_wrong_number_of_cells_is_an_error():
    text = replaced("| **Ownership** | * I have", "| **Ownership** | extra | * I have", SEED_TEXT)
    error = parse_error(text)
    assert error.line == line_of(text, "| **Ownership** | extra")
    assert "3 cells" in error.message
    assert "header has 2" in error.message


def test_expectation_without_behaviours_is_an_error():
    text = replaced("- I influence the roadmap of my team\n", "")
    error = parse_error(text)
    assert error.line == line_of(text, "**Collaborative Reach**")
    assert "Collaborative Reach area has no behaviours" in error.message


def test_responsibility_without_behaviours_is_an_error():
    text = replaced("- I have a sense of responsibility for my area\n", "")
    error = parse_error(text)
    assert error.line == line_of(text, "**Ownership**")
    assert "'Ownership' has no behaviours" in error.message


def test_pillar_without_responsibilities_is_an_error():
    text = replaced("**Hiring**\n\n- I take part in interviews\n\n", "")
    error = parse_error(text)
    assert error.line == line_of(text, "Talent")
    assert "Talent pillar has no responsibilities" in error.message


def test_empty_bullet_is_an_error():
    text = replaced("- I take part in interviews", "- I take part in interviews\n-")
    error = parse_error(text)
    assert error.line == line_of(text, "I take part in interviews") + 1
    assert "empty bullet" in error.message


def test_empty_bullet_in_a_table_cell_is_an_error():
    text = replaced("| **Ownership** | * I have", "| **Ownership** | * <br><br>* I have", SEED_TEXT)
    error = parse_error(text)
    assert error.line == line_of(text, "| **Ownership** |")
    assert "empty bullet" in error.message


@pytest.mark.parametrize(
    "comment",
    [
        "<!-- key: Upper-Case -->",
        "<!-- key: -->",
        "<!-- key -->",
        "<!-- key: two words -->",
        "<!-- key: -leading-dash -->",
        f"<!-- key: {'x' * 65} -->",
    ],
)
def test_malformed_key_comment_is_an_error(comment):
    text = replaced("- I write clear code", f"- I write clear code {comment}")
    error = parse_error(text)
    assert error.line == line_of(text, "I write clear code")
    assert "malformed key" in error.message


def test_key_comment_in_the_middle_of_a_bullet_is_an_error():
    text = replaced("- I write clear code", "- I write <!-- key: code --> clear code")
    error = parse_error(text)
    assert error.line == line_of(text, "I write")
    assert "at the very end" in error.message


def test_key_comment_on_its_own_line_is_an_error():
    text = replaced("- I write clear code", "- I write clear code\n<!-- key: code -->")
    error = parse_error(text)
    assert error.line == line_of(text, "<!-- key: code -->")
    assert "key comment" in error.message


def test_duplicate_key_within_an_area_is_an_error():
    text = replaced(
        "- I execute projects to a high standard",
        "- I execute projects to a high standard <!-- key: impact-1 -->",
    )
    error = parse_error(text)
    assert error.line == line_of(text, "I execute projects")
    assert "duplicate key 'impact-1'" in error.message
    assert f"line {line_of(text, 'I identify')}" in error.message


def test_same_responsibility_twice_in_a_pillar_is_merged_with_a_warning():
    text = replaced("**Code Fluency**", "**ML fluency**")
    page = parse_page(text, "twice.md")
    craft = page.doc.area("craft")
    assert [r.name for r in craft.responsibilities] == ["ML Fluency"]
    assert [b.text for b in craft.responsibilities[0].behaviours] == [
        "I am an expert in a range of ML techniques",
        "I write clear code",
    ]
    assert len(page.warnings) == 1
    assert page.warnings[0].line == line_of(text, "**ML fluency**")
    assert "appears again" in page.warnings[0].message


def test_text_after_bullets_is_the_note_of_the_area_or_responsibility():
    text = replaced(
        "- I influence the roadmap of my team\n",
        "- I influence the roadmap of my team\n\nSee [the guide](https://example.com/g).\n",
    )
    text = replaced(
        "- I write clear code\n",
        "- I write clear code\n\n\\* **Clear** means others can change it.\n\nSecond.\n",
        text,
    )
    page = parse_page(text)
    assert page.doc.area("reach").note == "See [the guide](https://example.com/g)."
    fluency = page.doc.area("craft").responsibilities[-1]
    assert fluency.note == "* Clear means others can change it.\n\nSecond."
    assert page.warnings == ()
    assert parse_ladder(render_ladder(page.doc)) == page.doc


def test_text_between_a_responsibility_name_and_its_bullets_is_kept_as_its_note():
    text = replaced("**Ownership**\n", "**Ownership**\nA stray remark.\n")
    page = parse_page(text, "x.md")
    ownership = page.doc.area("results").responsibilities[1]
    assert ownership.note == "A stray remark."
    assert "kept as the responsibility's note" in page.warnings[0].message


def test_numbered_items_are_behaviours_too():
    text = replaced("- I write clear code\n", "- I write clear code\n1. I test what I write\n")
    craft = parse_ladder(text).area("craft")
    assert craft.responsibilities[-1].behaviours[-1].text == "I test what I write"


def test_text_outside_any_area_joins_the_summary_with_a_warning():
    text = replaced("![trophy]", "A stray remark.\n\n![trophy]", SEED_TEXT)
    page = parse_page(text, "seed.md")
    assert page.doc.summary.endswith("A stray remark.")
    assert page.warnings[0].line == line_of(text, "A stray remark.")
    assert "outside any area" in page.warnings[0].message


def test_text_under_a_section_heading_before_the_first_area_joins_the_summary_with_a_warning():
    text = replaced("**Scope**\n", "## Level expectations\n\nRead these first.\n\n**Scope**\n")
    page = parse_page(text, "x.md")
    assert page.doc.summary.endswith("Read these first.")
    warned = [w for w in page.warnings if w.line == line_of(text, "Read these first.")]
    assert len(warned) == 1
    assert "outside any area" in warned[0].message


def test_every_error_of_a_page_is_reported():
    text = replaced(
        "- I have a sense of responsibility for my area\n",
        "- I have a sense of responsibility for my area <!-- key: Bad Key -->\n",
    )
    text = text[: text.index("## 🌈 Culture")]
    error = parse_error(text)
    assert [e.line for e in error.errors] == [
        line_of(text, "Bad Key"),
        last_line_of(text),
    ]
    assert "malformed key comment" in error.errors[0].message
    assert "missing area(s): Culture, Craft" in error.errors[1].message


def test_nul_byte_is_an_error():
    text = replaced("- I take part", "- I take\x00 part")
    error = parse_error(text)
    assert error.line == line_of(text, "I take\x00")
    assert "NUL" in error.message


def test_track_comment_after_the_first_area_is_an_error():
    text = replaced("## 🌳 Talent", "<!-- track: Research -->\n\n## 🌳 Talent")
    error = parse_error(text)
    assert error.line == line_of(text, "track: Research")
    assert "before the first area" in error.message


def test_track_given_twice_is_an_error():
    text = replaced(
        "# IC4 Machine Learning Engineer\n",
        "# IC4 Machine Learning Engineer\n<!-- track: A -->\n<!-- track: B -->\n",
    )
    error = parse_error(text)
    assert error.line == 3
    assert "track is given twice" in error.message


# --------------------------------------------------------------------------- rendering


def test_rendered_seed_is_clean_markdown():
    rendered = render_ladder(seed())
    assert rendered.startswith(
        "# IC5 Staff Machine Learning Engineer\n\n***I set the multi-year, multi-team"
    )
    assert rendered.endswith("consultation with principal engineers\n")
    assert "<!--" not in rendered  # keys and track are all derived
    assert "\\" not in rendered  # nothing in the seed needs escaping
    assert "\n\n\n" not in rendered
    for heading in [
        "## 🏆 Results",
        "## 🌟 Direction",
        "## 🌳 Talent",
        "## 🌈 Culture",
        "## 🦉 Craft",
    ]:
        assert f"\n{heading}\n\n" in rendered
    assert (
        "\n**Scope**\n_Area of ownership and level of autonomy / ambiguity_\n\n- I deliver"
        in rendered
    )
    assert (
        "\n**Code Fluency**\n\n- The expectations for code fluency do not go up beyond L3.\n"
        in rendered
    )


def test_seed_survives_render_and_parse():
    first = seed()
    rendered = render_ladder(first)
    assert parse_ladder(rendered) == first
    assert render_ladder(parse_ladder(rendered)) == rendered


def test_shape_b_page_renders_back_to_itself():
    assert render_ladder(parse_ladder(SHAPE_B)) == SHAPE_B


def test_render_writes_key_comments_only_for_non_derived_keys():
    doc = parse_ladder(SHAPE_B)
    craft = doc.area("craft")
    changed = ResponsibilityDoc("Code Fluency", (BehaviourDoc("I write clear code", "clear-code"),))
    areas = tuple(
        AreaDoc("craft", a.description, (), (a.responsibilities[0], changed)) if a is craft else a
        for a in doc.areas
    )
    rendered = render_ladder(LevelDoc(doc.code, doc.title, doc.track, doc.summary, areas))
    assert rendered.count("<!--") == 1
    assert "\n- I write clear code <!-- key: clear-code -->\n" in rendered


def test_render_writes_the_track_only_when_it_differs_from_the_title():
    doc = parse_ladder(SHAPE_B)
    assert "track" not in render_ladder(doc)
    moved = LevelDoc(doc.code, doc.title, "Applied Science", doc.summary, doc.areas)
    assert render_ladder(moved).startswith(
        "# IC4 Machine Learning Engineer\n<!-- track: Applied Science -->\n\n"
    )
    assert parse_ladder(render_ladder(moved)) == moved


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("snake_case stays readable", "- snake_case stays readable"),
        ("1. a numbered start", r"- 1\. a numbered start"),
        ("- a dash start", r"- \- a dash start"),
        ("# not a heading", r"- \# not a heading"),
        ("**not bold**", r"- \*\*not bold\*\*"),
        ("_not italic_", r"- \_not italic\_"),
        ("<br> and <!-- x -->", r"- \<br> and \<!-- x -->"),
        ("a | b", r"- a \| b"),
        ("ends with a backslash \\\\", "- ends with a backslash \\\\"),
        ("a \\[bracket\\] kept", "- a \\[bracket] kept"),
        ("a [link](https://x.org/a_b) kept", "- a [link](https://x.org/a_b) kept"),
    ],
)
def test_render_escapes_only_what_would_read_as_markup(text, line):
    doc = parse_ladder(SHAPE_B)
    scope = AreaDoc("scope", "", (BehaviourDoc(text, "scope-1"),))
    changed = LevelDoc(doc.code, doc.title, doc.track, doc.summary, (scope, *doc.areas[1:]))
    rendered = render_ladder(changed)
    assert f"\n{line}\n" in rendered
    assert parse_ladder(rendered) == changed


# --------------------------------------------------------------------------- random round trips

WORDS = [
    "I", "deliver", "goals", "team", "and", "the", "of", "e.g.", "(x)", "L4/L5",
    "*", "**", "***", "_", "__", "snake_case", "a_b_c", "_lead", "trail_", "x*y",
    "\\", "\\\\", "\\*", "\\_", "back\\slash", "\\-", "<br>", "<BR/>", "<br />",
    "<!--", "-->", "<!-- -->", "<!-- key: x -->", "<!-- track: y -->", "<b>", "a<b",
    "#", "##", "C#", "|", "a|b", "`", "``code``", "[link](url)", "![img](x.png)",
    "!", "[", "]", "&amp;", "&", ":", "1.", "2)", "-", "+", ">", "=", "===", "---",
    "~~~", "“curly”", "it’s", "‘single’", "—", "–", "naïve", "日本語", "🏆", "🦉",
    "Ünïcode", "Scope", "Results", "Collaborative", "Reach",
]  # fmt: skip
STARTS = ["- ", "* ", "+ ", "1. ", "2) ", "# ", "## ", "> ", "| ", "= ", "=== ", "--- ",
          "**", "*", "_", "__", "<br>", "<!-- ", "\\", "![x](y) ", "`", "~ ", ":"]  # fmt: skip
ENDS = ["\\", ":", "**", "_", " -->", "*", "#", " #", "|"]


def random_text(rng: random.Random, low: int = 1, high: int = 8) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))
    if rng.random() < 0.3:
        text = rng.choice(STARTS) + text
    if rng.random() < 0.3:
        text += rng.choice(ENDS)
    assert normalise_text(text) == text, "generated texts must already be normalised"
    return text


def random_rubric_text(rng: random.Random, low: int = 1, high: int = 8) -> str:
    """Behaviour and note texts are stored with their links (see ladder.rubric_text)."""
    text = rubric_text.escape(random_text(rng, low, high))
    if rng.random() < 0.2:
        url = rng.choice(["values.html", "https://example.com/a_b?c=1", "mailto:x@y.z"])
        label = random_text(rng, 1, 3)
        while not clean_inline(label):
            label = random_text(rng, 1, 3)
        text += " " + rubric_text.link(clean_inline(label), url)
    return text


def random_note(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return ""
    return "\n\n".join(random_rubric_text(rng, 1, 12) for _ in range(rng.randint(1, 2)))


def random_paragraphs(rng: random.Random, most: int) -> str:
    return "\n\n".join(random_text(rng, 1, 12) for _ in range(rng.randint(0, most)))


def random_key(rng: random.Random) -> str:
    first = rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
    rest = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789.-") for _ in range(8))
    return first + rest


def random_behaviours(rng, kind, owner):
    behaviours = []
    for index in range(1, rng.randint(1, 4) + 1):
        key = derived_key(kind, owner, index) if rng.random() < 0.8 else random_key(rng)
        behaviours.append(BehaviourDoc(random_rubric_text(rng), key))
    return tuple(behaviours)


def random_area(rng: random.Random, kind: str) -> AreaDoc:
    while True:
        if kind in EXPECTATION_KINDS:
            area = AreaDoc(
                kind,
                random_paragraphs(rng, 2),
                random_behaviours(rng, kind, None),
                note=random_note(rng),
            )
        else:
            names = [random_text(rng, 1, 3) for _ in range(rng.randint(1, 4))]
            responsibilities = tuple(
                ResponsibilityDoc(name, random_behaviours(rng, kind, name), random_note(rng))
                for name in names
            )
            area = AreaDoc(kind, random_paragraphs(rng, 3), (), responsibilities)
            if len({name.casefold() for name in names}) < len(names):
                continue
        keys = [b.key for b in area.all_behaviours]
        if len(set(keys)) == len(keys):
            return area


def random_level(rng: random.Random) -> LevelDoc:
    title = random_text(rng, 1, 5)
    return LevelDoc(
        code=rng.choice(["IC", "M", "E", "L", "SWE"]) + str(rng.randint(1, 12)),
        title=title,
        track=derived_track(title) if rng.random() < 0.5 else random_text(rng, 1, 3),
        summary=random_text(rng, 1, 15) if rng.random() < 0.85 else "",
        areas=tuple(random_area(rng, kind) for kind in AREA_KINDS),
    )


def test_random_documents_survive_render_and_parse():
    rng = random.Random(20240601)
    for number in range(200):
        doc = random_level(rng)
        rendered = render_ladder(doc)
        assert parse_ladder(rendered, f"random-{number}.md") == doc, (
            f"document {number}:\n{rendered}"
        )
        assert render_ladder(parse_ladder(rendered)) == rendered


def test_an_area_of_more_behaviours_than_the_limit_is_an_error():
    bullets = "".join(f"- I do thing {n}\n" for n in range(MAX_BEHAVIOURS_PER_AREA + 1))
    text = replaced("- I influence the roadmap of my team\n", bullets)
    error = parse_error(text)
    assert error.line == line_of(text, "**Collaborative Reach**")
    assert f"{MAX_BEHAVIOURS_PER_AREA + 1:,} behaviours" in error.message


@pytest.mark.parametrize(
    "shape", ["<!--", "![", "[a](", "[a](x", "![a](", "\\[", "<br", "<http://"]
)
def test_inline_markup_is_read_in_time_linear_in_its_length(shape):
    # Unclosed comments, images and links once made each opening rescan the rest of
    # the line: 200 KB took minutes. Compared with an eighth of the text, in one run:
    # linear takes 8 times as long, quadratic 64 times; the margin is for a busy machine.
    def seconds(count: int) -> float:
        # CPU time: the wall clock would count other processes' time on a busy machine.
        started = time.process_time()
        clean_inline(shape * count, links=True)
        return time.process_time() - started

    small = min(seconds(4_000) for _ in range(5))
    large = min(seconds(32_000) for _ in range(5))
    assert large < 24 * max(small, 0.001)
