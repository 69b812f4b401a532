"""``proposals check``: the whole workspace loaded, every deal priced, its approvals checked and its
issued record in output/ (if there) compared with its inputs, every template linted and rendered
against every deal, nothing written."""

from __future__ import annotations

import json
from pathlib import Path


def check_workspace(workspace: Path, time_limit: float):
    """The loaded workspace and its warnings (sorted); raises the errors found, pricing first."""
    from datetime import date

    from .deal import price_deal, quote_warnings
    from ..errors import PricingError, ProblemList, TemplateError
    from ..input.loading import load_workspace
    from .records import approval_problems, expiry_warnings, records_before_rendering
    from .render import check_reference

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
    problems.extend(records_before_rendering(ws, [loaded for loaded, _ in priced], ws.root / "output"))  # what build would refuse
    problems.extend(_review_problems(ws))
    problems.raise_if_errors(PricingError)
    found = _contract_problems(ws, priced, time_limit)
    warnings += [p for p in found if p.severity == "warning"]
    ProblemList([p for p in found if p.severity == "error"]).raise_if_errors(TemplateError)
    return ws, sorted(warnings, key=lambda p: p.sort_key())


def _review_problems(ws) -> list:
    """The review files of every accepted deal, as build checks them."""
    from ..errors import InputError
    from .aftercare import check_reviews

    found = []
    for loaded in ws.deals:
        if loaded.model.status == "accepted":
            try:
                check_reviews(ws, loaded)
            except InputError as exc:
                found += exc.problems
    return found


def _contract_problems(ws, priced, time_limit: float) -> list:
    """Templates linted and rendered against every deal in time-limited workers (a template may
    run away); the lint runs alongside the rendering, so one run reports everything it can."""
    from .check import check_documents
    from ..runtime.workers import default_jobs

    return check_documents(ws, priced, time_limit, default_jobs())


def checked_line(ws) -> str:
    """The line printed when the workspace passed."""
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"ok: seller profile, {count(len(ws.services), 'service')} in {count(len(ws.catalog_files), 'catalog file')}, {count(len(ws.deals), 'deal')}"


def problems_json(problems) -> str:
    """``check --format json``: one object per problem, for CI annotations, in the shape of the pack's summary."""
    from .pack_output import problem_json

    return json.dumps([problem_json(p) for p in problems], indent=2, ensure_ascii=False)
