"""The direction of imports: site → assessments → ladder, and no circles.

Read from the source (every import, those inside functions included, since an import
hidden in a function is still a dependency), so it runs without Django: `make lint`
runs it on its own, and it runs again in the suite.
"""

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_database

ROOT = Path(__file__).resolve().parent.parent
APPS = ("ladder", "assessments")


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


MODULES = project_modules()


def imported_by(name: str) -> set[str]:
    """The project modules one module imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                # A package's __init__ is named after the package: "." is the package.
                up = node.level - (MODULES[name].name == "__init__.py")
                package = name.rsplit(".", up)[0] if up else name
                base = f"{package}.{base}" if base else package
            # `from package import module` depends on the module, not on the package's
            # own __init__; `from module import name` on the module.
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            found.update(submodules or {base})
    return {module for module in found if module in MODULES and module != name}


GRAPH = {name: imported_by(name) for name in MODULES}


def layer(name: str) -> str:
    if name == "ladder.site" or name.startswith("ladder.site."):
        return "site"
    return name.split(".")[0]


# Who may import whom: the site imports the apps, assessments imports ladder.
ALLOWED = {"site": {"site", "assessments", "ladder"}, "assessments": {"assessments", "ladder"}}
ALLOWED["ladder"] = {"ladder"}


def test_imports_point_one_way():
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if layer(target) not in ALLOWED[layer(name)]
    )
    assert wrong == []


def circles() -> list[list[str]]:
    """Groups of modules that import each other, directly or round about (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for target in GRAPH[name]:
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return found


def test_no_modules_import_each_other_round_about():
    assert circles() == []


def test_the_checks_see_imports_inside_functions():
    # Both import inside a function only.
    assert "assessments.sql" in GRAPH["assessments.progress"]
    assert "assessments.models" in GRAPH["assessments.sql"]


# What the file formats may use of the rest of ladder: plain modules, no models.
FORMATS_MAY_USE = {"ladder.areas", "ladder.rubric_text", "ladder.scale", "ladder.spreadsheets"}


def is_format(name: str) -> bool:
    return name == "ladder.formats" or name.startswith("ladder.formats.")


def reached_from(name: str) -> set[str]:
    """Every project module one module imports, directly or round about."""
    seen, todo = set(), [name]
    while todo:
        for target in GRAPH[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def outside_imports(name: str) -> set[str]:
    """The modules outside the project one module imports, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module)
    return {module for module in found if layer(module) not in ALLOWED}


def test_formats_use_no_models():
    formats = [name for name in MODULES if is_format(name)]
    assert "ladder.formats.registry" in formats
    wrong = sorted(
        f"{name} reaches {target}"
        for name in formats
        for target in reached_from(name)
        if not is_format(target) and target not in FORMATS_MAY_USE
    )
    assert wrong == []
    database = sorted(
        f"{name} imports {module}"
        for name in formats + sorted(FORMATS_MAY_USE)
        for module in outside_imports(name)
        if module.startswith(("django.db", "django.contrib")) or module.endswith(".models")
    )
    assert database == []
