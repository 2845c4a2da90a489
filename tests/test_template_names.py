"""Template names say what they are: files that only define macros sit in a macros/ folder.

Pages are <app>/<page>.html, a page's fragments <app>/<page>_<part>.html beside it, and
the files other templates import macros from <app>/macros/<topic>.html. Nothing else
goes in a macros/ folder. Django looks the error pages and registration/ up by name.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from jinja2 import nodes

pytestmark = pytest.mark.no_database

JINJA2 = Path(settings.BASE_DIR) / "templates" / "jinja2"
ERROR_PAGE = re.compile(r"\d{3}\.html")
# Beside its macros a macro file may import others' and set what they share (rows.html
# builds its answer groups once): none of these writes anything. Comments leave no node.
DEFINITIONS = (nodes.Macro, nodes.FromImport, nodes.Import, nodes.Assign)


def checked_templates() -> list[str]:
    names = []
    for path in sorted(JINJA2.rglob("*.html")):
        parts = path.relative_to(JINJA2).parts
        if parts[0] == "registration" or (len(parts) == 1 and ERROR_PAGE.fullmatch(parts[0])):
            continue
        names.append("/".join(parts))
    return names


def writes_nothing(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Output) and all(
        isinstance(part, nodes.TemplateData) and not part.data.strip() for part in node.nodes
    )


def only_defines_macros(name: str) -> bool:
    body = engines["jinja2"].env.parse((JINJA2 / name).read_text()).body
    return any(isinstance(node, nodes.Macro) for node in body) and all(
        isinstance(node, DEFINITIONS) or writes_nothing(node) for node in body
    )


def test_the_check_tells_a_macro_file_from_a_page():
    assert only_defines_macros("ladder/macros/common.html")
    assert only_defines_macros("assessments/macros/rows.html")
    assert not only_defines_macros("ladder/level.html")
    assert not only_defines_macros("assessments/assessment_saved.html")


@pytest.mark.parametrize("name", checked_templates(), ids=str)
def test_macro_files_and_only_they_sit_in_a_macros_folder(name):
    folders = name.split("/")[:-1]
    if "macros" in folders:
        assert only_defines_macros(name), (
            f"{name} writes more than macros: a page or a fragment of one goes beside its "
            "page, as <app>/<page>.html or <app>/<page>_<part>.html"
        )
    else:
        assert not only_defines_macros(name), (
            f"{name} only defines macros: move it to {folders[0] if folders else '.'}/macros/"
        )
