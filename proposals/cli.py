"""The `proposals` command line: parses arguments, calls the API, maps errors to exit codes.

Exit codes: 0 ok, 1 build failed (or warnings under --strict), 2 invalid input or usage.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

import click

from .builtin import BUILTIN
from .version import __version__

EPILOG_EXIT = "Exit codes: 0 ok, 1 build failed (or warnings under --strict), 2 invalid input or usage."


def _workspace_option(f):
    return click.option(
        "--workspace",
        "-w",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Workspace folder (holds catalog/, deals/, templates/).",
    )(f)


def _strict_option(f):
    return click.option("--strict", is_flag=True, help="Fail (exit 1) when there are warnings; for CI.")(f)


@click.group(epilog=EPILOG_EXIT)
@click.version_option(__version__, prog_name="proposals")
def cli() -> None:
    """Priced offers and draft contracts (PDF and DOCX) from a service catalog and deal files.

    \b
    Example:
      proposals check
      proposals build deals/acme-maschinenbau.yaml
    """


def _time_limit_option(f):
    """``--time-limit`` (passed on) and ``--memory-limit`` (set for the rendering processes started later)."""
    f = click.option("--memory-limit", type=click.IntRange(min=128), default=1024, show_default=True, expose_value=False, is_eager=True,
                     callback=lambda ctx, param, value: _set_memory_limit(value), help="MiB of memory each rendering process may use before it is stopped.")(f)
    return click.option("--time-limit", type=click.FloatRange(min=1), default=60, show_default=True, help="Seconds each document (or clause check) may take before it is stopped.")(f)


def _set_memory_limit(megabytes: int) -> None:
    from .runtime.processes import set_memory_limit

    set_memory_limit(megabytes)


@cli.command(epilog=EPILOG_EXIT)
@_workspace_option
@_time_limit_option
@_strict_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="json: one object per problem, for CI annotations.")
def check(workspace: Path, time_limit: float, strict: bool, output_format: str) -> None:
    """Validate the seller profile, the catalog, every deal, every template and clause; report every problem.

    Templates are parsed (syntax, unknown variables) and rendered against every
    deal without writing anything (undefined values, clause references and
    conditions, HTML outside the document vocabulary, missing images).

    \b
    Example:
      proposals check --workspace .
      proposals check --strict --format json
    """
    from .errors import ProposalsError

    try:
        ws, warnings = _check(workspace, time_limit)
    except ProposalsError as exc:
        if output_format == "json":
            _problems_json(exc.problems)
            raise click.exceptions.Exit(exc.exit_code)
        raise
    warnings = sorted(warnings, key=lambda p: p.sort_key())
    if output_format == "json":
        _problems_json(warnings)
        raise click.exceptions.Exit(1 if strict and warnings else 0)
    _report(warnings, strict)
    click.echo(f"ok: seller profile, {len(ws.services)} services in {len(ws.catalog_files)} catalog files, {len(ws.deals)} deals")


def _problems_json(problems) -> None:
    import json

    click.echo(json.dumps([
        {"file": p.location.file, "line": p.location.line, "column": p.location.column, "field": p.field, "message": p.message, "kind": p.kind, "severity": p.severity}
        for p in problems
    ], indent=2, ensure_ascii=False))


def _check(workspace: Path, time_limit: float):
    from datetime import date

    from .commands.deal import price_deal, quote_warnings
    from .errors import PricingError, ProblemList, TemplateError
    from .input.loading import load_workspace
    from .commands.records import approval_problems, expiry_warnings
    from .commands.render import check_reference

    ws = load_workspace(workspace)
    check_reference(ws)
    warnings = list(ws.warnings)
    problems = ProblemList()
    priced = []
    for loaded in ws.deals:
        try:
            quote = price_deal(ws, loaded)
        except PricingError as exc:
            problems.extend(exc.problems)
            continue
        warnings += quote_warnings(loaded, quote) + expiry_warnings(loaded, quote, date.today())
        problems.extend(approval_problems(loaded, quote))
        priced.append((loaded, quote))
    problems.raise_if_errors(PricingError)
    found = _contract_problems(ws, priced, time_limit)
    warnings += [p for p in found if p.severity == "warning"]
    ProblemList([p for p in found if p.severity == "error"]).raise_if_errors(TemplateError)
    return ws, warnings


def _start_engines(workspace: Path, paths: list[Path] | None, formats: tuple[str, ...], jobs: int | None):
    """PDF engines for a build or pack (engine.py), one per worker it may use (``paths``: the
    deals named, None for all of deals/); None where processes cannot be forked."""
    from .runtime.engines import engine_count
    from .writers.pdf import start_engines
    from .runtime.workers import can_fork, default_jobs

    if "pdf" not in formats or not can_fork():
        return None
    deals = len(paths) if paths and all(p.suffix in (".yaml", ".yml") for p in paths) else len(list((workspace / "deals").glob("*.yaml")))
    try:
        return start_engines(engine_count(jobs or default_jobs(), deals))
    except OSError:  # no pipes or shared memory here: the workers lay the PDFs out themselves
        return None


@contextlib.contextmanager
def _pdf_engines(workspace: Path, paths: list[Path] | None, formats: tuple[str, ...], jobs: int | None):
    """The command's PDF engines (or None) while it runs: ended when it is done, killed at once if it fails."""
    engines = _start_engines(workspace, paths, formats, jobs)
    try:
        yield engines
    except BaseException:
        if engines is not None:
            engines.close(at_once=True)
        raise
    if engines is not None:
        engines.close()


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deals", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder [default: WORKSPACE/output].")
@click.option("--format", "formats", default="pdf,docx", show_default=True, help="Comma-separated document formats: pdf, docx. quote.json is always written.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes; offer and contract render side by side [default: the number of cores].")
@_time_limit_option
@_strict_option
def build(deals: tuple[Path, ...], workspace: Path, output: Path | None, formats: str, jobs: int | None, time_limit: float, strict: bool) -> None:
    """Build offer and draft contract (PDF, DOCX) and quote.json for DEALS (default: all of deals/).

    Files go to OUTPUT/<offer-number>-r<revision>/. Nothing is written unless every deal is valid.

    \b
    Example:
      proposals build deals/acme-maschinenbau.yaml
      proposals build --format pdf
    """
    chosen = _formats(formats)
    paths = [_deal_path(workspace, d) for d in deals] if deals else None
    with _pdf_engines(workspace, paths, chosen, jobs) as engines:  # first: they import WeasyPrint while this process imports and loads
        from .commands.build import render_all
        from .commands.output import write_built
        from .commands.render import check_reference
        from .errors import InputError, UsageError
        from .input.loading import load_workspace
        from .commands.records import verify_records

        ws = load_workspace(workspace, paths)
        if not ws.deals:
            raise UsageError(f"no deals found in {workspace / 'deals'}")
        check_reference(ws, chosen)
        rendered, warnings = render_all(ws, ws.deals, chosen, time_limit, jobs, engines)
    # Under --strict, warnings fail the run before anything is written.
    _report(sorted(ws.warnings + warnings, key=lambda p: p.sort_key()), strict)
    target = output or workspace / "output"
    problems, recorded = verify_records(ws, rendered, target)
    if problems:
        raise InputError(problems)
    for built in rendered:
        if built.folder in recorded:
            click.echo(f"verified {target / built.folder}: identical to the issued record, left untouched")
    for folder in write_built(ws, [b for b in rendered if b.folder not in recorded], target):
        click.echo(f"built {folder}: {', '.join(sorted(p.name for p in folder.iterdir()))}")
    for note in (n for deal in rendered for n in deal.notes):
        click.echo(note)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deal", type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print the Quote as JSON (internal: with costs and guardrail findings).")
