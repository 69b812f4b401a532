"""The options and argument checks the commands of :mod:`proposals.cli` share (kept apart so
that cli.py holds the commands themselves)."""

from __future__ import annotations

from pathlib import Path

import click


def _find_workspace(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """As git finds a repository: without --workspace, the nearest folder at or above the current one that
    holds catalog/; a --workspace that is not a folder is named."""
    from click.core import ParameterSource

    if ctx.get_parameter_source(param.name or "") is ParameterSource.DEFAULT:
        here = Path.cwd()
        found = next((folder for folder in (here, *here.parents) if (folder / "catalog").is_dir()), here)
        return value if found == here else found
    if not value.is_dir():
        raise click.BadParameter(f"{value}: no such folder" if not value.exists() else f"{value}: not a folder")
    return value


def _workspace_option(f):
    return click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=Path("."), callback=_find_workspace,
                        help="Workspace folder (holds catalog/, deals/, templates/) [default: the nearest folder at or above this one that holds catalog/].")(f)


def _strict_option(f):
    return click.option("--strict", is_flag=True, help="Fail (exit 1) when there are warnings; for CI.")(f)


def _time_limit_option(f):
    """``--time-limit`` (passed on) and ``--memory-limit`` (set for the rendering processes started later)."""
    f = click.option("--memory-limit", type=click.IntRange(min=128), default=1024, show_default=True, expose_value=False, is_eager=True,
                     callback=lambda ctx, param, value: _set_memory_limit(value), help="MiB of memory each rendering process may use before it is stopped.")(f)
    return click.option("--time-limit", type=click.FloatRange(min=1), default=60, show_default=True, help="Seconds each document (or clause check) may take before it is stopped.")(f)


def _set_memory_limit(megabytes: int) -> None:
    from .runtime.processes import set_memory_limit; set_memory_limit(megabytes)  # noqa: E702


def _deal_path(workspace: Path, given: Path) -> Path:
    """A deal file inside the workspace: as given (from the current folder), else relative to the workspace."""
    from .errors import UsageError

    root = workspace.resolve()
    for candidate in (given, workspace / given):
        if candidate.is_file() and candidate.resolve().is_relative_to(root):
            return candidate
    if given.is_file():
        raise UsageError(f"{given}: the deal file must be inside the workspace {workspace}")
    raise UsageError(f"{given}: no such deal file")


def _formats(formats: str) -> tuple[str, ...]:
    from .errors import UsageError
    from .writers import FORMATS

    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise UsageError(f"unknown format {', '.join(unknown) or '(none)'}; available: {', '.join(FORMATS)}")
    return chosen


def _shard(text: str | None) -> tuple[int, int] | None:
    from .errors import UsageError

    if text is None:
        return None
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text}: write it as K/N, e.g. 2/4") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text}: K must be between 1 and N")
    return k, n
