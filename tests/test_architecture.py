"""The house stays as docs/ARCHITECTURE.md draws it: stages in one order, imports only
downwards, no import circles, no module over 400 lines.

The stage order is read from the architecture page itself, so the page and the
code cannot disagree. Every import counts: at module level, inside functions
(the lazy ones) and under ``if TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from .conftest import REPO

PACKAGE = REPO / "proposals"
PAGE = REPO / "docs" / "ARCHITECTURE.md"
MAX_LINES = 400


def stage_order() -> list[list[str]]:
    """The page's numbered list between the stage-order markers: module prefixes per stage, lowest first."""
    text = PAGE.read_text(encoding="utf-8")
    block = re.search(r"<!-- BEGIN STAGE ORDER.*?-->(.*?)<!-- END STAGE ORDER -->", text, re.S)
    assert block, "docs/ARCHITECTURE.md has no stage-order block"
    stages = []
    for line in block.group(1).strip().splitlines():
        names = re.findall(r"`(proposals[\w.]*)`", line.split(":")[0])
        assert re.match(r"\d+\. ", line) and names, f"not a stage line: {line!r}"
        stages.append(names)
    return stages


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {m for m in found if m in known and m != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def stage_of(name: str, stages: list[list[str]]) -> int | None:
    """The stage whose longest prefix names the module (``proposals`` itself only by name)."""
    best: tuple[int, int] | None = None
    for number, prefixes in enumerate(stages):
        for prefix in prefixes:
            matches = name == prefix or (prefix != "proposals" and name.startswith(prefix + "."))
            if matches and (best is None or len(prefix) > best[1]):
                best = (number, len(prefix))
    return best[0] if best else None


def upward(graph: dict[str, set[str]], stages: list[list[str]]) -> list[str]:
    return sorted(f"{a} (stage {stage_of(a, stages) + 1}) imports {b} (stage {stage_of(b, stages) + 1})"
                  for a, targets in graph.items() for b in targets if stage_of(b, stages) > stage_of(a, stages))


def test_every_module_belongs_to_a_stage_of_the_page():
    stages = stage_order()
    assert len(stages) >= 7
    assert [m for m in modules() if stage_of(m, stages) is None] == []


def test_the_package_has_no_import_cycle():
    assert cycles(import_graph()) == []


def test_no_module_imports_from_a_stage_above_its_own():
    assert upward(import_graph(), stage_order()) == []


def test_no_module_is_longer_than_400_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


# The four circles of the flat layout before the stages (issue #24), as the imports ran then.
FLAT_LAYOUT = {
    "proposals.build": {"proposals.records", "proposals.context", "proposals.lint"},
    "proposals.records": {"proposals.build"},
    "proposals.context": {"proposals.records"},
    "proposals.lint": {"proposals.context"},
    "proposals.checks": {"proposals.checks_deal", "proposals.clauses", "proposals.loading"},
    "proposals.checks_deal": {"proposals.checks", "proposals.loading"},
    "proposals.loading": {"proposals.checks"},
    "proposals.clauses": {"proposals.checks_deal"},
    "proposals.engine": {"proposals.isolation"},
    "proposals.isolation": {"proposals.engine"},
    "proposals.pricing": {"proposals.taxes", "proposals.schedule"},
    "proposals.taxes": {"proposals.pricing"},
    "proposals.schedule": {"proposals.pricing"},
}


@pytest.mark.parametrize("members", [
    ["proposals.build", "proposals.context", "proposals.lint", "proposals.records"],
    ["proposals.checks", "proposals.checks_deal", "proposals.clauses", "proposals.loading"],
    ["proposals.engine", "proposals.isolation"],
    ["proposals.pricing", "proposals.schedule", "proposals.taxes"],
])
def test_the_cycle_check_finds_each_circle_of_the_flat_layout(members):
    """Guards the check itself: each of the four circles issue #24 measured is found."""
    assert members in cycles(FLAT_LAYOUT)


def test_the_stage_check_finds_an_import_back_up():
    """Guards the check itself: input.schema importing commands.readme (as it did after the move) is reported."""
    stages = stage_order()
    graph = {"proposals.input.schema": {"proposals.commands.readme"}, "proposals.commands.readme": {"proposals.input.model"}}
    assert upward(graph, stages) == ["proposals.input.schema (stage 3) imports proposals.commands.readme (stage 7)"]
