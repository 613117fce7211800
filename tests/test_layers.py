"""The import layers stay honest: arrows point down only, and nothing goes round in a circle.

Every product module's imports are read with `ast` (imports inside functions included, relative
imports resolved), so a lazy import cannot hide a cycle. The layers, top to bottom:

    front doors   staff console, customer side, admin, commands, config, what-if form
    workflows     staff and customer actions, intake, web submissions, letters, beat jobs
    the case      models, timeline and audit, services (writes), selectors (reads), tokens
    rules         codes of practice, the pure calendar and clocks, the lifecycle table, roles
    delivery      the outbox (knows nothing of complaints)

A module may import from its own layer or any layer below it, never above.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("complaints", "escalation", "notifications", "config")

FRONT, WORKFLOWS, CASE, RULES, DELIVERY = 4, 3, 2, 1, 0
LAYER_NAMES = {4: "front doors", 3: "workflows", 2: "the case", 1: "rules", 0: "delivery"}

# The layer of each module or package; the longest matching prefix wins.
LAYERS: dict[str, int] = {
    "config": FRONT,
    "complaints.staff": FRONT,
    "complaints.portal": FRONT,
    "complaints.api": FRONT,
    "complaints.admin": FRONT,
    "complaints.admin_accounts": FRONT,
    "complaints.management": FRONT,
    "complaints.permissions": FRONT,
    "complaints.downloads": FRONT,
    "complaints.context_processors": FRONT,
    "escalation.admin": FRONT,
    "escalation.forms": FRONT,
    "escalation.management": FRONT,
    "notifications.admin": FRONT,
    "complaints.workflows": WORKFLOWS,
    "complaints.demo": WORKFLOWS,
    "complaints.tasks": WORKFLOWS,
    "escalation.sweeps": WORKFLOWS,
    "escalation.tasks": WORKFLOWS,
    "complaints": CASE,  # models, timeline, services, selectors, tokens, apps
    "complaints.lifecycle": RULES,
    "complaints.formfields": RULES,
    "complaints.templatetags": RULES,
    "escalation": RULES,  # codes of practice, calendar, clocks, roles, selectors, services
    "notifications": DELIVERY,
}

# Pure modules: the standard library and the holiday data only (tests run without Django).
PURE = ("escalation.calendar", "escalation.clocks")
PURE_MAY_IMPORT = frozenset({"holidays", "__future__"})


def module_files(root: Path, packages: Iterable[str]) -> dict[str, tuple[Path, bool]]:
    """{dotted name: (file, is a package)} for every product module (migrations excluded)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if "migrations" in parts:
                continue
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            found[".".join(parts)] = (path, is_package)
    return found


def imported_names(source: str, *, module: str, is_package: bool) -> set[str]:
    """Every dotted name the source imports, anywhere in it; relative imports made absolute.

    `from a import b` yields both `a.b` and `a`: b may be a module or a name defined in a.
    """
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _product_module(name: str, modules: Mapping[str, object]) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(modules: Mapping[str, tuple[Path, bool]]) -> dict[str, set[str]]:
    """{module: the product modules it imports}. `from pkg import mod` counts mod, not pkg."""
    graph: dict[str, set[str]] = {}
    for module, (path, is_package) in modules.items():
        targets: set[str] = set()
        names = imported_names(path.read_text(), module=module, is_package=is_package)
        for name in names:
            target = _product_module(name, modules)
            # `from a import b` where b is a module: the edge is to a.b, not to package a.
            if target is not None and not any(
                other != name and other.startswith(name + ".") and other in modules
                for other in names
            ):
                targets.add(target)
        targets.discard(module)
        graph[module] = targets
    return graph


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Each strongly connected group of two or more modules, as one cycle through it (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 10_000))
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(old_limit)
    return [_cycle_through(group, graph) for group in groups]