@_strict_option
def quote(deal: Path, workspace: Path, as_json: bool, strict: bool) -> None:
    """Price DEAL and print the quote: lines, tiers, totals, VAT, schedule, guardrail findings.

    \b
    Example:
      proposals quote deals/acme-maschinenbau.yaml
      proposals quote --json deals/hafenlogistik.yaml
    """
    import json

    from .commands.deal import price_deal, quote_warnings
    from .input.loading import load_workspace
    from .commands.quote_table import render_table
    from .writers.json import quote_document

    ws = load_workspace(workspace, [_deal_path(workspace, deal)])
    loaded = ws.deals[0]
    priced = price_deal(ws, loaded)
    if as_json:
        click.echo(json.dumps(quote_document(priced, internal=True), indent=2, ensure_ascii=False))
    else:
        click.echo(render_table(priced, loaded.model.title), nl=False)
    _report(ws.warnings + quote_warnings(loaded, priced), strict)


def _contract_problems(ws, priced, time_limit: float) -> list:
    """Templates linted and rendered against every deal in time-limited workers (a template may
    run away); the lint runs alongside the rendering, so one run reports everything it can."""
    from .commands.check import check_documents
    from .runtime.workers import default_jobs

    return check_documents(ws, priced, time_limit, default_jobs())


