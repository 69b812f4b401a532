"""The `proposals` command line: parses arguments, calls the API, maps errors to exit codes.

Exit codes: 0 ok, 1 build failed (or warnings under --strict), 2 invalid input or usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_options import _deal_path, _formats, _shard, _strict_option, _time_limit_option, _workspace_option
from .version import __version__

EPILOG_EXIT = "Exit codes: 0 ok, 1 build failed (or warnings under --strict), 2 invalid input or usage."


@click.group(epilog=EPILOG_EXIT)
@click.version_option(__version__, prog_name="proposals")
@click.option("--no-color", is_flag=True, help="No colour on the terminal (as NO_COLOR=1 does); pipes and CI logs never get any.")
def cli(no_color: bool) -> None:
    """Priced offers and draft contracts (PDF and DOCX) from a service catalog and deal files.

    \b
    Example:
      proposals check
      proposals build deals/acme-maschinenbau.yaml
    """
    from .commands.terminal import settings

    settings["color"] = not no_color


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
    from .commands.workspace_check import check_workspace, checked_line, problems_json
    from .errors import ProposalsError

    try:
        ws, warnings = check_workspace(workspace, time_limit)
    except ProposalsError as exc:
        if output_format == "json":
            click.echo(problems_json(exc.problems))
            raise click.exceptions.Exit(exc.exit_code)
        raise
    if output_format == "json":
        click.echo(problems_json(warnings))
        raise click.exceptions.Exit(1 if strict and warnings else 0)
    _report(warnings, strict)
    click.echo(checked_line(ws))


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deals", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder [default: WORKSPACE/output].")
@click.option("--format", "formats", default="pdf,docx", show_default=True, help="Comma-separated document formats: pdf, docx. quote.json is always written.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes; offer and contract render side by side [default: the number of cores].")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary (the shape of pack --json), also when the build fails.")
@_time_limit_option
@_strict_option
def build(deals: tuple[Path, ...], workspace: Path, output: Path | None, formats: str, jobs: int | None, as_json: bool, time_limit: float, strict: bool) -> None:
    """Build offer and draft contract (PDF, DOCX) and quote.json for DEALS (default: all of deals/).

    Files go to OUTPUT/<offer-number>-r<revision>/. Nothing is written unless every deal is valid.

    \b
    Example:
      proposals build deals/acme-maschinenbau.yaml
      proposals build --format pdf
      proposals build --json deals/hafenlogistik.yaml
    """
    from .commands.build_run import run_build

    chosen = _formats(formats)
    paths = [_deal_path(workspace, d) for d in deals] if deals else None
    run_build(workspace, paths, output, chosen, jobs, time_limit, strict, _report, as_json)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deal", type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder [default: WORKSPACE/output].")
@click.option("--format", "formats", default="pdf,docx", show_default=True, help="Comma-separated document formats: pdf, docx.")
@_strict_option
def plan(deal: Path, workspace: Path, output: Path | None, formats: str, strict: bool) -> None:
    """Write DEAL's implementation plan (implementation-plan.pdf, .docx): timeline, milestones, people, duties, reviews.

    A deal that is not accepted gets a draft plan.

    \b
    Example:
      proposals plan deals/kessler-pumpen.yaml
    """
    from .commands.aftercare_run import run_aftercare

    run_aftercare(workspace, _deal_path(workspace, deal), None, output, _formats(formats), strict, _report)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deal", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("review", type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder [default: WORKSPACE/output].")
@click.option("--format", "formats", default="pdf,docx", show_default=True, help="Comma-separated document formats: pdf, docx.")
@_strict_option
def review(deal: Path, review: Path, workspace: Path, output: Path | None, formats: str, strict: bool) -> None:
    """Write the success review of REVIEW (review-<date>.pdf, .docx): KPIs against target, charts, milestones, benefit.

    \b
    Example:
      proposals review deals/kessler-pumpen.yaml reviews/kessler-pumpen/2027-04-14.yaml
    """
    from .commands.aftercare_run import run_aftercare

    run_aftercare(workspace, _deal_path(workspace, deal), _deal_path(workspace, review), output, _formats(formats), strict, _report)


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
    from .commands.deal_views import show_quote

    show_quote(workspace, _deal_path(workspace, deal), as_json, strict, _report)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deal", type=click.Path(dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--xlsx", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write the estimate as a spreadsheet (internal review).")
@_strict_option
def estimate(deal: Path, workspace: Path, xlsx: Path | None, strict: bool) -> None:
    """Print how DEAL's work packages are priced: efforts, spreads, buffers, costs, margin, plan (internal).

    \b
    Example:
      proposals estimate deals/acme-maschinenbau.yaml --xlsx acme-estimate.xlsx
    """
    from .commands.estimate import show_estimate

    show_estimate(workspace, _deal_path(workspace, deal), xlsx, strict, _report)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path), required=False)
@_workspace_option
@click.option("--against", "against", metavar="REV", default=None, help="With one deal: compare with its version at this git revision [default: HEAD].")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff(old: Path, new: Path | None, workspace: Path, against: str | None, as_json: bool) -> None:
    """What changed in a deal: from OLD to NEW, or with one deal file, since git's HEAD (or --against REV).

    Lines, totals (in the documents' words), schedule, terms and clause deviations.

    \b
    Example:
      proposals diff deals/acme-maschinenbau.yaml
      proposals diff deals/acme-maschinenbau.yaml --against main~3
      proposals diff deals/history/acme-maschinenbau-r1.yaml deals/acme-maschinenbau.yaml
    """
    from .commands.deal_views import show_changes
    from .errors import UsageError

    if new is not None and against is not None:
        raise UsageError("--against compares one deal file with git's version of it; name one file, or two files without it")
    show_changes(workspace, _deal_path(workspace, old), None if new is None else _deal_path(workspace, new), as_json, against)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("deal", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("returned", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_workspace_option
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder holding the record [default: WORKSPACE/output].")
@click.option("--write", is_flag=True, help="Create the next revision's deal file (<name>-r<N+1>.yaml), the changes as deviations.")
@click.option("--force", is_flag=True, help="Compare a file that says it was built from another offer, revision or record.")
def redline(deal: Path, returned: Path, workspace: Path, output: Path | None, write: bool, force: bool) -> None:
    """The contract DOCX the customer returned, against DEAL's record: changes per clause.

    \b
    Example:
      proposals redline deals/acme-maschinenbau.yaml ~/Downloads/contract-acme.docx --write
    """
    from .commands.redline_cmd import run_redline

    run_redline(workspace, _deal_path(workspace, deal), returned, output, write, force)


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
        from .commands.pack_run import merge_shards

        manifests = list(deals[1:])
        click.echo(f"merged {len(manifests)} manifests into {merge_shards(manifests, output)}")
        return
    from .commands.pack_run import run_pack

    chosen = _formats(formats)
    parts = _shard(shard)
    code = run_pack(list(deals), workspace, output, chosen, parts, jobs, keep_going, force, make_zip, as_json, time_limit, strict, _report)
    if code:
        raise click.exceptions.Exit(code)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("kind", type=click.Choice(["deal", "catalog", "seller"]), required=False)
@click.option("--output", "-o", type=click.Path(file_okay=False, path_type=Path), default=None, help="Write deal.schema.json, catalog.schema.json and seller.schema.json into this folder.")
@_workspace_option
@click.option("--plain", is_flag=True, help="The schema of any workspace: no enumerations of this workspace's SKUs, tax categories, roles and clauses.")
def schema(kind: str | None, output: Path | None, workspace: Path, plain: bool) -> None:
    """JSON Schema of the deal, catalog or seller files, for editors that check YAML as you type.

    In a workspace, SKUs, tax categories, rate-card roles and clause ids are
    enumerations of what the workspace defines, so the editor completes them.

    \b
    Example:
      proposals schema deal > deal.schema.json
      proposals schema -o .schemas
      proposals schema --plain deal
    """
    from .commands.schema_files import print_schema, write_schemas
    from .errors import UsageError

    root = None if plain else workspace
    if output is None:
        if kind is None:
            raise UsageError("name a kind (deal, catalog, seller) or give -o FOLDER")
        print_schema(kind, root)
    else:
        write_schemas(kind, output, root)


@cli.command(epilog=EPILOG_EXIT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Create a new workspace in FOLDER: seller profile, catalog, one deal, template overrides, CI workflow.

    It builds at once; replace the example data with yours.

    \b
    Example:
      proposals init my-offers && cd my-offers && proposals build
    """
    from .commands.scaffold import create_workspace

    create_workspace(folder)


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

    import errno

    path = _deal_path(workspace, deal)
    try:  # Ctrl-C: "interrupted", exit code 130, as for every command
        serve(workspace, path.resolve().relative_to(workspace.resolve()), port, time_limit, ready=lambda url: click.echo(f"preview of {deal} at {url} (Ctrl-C to stop)"))
    except OSError as exc:
        from .errors import UsageError

        hint = "; another program uses it: choose another with --port, or --port 0 for any free one" if exc.errno == errno.EADDRINUSE else ""
        raise UsageError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}{hint}") from None


def _report(warnings, strict: bool) -> None:
    from .commands.terminal import painted
    from .errors import ProposalsError

    for warning in warnings:
        click.echo(painted(warning), err=True)
    if strict and warnings:
        error = ProposalsError(warnings)
        raise click.exceptions.Exit(_fail(error, quiet=True))


def _fail(error, quiet: bool = False) -> int:
    from .commands.terminal import painted

    if not quiet:
        for problem in error.problems:
            click.echo(painted(problem), err=True)
            if problem.context:
                click.echo(problem.context, err=True)
    count = len([p for p in error.problems if p.severity == "error"]) or len(error.problems)
    click.echo(f"failed: {count} problem{'s' if count != 1 else ''}", err=True)
    return error.exit_code


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
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        return 130  # as a shell reports a program stopped by Ctrl-C (128 + SIGINT)
    except ProposalsError as exc:
        return _fail(exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        from .commands.terminal import internal_error

        return internal_error(exc)


def main() -> None:
    """Console entry point."""
    import os

    # The command uses no pydantic plugins; looking for them reads the metadata of every
    # installed package (about 10 ms of each command). A value set by the user is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    sys.exit(run())
