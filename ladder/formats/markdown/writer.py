"""Writing a level as heading-and-list Markdown that the parser reads back unchanged."""

from __future__ import annotations

from ladder.areas import PILLAR_EMOJI
from ladder.formats.document import (
    BehaviourDoc,
    LevelDoc,
    derived_key,
    derived_track,
    in_default_vocabulary,
)
from ladder.formats.inline import escape_markdown, is_escaped, rubric_markdown


def _render_name(name: str) -> str:
    return f"**{_without_trailing_colon(escape_markdown(name))}**"


def _heading(mark: str, name: str) -> str:
    return f"{mark} {_without_trailing_colon(escape_markdown(name, heading=True))}"


def _without_trailing_colon(escaped: str) -> str:
    """An unescaped trailing colon is dropped when a name is read: escape it."""
    if escaped.endswith(":") and not is_escaped(escaped, len(escaped) - 1):
        return escaped[:-1] + "\\:"
    return escaped


def _render_bullets(area_key: str, owner: str | None, behaviours: tuple[BehaviourDoc, ...]) -> str:
    lines = []
    for index, behaviour in enumerate(behaviours, 1):
        line = f"- {rubric_markdown(behaviour.text, line_start=True)}"
        if behaviour.key != derived_key(area_key, owner, index):
            line += f" <!-- key: {behaviour.key} -->"
        lines.append(line)
        lines.extend(
            f"  - {rubric_markdown(example, line_start=True)}" for example in behaviour.examples
        )
    return "\n".join(lines)


def _render_note(note: str) -> list[str]:
    """A note's paragraphs, written after the bullets they follow."""
    return [rubric_markdown(p, line_start=True) for p in note.split("\n\n") if p]


def render_ladder(level: LevelDoc) -> str:
    """Write a level page as heading-and-list Markdown that parse_ladder reads back unchanged."""
    if not in_default_vocabulary(level):
        return render_own(level)
    heading = f"# {level.code} {escape_markdown(level.title, heading=True)}"
    if level.track != derived_track(level.title):
        heading += f"\n<!-- track: {escape_markdown(level.track).replace('>', '\\>')} -->"
    blocks = [heading]
    if level.summary:
        blocks.append(f"***{escape_markdown(level.summary)}***")
    for area in level.areas:
        paragraphs = area.description.split("\n\n") if area.description else []
        if area.subgrouped:
            emoji = PILLAR_EMOJI.get(area.key)
            blocks.append(f"## {emoji} {area.name}" if emoji else f"## {area.name}")
            blocks.extend(escape_markdown(p, line_start=True) for p in paragraphs)
            for resp in area.responsibilities:
                blocks.append(_render_name(resp.name))
                blocks.append(_render_bullets(area.key, resp.name, resp.behaviours))
                blocks.extend(_render_note(resp.note))
        else:
            italic = [f"_{escape_markdown(p)}_" for p in paragraphs]
            # The first description line sits right under the name, as people write it.
            blocks.append("\n".join([f"**{area.name}**", *italic[:1]]))
            blocks.extend(italic[1:])
            blocks.append(_render_bullets(area.key, None, area.behaviours))
            blocks.extend(_render_note(area.note))
    return "\n\n".join(blocks) + "\n"


def render_own(level: LevelDoc) -> str:
    """A level of a company's own framework, in the shape ``tiers.TierReader`` reads: areas
    as headings (under their groups' headings, said so in the front matter), sub-groups
    as bold lines, examples as bullets nested under their behaviour."""
    blocks = []
    if level.groups:
        blocks.append("---\ngrouping: categories\n---")
    heading = f"# {level.code} {escape_markdown(level.title, heading=True)}"
    if level.track != derived_track(level.title):
        heading += f"\n<!-- track: {escape_markdown(level.track).replace('>', '\\>')} -->"
    blocks.append(heading)
    if level.summary:
        blocks.append(f"***{escape_markdown(level.summary)}***")
    descriptions = {group.name: group.description for group in level.groups}
    mark = "###" if level.groups else "##"
    group = None
    for area in level.areas:
        if level.groups and area.group != group:
            group = area.group
            blocks.append(_heading("##", group))
            blocks.extend(_italic(descriptions.get(group, "")))
        if area.name:  # else the level's behaviours in no area: a flat list
            blocks.append(_heading(mark, area.name))
        blocks.extend(_italic(area.description))
        if area.subgrouped:
            for sub in area.responsibilities:
                blocks.append(_render_name(sub.name))
                blocks.append(_render_bullets(area.key, sub.name, sub.behaviours))
                blocks.extend(_render_note(sub.note))
        else:
            if area.behaviours:
                blocks.append(_render_bullets(area.key, None, area.behaviours))
            blocks.extend(_render_note(area.note))
    return "\n\n".join(blocks) + "\n"


def _italic(text: str) -> list[str]:
    return [f"_{escape_markdown(p)}_" for p in text.split("\n\n") if p]
