"""Workspace files -> validated models. The only module that reads input files.

Each YAML file is parsed with :mod:`proposals.input.yamlsource`, which keeps the
line and column of every value; pydantic errors are mapped back to those
places and rewritten as sentences a salesperson understands. All problems of
all files are collected before anything fails.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InputError, Location, Problem, ProblemList
from .model import CatalogFile, Deal, SellerProfile, Service
from .model.common import bidi_imbalance
from .workspace import Loaded, Workspace, relative_name
from .yamlsource import Document, SourceMap, YamlProblem, excerpt, format_path, parse

SELLER_FILE = "seller.yaml"
MAX_FILE_BYTES = 2 * 1024 * 1024


def read_document(path: Path, name: str) -> Document:
    """Read and parse one YAML file; raise YamlProblem for unreadable or broken files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlProblem(Problem(Location(name), "", f"file is {size} bytes; at most {MAX_FILE_BYTES} are read", "input.too-large"))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlProblem(Problem(Location(name), "", "file not found", "input.missing-file")) from None
    except OSError as exc:
        raise YamlProblem(Problem(Location(name), "", f"cannot read the file ({exc.strerror})", "input.unreadable")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblem(Problem(Location(name), "", f"not UTF-8 text (byte {exc.start})", "input.encoding")) from None
    return parse(text, name)


def validate(model_type: type[BaseModel], document: Document) -> tuple[Any, list[Problem]]:
    """Validate a parsed document; map every pydantic error to its place."""
    if not isinstance(document.data, dict):
        got = "an empty file" if document.data is None else "a list or a single value"
        where = document.source.locate(())
        return None, [Problem(where, "", f"expected a mapping of fields (got {got})")]
    try:
        return model_type.model_validate(document.data), []
    except ValidationError as exc:
        return None, [_problem(model_type, document.source, err) for err in exc.errors(include_url=False)]


def _problem(model_type: type[BaseModel], source: SourceMap, err: Any) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "missing":
        return Problem(source.locate(loc[:-1]), format_path(loc), "required field is missing", "input.missing")
    if kind == "extra_forbidden":
        hint = _suggest(model_type, loc)
        return Problem(source.locate(loc, key=True), format_path(loc), f"unknown field{hint}", "input.unknown-field")
    return Problem(source.locate(loc), format_path(loc), _sentence(err), "input.invalid")


_TEMPLATES = {
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "too_short": "needs at least {min_length} entr{plural}",
    "too_long": "allows at most {max_length} entries",
    "literal_error": "must be one of {expected}",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "list_type": "expected a list",
    "string_type": "expected text",
    "decimal_max_places": "at most {decimal_places} decimal places",
}


def _sentence(err: Any) -> str:
    ctx = dict(err.get("ctx") or {})
    template = _TEMPLATES.get(err["type"])
    if template is None:
        return err["msg"]  # our own PydanticCustomError messages already read well
    ctx.setdefault("plural", "y" if ctx.get("min_length") == 1 else "ies")
    message = template.format(**ctx)
    value = err.get("input")
    if err["type"] in ("greater_than", "greater_than_equal", "less_than", "less_than_equal", "literal_error", "decimal_max_places"):
        message += f" (got {excerpt(_shown(value))})"
    return message


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _suggest(model_type: type[BaseModel], loc: tuple) -> str:
    owner = _model_at(model_type, loc[:-1])
    if owner is None:
        return ""
    names = list(owner.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return "; allowed here: " + ", ".join(names)


def _model_at(model_type: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: Any = model_type
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        current = _inner_model(current.model_fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside ``X | None``, ``list[X]`` or ``Annotated[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def load_file(path: Path, root: Path, model_type: type[BaseModel], problems: ProblemList) -> Loaded | None:
    """Parse and validate one file, adding its problems to ``problems``."""
    name = relative_name(root, path)
    try:
        document = read_document(path, name)
    except YamlProblem as exc:
        problems.add(exc.problem)
        return None
    return _validated(document, path, model_type, problems)


def load_text(text: str, path: Path, name: str, model_type: type[BaseModel], problems: ProblemList) -> Loaded | None:
    """Parse and validate text that is no file of the workspace (a deal as git has it), named ``name`` in messages."""
    try:
        document = parse(text, name)
    except YamlProblem as exc:
        problems.add(exc.problem)
        return None
    return _validated(document, path, model_type, problems)


def _validated(document: Document, path: Path, model_type: type[BaseModel], problems: ProblemList) -> Loaded | None:
    model, found = validate(model_type, document)
    problems.extend(found)
    problems.extend(bidi_warnings(document, {p.field for p in found}))
    return Loaded(model, path, document.source) if model is not None else None


def bidi_warnings(document: Document, refused: set[str]) -> list[Problem]:
    """A located warning for each text value whose bidi embeddings, overrides or isolates do not balance.

    Documents print every value with right-to-left text in an isolate of its own
    (:func:`proposals.documents.templating.isolate`), so such a value cannot reorder the text
    around it; an override left open still reverses the rest of the value itself.
    Identifiers refuse these characters outright (an error), so fields already in
    ``refused`` are not warned about twice.
    """
    found: list[Problem] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            imbalance = bidi_imbalance(value) if max(value, default="") >= "\u202a" else None
            if imbalance is not None and format_path(path) not in refused:
                kind, sentence = imbalance
                found.append(Problem(document.source.locate(path), format_path(path), sentence, f"input.bidi-{kind}", "warning"))
        elif isinstance(value, dict):
            stack.extend(reversed([(path + (key,), item) for key, item in value.items()]))
        elif isinstance(value, list):
            stack.extend(reversed([(path + (i,), item) for i, item in enumerate(value)]))
    return found


def _salvage(path: Path, root: Path, salvaged: dict[str, tuple[Service, Location]], unusable: set[str]) -> None:
    """A catalog file that did not validate (its problems are reported): the services that are valid on their
    own stay known, so the deals that use them are checked as usual; the SKUs of the others are unusable, so a
    deal naming one gets no second message that the SKU is unknown."""
    try:
        document = read_document(path, relative_name(root, path))
    except YamlProblem:
        return
    entries = document.data.get("services") if isinstance(document.data, dict) else None
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        try:
            service = Service.model_validate(entry)
        except ValidationError:
            sku = entry.get("sku") if isinstance(entry, dict) else None
            if isinstance(sku, str):
                unusable.add(sku.strip())
            continue
        if service.sku not in salvaged:  # a duplicate is reported once the file is sound
            salvaged[service.sku] = (service, document.source.locate(("services", i, "sku")))


def _load_previous(ws: Workspace, loaded: Loaded, problems: ProblemList) -> None:
    """Load the deal file a revision names as its predecessor, and check it is one."""
    deal = loaded.model
    if deal.previous_revision is None:
        return
    where = loaded.where("previous_revision")
    path = (ws.root / deal.previous_revision).resolve()
    if not path.is_relative_to(ws.root.resolve()) or not path.is_file():
        problems.add(Problem(where, "previous_revision", f"no deal file {deal.previous_revision} in the workspace"))
        return
    before = load_file(path, ws.root, Deal, problems)
    if before is None:
        return
    if before.model.offer_number != deal.offer_number or before.model.revision >= deal.revision:
        message = f"{deal.previous_revision} is {before.model.offer_number} r{before.model.revision}; it must be an earlier revision of {deal.offer_number}"
        problems.add(Problem(where, "previous_revision", message))
        return
    from .checks_deal import deal_problems

    problems.extend(p for p in deal_problems(before, ws.seller.model, ws.services) if p.severity == "error")
    ws.previous[loaded.path] = before


def load_workspace(root: Path | str = ".", deal_paths: list[Path] | None = None) -> Workspace:
    """Load and validate the seller profile, every catalog file and the deals.

    ``deal_paths`` limits the deals (default: every ``deals/*.yaml``). Raises
    :class:`InputError` with every problem found, cross-checks included.
    """
    from .checks import check_workspace

    root = Path(root)
    problems = ProblemList()
    catalog_dir = root / "catalog"
    if not catalog_dir.is_dir():
        raise InputError([Problem(Location(relative_name(root, catalog_dir)), "", "no catalog/ folder here; run in a workspace or pass --workspace DIR", "usage")])
    seller = load_file(catalog_dir / SELLER_FILE, root, SellerProfile, problems)
    catalog, salvaged, unusable = [], {}, set()
    for path in sorted(catalog_dir.glob("*.yaml")):
        if path.name == SELLER_FILE:
            continue
        loaded = load_file(path, root, CatalogFile, problems)
        if loaded is not None:
            catalog.append(loaded)
        else:
            _salvage(path, root, salvaged, unusable)
    if deal_paths is None:
        deal_paths = sorted((root / "deals").glob("*.yaml"))
    deals = [d for p in deal_paths for d in [load_file(p, root, Deal, problems)] if d is not None]
    if seller is None:
        problems.raise_if_errors()
    workspace = Workspace(root, seller, catalog, deals)  # type: ignore[arg-type]
    for sku, (service, where) in salvaged.items():
        workspace.services[sku], workspace.service_places[sku] = service, where
    workspace.unusable_skus = unusable
    problems.extend(check_workspace(workspace))
    if not problems.errors:
        for loaded in deals:
            _load_previous(workspace, loaded, problems)
    problems.raise_if_errors()
    workspace.warnings = problems.warnings
    return workspace
