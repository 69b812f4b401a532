"""Fixed wording of the documents, per language, from translation files.

Built-in: ``proposals/builtin/locales/<lang>.yaml`` (English and German).
A workspace adds a language or changes wording with
``templates/locales/<lang>.yaml``: its keys override the built-in ones of the
same language. Keys missing in a language fall back to English and are
reported as warnings (``template.missing-translation``), so a new language
can be added without touching code.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..errors import Location, Problem
from ..input.yamlsource import YamlProblem, parse
from ..builtin import BUILTIN

BUILTIN_LOCALES = BUILTIN / "locales"
FALLBACK = "en"


@lru_cache(maxsize=32)
def _read(path: Path, mtime_ns: int, display: str) -> tuple[dict[str, str], tuple[Problem, ...]]:
    try:
        data = parse(path.read_text(encoding="utf-8"), display).data
    except YamlProblem as exc:
        return {}, (exc.problem,)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return {}, (Problem(Location(display, 1, 1), "", "a translation file maps keys to quoted text", "template.translation"),)
    return dict(data), ()


def _table(folder: Path | None, lang: str, display: str) -> tuple[dict[str, str], tuple[Problem, ...]]:
    path = folder / f"{lang}.yaml" if folder is not None else None
    if path is None or not path.is_file():
        return {}, ()
    return _read(path, path.stat().st_mtime_ns, f"{display}/{lang}.yaml")


def _language(lang: str, workspace_templates: Path | None) -> tuple[dict[str, str], list[Problem]]:
    """Built-in wording of one language, overridden by the workspace's."""
    builtin, problems = _table(BUILTIN_LOCALES, lang, "proposals/builtin/locales")
    own, more = _table(workspace_templates / "locales" if workspace_templates else None, lang, "templates/locales")
    return {**builtin, **own}, [*problems, *more]


def load_labels(locale: str, workspace_templates: Path | None = None) -> tuple[dict[str, str], list[Problem]]:
    """The wording for ``locale`` (``de_DE`` -> German) and the problems found on the way."""
    lang = locale.split("_")[0]
    english, problems = _language(FALLBACK, workspace_templates)
    if lang == FALLBACK:
        return english, problems
    wording, more = _language(lang, workspace_templates)
    problems += more
    missing = sorted(k for k in english if k not in wording)
    if missing:
        listed = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        message = f"no {lang} wording for {listed}; English is used"
        problems.append(Problem(Location(f"templates/locales/{lang}.yaml"), "", message, "template.missing-translation", "warning"))
    return {**english, **wording}, problems


def labels_for(locale: str, workspace_templates: Path | None = None) -> dict[str, str]:
    """Just the wording (the build reports the problems)."""
    return load_labels(locale, workspace_templates)[0]
