"""``proposals check``'s template work: lint every template and render every deal, writing nothing.

Findings are kept in the cache (:mod:`proposals.runtime.cache`) under the
hash of everything that shaped them.
"""

from __future__ import annotations

from pathlib import Path

from ..runtime import cache
from ..runtime.workers import StepLimitHit
from ..errors import Problem, ProposalsError
from ..input.loading import Loaded, Workspace
from ..pricing.quote import Quote
from .render import RenderCrash, _limit_problem, _preload, render_documents


def check_documents(ws: Workspace, priced: list[tuple[Loaded, Quote]], time_limit: float, jobs: int) -> list[Problem]:
    """Lint every template and clause, and render them against every deal with the DOCX
    writer's vocabulary check, writing nothing: syntax, unknown and undefined variables,
    clause problems, HTML outside the vocabulary, missing images.

    The work runs in forked workers under the time limit. Findings are kept in the
    cache (:mod:`proposals.runtime.cache`) under the hash of everything that shaped them,
    so a deal (or the lint) whose inputs did not change since the last check is
    not rendered again.
    """
    from ..runtime import cache
    from ..runtime.workers import run_many
    from .records import manifest_inputs

    found: dict[int, list[Problem]] = {}
    assets = cache.workspace_files(ws.root)
    keys = [cache.key("lint", _template_sources(ws.root))]
    keys += [cache.key("render", ws.relative(loaded.path), manifest_inputs(ws, loaded), _deal_bytes(ws, loaded), assets) for loaded, _ in priced]
    tasks = [("lint", ws, None, None)] + [("render", ws, loaded, quote) for loaded, quote in priced]
    for index, name in enumerate(keys):
        kept = cache.load_problems("check", name)
        if kept is not None:
            found[index] = kept
    todo = [i for i in range(len(tasks)) if i not in found]
    if todo:
        _preload(("docx",))
    for n, result, error in run_many(_check_task, [tasks[i] for i in todo], time_limit, jobs):
        index = todo[n]
        if error is None:
            found[index] = result
        elif isinstance(error, ProposalsError):
            found[index] = list(error.problems)
        elif isinstance(error, StepLimitHit):
            found[index] = [_limit_problem(ws, error)]
            continue  # a limit hit depends on the machine: not kept
        else:
            raise RenderCrash(str(error))
        cache.store_problems("check", keys[index], [p for p in found[index] if p.kind != "cache.unwritable"])
    unique = {str(p): p for i in sorted(found) for p in found[i] + cache.take_warnings()}  # lint and rendering can report one fault alike
    return list(unique.values())


def _deal_bytes(ws: Workspace, loaded: Loaded) -> list[str]:
    """The deal file and its previous revision byte for byte: a finding's line moves with the
    text, and the status the manifest leaves out can change what a template prints."""
    from .records import sha256

    previous = ws.previous_of(loaded)
    return [sha256(p.read_bytes()) for p in [loaded.path] + ([previous.path] if previous else [])]


def _check_task(kind: str, ws: Workspace, loaded: Loaded | None, quote: Quote | None, progress) -> list[Problem]:
    if kind == "lint":
        from ..documents.lint import lint_templates

        return lint_templates(ws.root, progress) + cache.take_warnings()
    return render_documents(ws, loaded, quote, ("docx",), progress, figures=False)[1] + cache.take_warnings()


def _template_sources(root: Path) -> list[tuple[str, str]]:
    """Every workspace template, clause and translation file with the hash of its content."""
    from .records import sha256

    templates = root / "templates"
    files = sorted(p for p in templates.rglob("*") if p.is_file()) if templates.is_dir() else []
    return [(p.relative_to(root).as_posix(), sha256(p.read_bytes())) for p in files]
