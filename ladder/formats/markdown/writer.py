"""Writing a level as heading-and-list Markdown that the parser reads back unchanged."""

from __future__ import annotations

from ladder.areas import PILLAR_EMOJI
from ladder.formats.document import BehaviourDoc, LevelDoc, derived_key, derived_track
from ladder.formats.inline import escape_markdown, rubric_markdown


def _render_name(name: str) -> str:
    escaped = escape_markdown(name)
    if escaped.endswith(":"):
        escaped = escaped[:-1] + "\\:"  # an unescaped trailing colon is dropped when parsed
    return f"**{escaped}**"


def _render_bullets(area_key: str, owner: str | None, behaviours: tuple[BehaviourDoc, ...]) -> str:
    lines = []
    for index, behaviour in enumerate(behaviours, 1):
        line = f"- {rubric_markdown(behaviour.text, line_start=True)}"
        if behaviour.key != derived_key(area_key, owner, index):
            line += f" <!-- key: {behaviour.key} -->"
        lines.append(line)
    return "\n".join(lines)


def _render_note(note: str) -> list[str]:
    """A note's paragraphs, written after the bullets they follow."""
    return [rubric_markdown(p, line_start=True) for p in note.split("\n\n") if p]


def render_ladder(level: LevelDoc) -> str:
    """Write a level page as heading-and-list Markdown that parse_ladder reads back unchanged."""
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
