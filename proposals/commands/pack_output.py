"""What ``proposals pack`` prints: a progress line per deal, the JSON summary, and the
warnings and failures at the end (with the exit code they give)."""

from __future__ import annotations

import json
import sys

import click


def progress(as_json: bool, total: int):
    """A live counter on a terminal; one plain line per deal otherwise (CI logs)."""
    tty = sys.stderr.isatty()
    seen = []

    def show(result, *_):
        seen.append(result)
        if as_json:
            return
        status = "rendered" if result.status == "built" else result.status  # written once every deal has rendered
        line = f"{status:9} {result.folder} ({result.deal}{f', {result.seconds:.1f} s' if result.seconds else ''})"
        if tty:
            click.echo(f"\r[{len(seen)}/{total}] {line}\033[K", err=True, nl=len(seen) == total)
        else:
            click.echo(line)

    return show


def problem_json(p) -> dict:
    """One problem as ``pack --json``, ``build --json`` and ``check --format json`` print it (``SUMMARY_SCHEMA``'s
    ``problem``); ``kind`` is the rule it breaks, for a guardrail finding the id an approval gives."""
    return {"file": p.location.file, "line": p.location.line, "column": p.location.column, "field": p.field, "message": p.message, "kind": p.kind, "severity": p.severity}


def summary(result, problems=()) -> dict:
    """``pack --json``: the manifest, the zip, problems of no single deal, and every deal's outcome."""
    return {
        "schema": "proposals.pack-summary/2",
        "manifest": str(result.manifest) if result.manifest else None,
        "zip": str(result.zip) if result.zip else None,
        "problems": [problem_json(p) for p in problems],
        "deals": [
            {"deal": r.deal, "folder": r.folder, "status": r.status, "files": r.files, "warnings": [problem_json(w) for w in r.warnings],
             "problems": [problem_json(p) for p in r.problems], "seconds": r.seconds}
            for r in result.results
        ],
    }


def built_summary(ws, rendered, recorded) -> dict:
    """``build --json``: the pack's summary of the deals built (or, issued and unchanged, verified)."""
    from .pack import PackResult, _result

    return summary(PackResult([_result(ws, b, "verified" if b.folder in recorded else "built") for b in rendered]))


def failure_summary(deals: list[str], problems) -> dict:
    """``pack --json`` when the pack stopped (invalid input, a changed issued record, a failed deal without
    --keep-going, warnings under --strict): nothing was written; each deal with problems of its own is
    failed, the others not built, and the problems of no single deal (catalog, templates) stand at the top."""
    from .pack import DealResult, PackResult

    mine = {name: [p for p in problems if p.location.file == name] for name in deals}
    results = [DealResult(name, "", "failed" if mine[name] else "not built", problems=mine[name]) for name in sorted(deals)]
    return summary(PackResult(results), [p for p in problems if p.location.file not in mine])


def counts_line(result, seconds: float) -> str:
    """The line that ends a pack's progress: ``pack: 2 built, 3 unchanged, 0 failed in 4.2 s``."""
    statuses = [r.status for r in result.results]
    shown = ["built", "unchanged", *(["verified"] if "verified" in statuses else []), "failed"]  # verified: issued records only
    return f"pack: {', '.join(f'{statuses.count(s)} {s}' for s in shown)} in {seconds:.1f} s"


def finish(result, as_json: bool, strict: bool, seconds: float = 0.0) -> int:
    """The summary (with ``as_json``; else a line of counts), the warnings and the failed deals; the exit
    code: 1 when a deal failed or, under ``strict``, there were warnings, else 0."""
    if as_json:
        click.echo(json.dumps(summary(result), indent=2))
    else:
        click.echo(counts_line(result, seconds), err=sys.stderr.isatty())
    from .terminal import painted

    warnings = [w for r in result.results for w in r.warnings]
    for warning in warnings:
        click.echo(painted(warning), err=True)
    if result.failed:
        for r in result.failed:
            for problem in r.problems:
                click.echo(painted(problem), err=True)
        click.echo(f"failed: {len(result.failed)} of {len(result.results)} deals", err=True)
        return 1
    if strict and warnings:
        click.echo(f"failed: {len(warnings)} warnings under --strict", err=True)
        return 1
    return 0
