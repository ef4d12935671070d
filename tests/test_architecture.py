"""The shape of the code: dependencies point one way and no module imports itself back.

Read from the source with `ast`, so an import inside a function counts as much as one at the top."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "plans", "tickets", "knowledge", "helpcenter")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


MODULES = _project_modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (a module, or a name inside a package's module)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` names the module; `from module import name`, the module.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                found.add(target)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _app(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "helpcenter" and len(parts) > 1 else parts[0]


def test_no_module_imports_itself_back():
    """No import cycle: a depth-first walk never meets a module still on its own path."""
    cycles = []
    state: dict[str, str] = {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(GRAPH[module]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize(
    ("app", "may_not_import"),
    [
        ("accounts", {"plans", "tickets", "knowledge", "helpcenter.demo"}),
        ("plans", {"tickets", "knowledge", "helpcenter.demo"}),
        ("tickets", {"knowledge", "helpcenter.demo"}),
        ("helpcenter.mail", {"accounts", "plans", "tickets", "knowledge", "helpcenter.demo"}),
        ("helpcenter.inbound", {"accounts", "plans", "tickets", "knowledge", "helpcenter.demo"}),
    ],
)
def test_dependencies_point_one_way(app, may_not_import):
    crossing = {
        (module, target)
        for module, targets in GRAPH.items()
        if _app(module) == app
        for target in targets
        if _app(target) in may_not_import
    }
    assert crossing == set()
