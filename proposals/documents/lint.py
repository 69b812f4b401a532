"""Static checks of templates and clauses for ``proposals check``.

Every workspace and built-in template is parsed (syntax errors with file and
line), and every name it reads must be a template-context variable, a name it
sets itself, or one of Jinja's globals; unknown names are reported with the
line of their first use. Rendering every template against every deal (what
``check`` does next) then catches what only data reveals.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from jinja2 import TemplateSyntaxError, meta, nodes

from .context import TemplateContext
from ..errors import Location, Problem
from .templating import BUILTIN_TEMPLATES, make_environment

JINJA_GLOBALS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "super", "self", "varargs", "kwargs", "caller"}
CLAUSE_NAMES = {"clause", "ref", "brought_by"}


def context_names() -> set[str]:
    return {f.name for f in dataclasses.fields(TemplateContext)}


def lint_templates(root: Path, progress=lambda step: None) -> list[Problem]:
    """Syntax errors and unknown variables in every template and clause file
    (``progress`` is told each file's name before it is compiled)."""
    env = make_environment(root / "templates", "en_GB", "EUR")
    problems: list[Problem] = []
    known = context_names() | JINJA_GLOBALS
    for path, display, extra in _sources(root):
        progress(display)
        problems += _lint(env, path, display, known | extra)
    return problems


def _sources(root: Path):
    from ..input.clause_files import BUILTIN_CLAUSES

    workspace = root / "templates"
    for folder, display, pattern, extra in (
        (BUILTIN_TEMPLATES, "proposals/builtin/templates", "*.j2", set()),
        (workspace, "templates", "*.j2", set()),
        (BUILTIN_CLAUSES, "proposals/builtin/clauses", "*/*.md", CLAUSE_NAMES),
        (workspace / "clauses", "templates/clauses", "*/*.md", CLAUSE_NAMES),
    ):
        if folder.is_dir():
            for path in sorted(folder.rglob(pattern) if pattern == "*.j2" else folder.glob(pattern)):
                yield path, f"{display}/{path.relative_to(folder).as_posix()}", extra


def _lint(env, path: Path, display: str, known: set[str]) -> list[Problem]:
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        source = _clause_body(source)
    try:
        tree = env.parse(source, name=display, filename=display)
        unknown = sorted(meta.find_undeclared_variables(tree) - known - _declared(tree))
    except TemplateSyntaxError as exc:  # also unknown filters and tests (TemplateAssertionError)
        return [Problem(Location(display, exc.lineno or 0, 1 if exc.lineno else 0), "", f"template syntax error: {exc.message}", "template.syntax")]
    return [Problem(Location(display, _first_use(tree, name), 1), "", f"unknown variable {name!r}: not in the template context (see TemplateContext)", "template.unknown-variable") for name in unknown]


def _declared(tree) -> set[str]:
    """Every name the template binds anywhere: set, for, with, imports, macros and their arguments."""
    names = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    for node in tree.find_all(nodes.FromImport):
        names |= {name if isinstance(name, str) else name[1] for name in node.names}
    names |= {node.target for node in tree.find_all(nodes.Import)}
    names |= {node.name for node in tree.find_all(nodes.Macro)}
    return names


def _clause_body(source: str) -> str:
    """Blank out a clause file's header, keeping its lines so numbers match the file."""
    lines = source.split("\n")
    if lines and lines[0].strip() == "---" and "---" in [l.strip() for l in lines[1:]]:
        end = 1 + [l.strip() for l in lines[1:]].index("---")
        return "\n" * (end + 1) + "\n".join(lines[end + 1 :])
    return source


def _first_use(tree, name: str) -> int:
    lines = [node.lineno for node in tree.find_all(nodes.Name) if node.name == name and node.ctx == "load"]
    return min(lines) if lines else 0