def _cycle_through(group: list[str], graph: Mapping[str, Iterable[str]]) -> list[str]:
    """A readable cycle a → b → … → a inside one strongly connected group."""
    members = set(group)
    start = group[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for target in sorted(graph.get(node, ())):
            if target == start:
                return [*paths[node], start]
            if target in members and target not in paths:
                paths[target] = [*paths[node], target]
                frontier.append(target)
    return group  # pragma: no cover - a strongly connected group always has a way back


def layer_of(module: str, layers: Mapping[str, int] = LAYERS) -> int:
    name = module
    while name:
        if name in layers:
            return layers[name]
        name = name.rpartition(".")[0]
    raise KeyError(f"{module} has no declared layer: add it to LAYERS in tests/test_layers.py")


def upward_imports(
    graph: Mapping[str, Iterable[str]], layers: Mapping[str, int] = LAYERS
) -> list[str]:
    return [
        f"{module} ({LAYER_NAMES[layer_of(module, layers)]}) imports {target} "
        f"({LAYER_NAMES[layer_of(target, layers)]})"
        for module in sorted(graph)
        for target in sorted(graph[module])
        if layer_of(target, layers) > layer_of(module, layers)
    ]


# --- the product ---------------------------------------------------------------------------

MODULES = module_files(ROOT, PACKAGES)
GRAPH = import_graph(MODULES)


def test_no_import_cycle_between_product_modules():
    cycles = find_cycles(GRAPH)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_the_outbox_imports_nothing_of_complaints():
    offending = [
        f"{module} imports {target}"
        for module, targets in sorted(GRAPH.items())
        if module.startswith("notifications")
        for target in sorted(targets)
        if target.startswith("complaints")
    ]
    assert not offending, "\n".join(offending)


@pytest.mark.parametrize("module", PURE)
def test_the_calendar_and_clocks_import_only_the_standard_library_and_holidays(module):
    path, is_package = MODULES[module]
    names = imported_names(path.read_text(), module=module, is_package=is_package)
    tops = {name.split(".")[0] for name in names}
    allowed = set(sys.stdlib_module_names) | PURE_MAY_IMPORT
    foreign = sorted(
        name
        for name in names
        if name.split(".")[0] not in allowed
        and not any(name == pure or name.startswith(pure + ".") for pure in PURE)
    )
    # Another pure module is fine (the clocks read the calendar); anything else is not.
    assert not foreign, f"{module} imports {foreign}"
    assert "django" not in tops


def test_every_module_has_a_declared_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_point_down_the_layers_only():
    upward = upward_imports(GRAPH)
    assert not upward, "\n".join(upward)


def test_front_doors_do_not_import_each_other():
    rooms = ("complaints.staff", "complaints.portal", "complaints.api")
    crossing = [
        f"{module} imports {target}"
        for module, targets in sorted(GRAPH.items())
        for room in rooms
        if module.startswith(room + ".") or module == room
        for target in sorted(targets)
        for other in rooms
        if other != room and (target == other or target.startswith(other + "."))
    ]
    assert not crossing, "\n".join(crossing)


def test_every_product_module_says_what_it_is_for():
    silent = [
        module
        for module, (path, _) in sorted(MODULES.items())
        if path.read_text().strip() and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert not silent, "modules without a docstring:\n" + "\n".join(silent)


# --- the checker itself, on tiny synthetic graphs ------------------------------------------


def test_checker_reports_a_cycle_hidden_in_a_function_level_import(tmp_path):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "orders.py").write_text("from shop import invoices\n")
    (package / "invoices.py").write_text("def f():\n    from .orders import thing\n")
    (package / "stock.py").write_text("import shop.orders\n")
    graph = import_graph(module_files(tmp_path, ["shop"]))
    assert graph["shop.invoices"] == {"shop.orders"}
    assert graph["shop.orders"] == {"shop.invoices"}
    assert find_cycles(graph) == [["shop.invoices", "shop.orders", "shop.invoices"]]


def test_checker_finds_no_cycle_in_a_chain():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_checker_reports_an_import_up_the_layers():
    layers = {"app": CASE, "app.views": FRONT, "app.outbox": DELIVERY}
    graph = {"app.outbox": {"app.views"}, "app.views": {"app"}, "app": set()}
    assert upward_imports(graph, layers) == [
        "app.outbox (delivery) imports app.views (front doors)"
    ]


def test_checker_resolves_relative_imports():
    names = imported_names("from ..models import Complaint\n", module="a.b.c", is_package=False)
    assert "a.models" in names and "a.models.Complaint" in names