@cli.command(epilog=EPILOG_EXIT)
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff(old: Path, new: Path, workspace: Path, as_json: bool) -> None:
    """What changed from deal file OLD to deal file NEW: lines, totals, schedule, terms, clauses.

    \b
    Example:
      proposals diff deals/history/acme-maschinenbau-r1.yaml deals/acme-maschinenbau.yaml
    """
    import json

    from .commands.deal import previous_record_note
    from .commands.revisions import changes_between
    from .input.loading import load_workspace
    from .commands.revisions import as_data, render_text

    ws = load_workspace(workspace, [_deal_path(workspace, old), _deal_path(workspace, new)])
    before, after = ws.deals
    changes = changes_between(ws, before, after)
    for note in previous_record_note(ws, before):
        click.echo(f"note: {note}", err=True)
    if as_json:
        click.echo(json.dumps(as_data(changes), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(changes, after.model.locale or ws.seller.model.default_locale), nl=False)


@cli.command(epilog=EPILOG_EXIT, context_settings={"ignore_unknown_options": False})
@click.argument("deals", nargs=-1, type=click.Path(path_type=Path))
@_workspace_option
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help="Output folder [default: WORKSPACE/output]; for 'pack merge', the merged manifest file.")
@click.option("--format", "formats", default="pdf,docx", show_default=True, help="Comma-separated document formats: pdf, docx.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: the number of cores].")
@click.option("--keep-going", is_flag=True, help="Build the valid deals and report the failed ones (exit 1).")
@click.option("--force", is_flag=True, help="Rebuild deals whose inputs are unchanged since the last pack.")
@click.option("--shard", default=None, metavar="K/N", help="Build only shard K of N (stable by deal path), for CI matrices.")
@click.option("--zip", "make_zip", is_flag=True, help="Also write pack.zip (normalised, reproducible).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@_time_limit_option
@_strict_option
def pack(deals, workspace, output, formats, jobs, keep_going, force, shard, make_zip, as_json, time_limit, strict):
    """Build many deals (default: all of deals/) in parallel, incrementally, into one pack.

    Every deal is validated and priced before anything is written. `pack merge
    MANIFEST... -o FILE` joins the manifests of shards into one.

    \b
    Example:
      proposals pack --jobs 2 --zip
      proposals pack --shard 1/3 -o out/shard1
      proposals pack merge out/shard1 out/shard2 out/shard3 -o out/pack-manifest.json
    """
    if deals and str(deals[0]) == "merge":
        return _merge(list(deals[1:]), output)
    _pack(deals, workspace, output, formats, jobs, keep_going, force, shard, make_zip, as_json, time_limit, strict)


def _merge(manifests, output) -> None:
    from .errors import UsageError
    from .commands.pack import merge

    if not manifests or output is None:
        raise UsageError("pack merge needs shard manifests (or their folders) and -o FILE")
    click.echo(f"merged {len(manifests)} manifests into {merge(manifests, output)}")


def _pack(deals, workspace, output, formats, jobs, keep_going, force, shard, make_zip, as_json, time_limit, strict) -> None:
    import json

    chosen = _formats(formats)
    parts = _shard(shard)
    with _pdf_engines(workspace, list(deals) or None, chosen, jobs) as engines:  # first, as for build
        from .runtime.workers import default_jobs
        from .errors import UsageError
        from .input.loading import relative_name
        from .commands.pack import deal_paths, in_shard, load_valid, pack as build_pack
        from .commands.render import check_reference

        paths = [p for p in deal_paths(workspace, list(deals)) if in_shard(relative_name(workspace, p), parts)]
        if not paths and parts is None:
            searched = ", ".join(str(d) for d in deals) if deals else str(workspace / "deals")
            raise UsageError(f"no deals (*.yaml) found in {searched}")
        ws, invalid = load_valid(workspace, paths, keep_going)
        check_reference(ws, chosen)
        _report(ws.warnings, strict=False)
        show = _progress(as_json, len(paths))
        result = build_pack(ws, output or workspace / "output", chosen, jobs=jobs or default_jobs(), keep_going=keep_going, force=force,
                            time_limit=time_limit, make_zip=make_zip, strict=strict, invalid=invalid, on_result=show, engines=engines)
    if as_json:
        click.echo(json.dumps(_summary(result), indent=2))
    warnings = [w for r in result.results for w in r.warnings]
    for line in warnings:
        click.echo(line, err=True)
    if result.failed:
        for r in result.failed:
            for problem in r.problems:
                click.echo(problem, err=True)
        click.echo(f"failed: {len(result.failed)} of {len(result.results)} deals", err=True)
        raise click.exceptions.Exit(1)
    if strict and warnings:
        click.echo(f"failed: {len(warnings)} warnings under --strict", err=True)
        raise click.exceptions.Exit(1)


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


def _progress(as_json: bool, total: int):
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


def _summary(result) -> dict:
    return {
        "schema": "proposals.pack-summary/1",
        "manifest": str(result.manifest) if result.manifest else None,
        "zip": str(result.zip) if result.zip else None,
        "deals": [
            {"deal": r.deal, "folder": r.folder, "status": r.status, "files": r.files, "warnings": r.warnings, "problems": r.problems, "seconds": r.seconds}
            for r in result.results
        ],
    }


@cli.command(epilog=EPILOG_EXIT)
@click.argument("kind", type=click.Choice(["deal", "catalog", "seller"]), required=False)
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Write deal.schema.json, catalog.schema.json and seller.schema.json into this folder.")
def schema(kind: str | None, output: Path | None) -> None:
    """JSON Schema of the deal, catalog or seller files, for editors that check YAML as you type.

    \b
    Example:
      proposals schema deal > deal.schema.json
      proposals schema -o .schemas
    """
    from .errors import UsageError
    from .input.schema import KINDS, dumps

    if output is None:
        if kind is None:
            raise UsageError("name a kind (deal, catalog, seller) or give -o FOLDER")
        click.echo(dumps(kind), nl=False)
        return
    output.mkdir(parents=True, exist_ok=True)
    for name in [kind] if kind else KINDS:
        (output / f"{name}.schema.json").write_text(dumps(name), encoding="utf-8")
        click.echo(f"wrote {output / f'{name}.schema.json'}")


@cli.command(epilog=EPILOG_EXIT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Create a new workspace in FOLDER: seller profile, catalog, one deal, template overrides, CI workflow.

    It builds at once; replace the example data with yours.

    \b
    Example:
      proposals init my-offers && cd my-offers && proposals build
    """
    import shutil

    from .errors import UsageError

    source = BUILTIN / "scaffold"
    if folder.exists() and any(folder.iterdir()):
        raise UsageError(f"{folder} is not empty; init writes only into a new or empty folder")
    try:
        shutil.copytree(source, folder, dirs_exist_ok=True)
        (folder / "gitignore").rename(folder / ".gitignore")  # a dot-file would be left out of the package data
    except OSError as exc:
        raise UsageError(f"cannot create the workspace in {folder}: {exc.strerror}") from None
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        click.echo(f"created {path}")
    click.echo(f"next: cd {folder} && proposals check && proposals build")


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deal", type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--port", type=click.IntRange(0, 65535), default=8017, show_default=True, help="Port on 127.0.0.1 (0: any free port).")
@click.option("--time-limit", type=click.FloatRange(min=1), default=30, show_default=True, help="Seconds a render may take.")
def preview(deal: Path, workspace: Path, port: int, time_limit: float) -> None:
    """Serve a live preview of DEAL's offer and contract on 127.0.0.1; it refreshes when a file is saved.

    \b
    Example:
      proposals preview deals/acme-maschinenbau.yaml
    """
    from .commands.preview import serve

    path = _deal_path(workspace, deal)
    try:
        serve(workspace, path.resolve().relative_to(workspace.resolve()), port, time_limit, ready=lambda url: click.echo(f"preview of {deal} at {url} (Ctrl-C to stop)"))
    except KeyboardInterrupt:
        click.echo("stopped")
    except OSError as exc:
        from .errors import UsageError

        raise UsageError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None


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


def _report(warnings, strict: bool) -> None:
    from .errors import ProposalsError

    for warning in warnings:
        click.echo(str(warning), err=True)
    if strict and warnings:
        error = ProposalsError(warnings)
        raise click.exceptions.Exit(_fail(error, quiet=True))


def _fail(error, quiet: bool = False) -> int:
    if not quiet:
        for problem in error.problems:
            click.echo(str(problem), err=True)
    count = len([p for p in error.problems if p.severity == "error"]) or len(error.problems)
    click.echo(f"failed: {count} problem{'s' if count != 1 else ''}", err=True)
    return error.exit_code


def _internal_error(exc: BaseException) -> int:
    path = Path(tempfile.gettempdir()) / f"proposals-internal-error-{datetime.now():%Y%m%d-%H%M%S}.txt"
    try:
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        where = f"details saved to {path}"
    except OSError:
        where = "details could not be saved"
    line = f"internal error (a bug in proposals {__version__}): {type(exc).__name__}; {where}"
    from .errors import note_internal_error

    note_internal_error(line)
    click.echo(line, err=True)
    return 1


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code: no traceback for user mistakes, one line for bugs."""
    from .errors import ProposalsError

    try:
        # Without standalone mode click returns the code of a click.exceptions.Exit.
        code = cli.main(args=argv, prog_name="proposals", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except ProposalsError as exc:
        return _fail(exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        return _internal_error(exc)


def main() -> None:
    """Console entry point."""
    import os

    # The command uses no pydantic plugins; looking for them reads the metadata of every
    # installed package (about 10 ms of each command). A value set by the user is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(run())
