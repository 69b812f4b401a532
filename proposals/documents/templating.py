"""Sandboxed Jinja2: templates and customer data are untrusted.

* :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`: no attribute access
  to internals, no mutation of the context objects.
* Autoescape always on: a customer name like ``<b>`` prints as text.
* ``FieldUndefined`` (strict): an undefined variable is an error naming template, line and column, and a missing field names the closest one.
* Loaders: the workspace's ``templates/`` first, then the built-in templates
  (also reachable as ``builtin/<name>`` so a workspace template can extend
  the built-in one it replaces and override single blocks).
* Filters format money, numbers, percentages, quantities and dates with Babel
  for the document's locale.
* Bidirectional text: every printed value with a right-to-left character or a
  bidi control (:func:`~proposals.input.model.common.bidi_active`) is printed in an
  isolate of its own, U+2068 FIRST STRONG ISOLATE ... U+2069 POP DIRECTIONAL
  ISOLATE, so an Arabic or Hebrew name keeps its order and a U+202E
  RIGHT-TO-LEFT OVERRIDE in it cannot reorder the text around it (both writers
  read the same HTML). ``finalize`` isolates each ``{{ value }}``; ``join``,
  ``format``, ``str.format``, ``escape`` and ``paragraphs`` isolate each value
  they are given. Values without such characters print exactly as before.
  Markup is never touched (the filters' own output, ``| safe``), and the
  isolates are taken out of tags again (attribute values: ``href``, ``src``,
  ``alt``, ``class``) and of ``<title>`` (document metadata), where no text is
  laid out.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.core import Locale
from babel.dates import format_date
from babel.numbers import format_percent
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader, StrictUndefined, TemplateError as JinjaError
from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError, pass_context, pass_eval_context
from jinja2.filters import do_format, do_join, make_attrgetter
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..errors import Location, Problem, TemplateError
from ..input.model.common import FSI, ISOLATES, PARAGRAPH_SEPARATORS, PDI, RTL_BLOCKS, bidi_active
from ..money import format_money, format_number, format_price
from ..builtin import BUILTIN
from . import countries, typography
from .typography import css_literal, iban, page_counter

BUILTIN_TEMPLATES = BUILTIN / "templates"


def bytecode_cache(kind: str):
    """Compiled templates kept between runs (Jinja's bytecode cache, see :mod:`proposals.runtime.cache`), or None.

    Compiling the templates and clauses costs more than rendering them; Jinja
    checks each cached entry against the template's source, so an edited
    template is compiled again.
    """
    from jinja2 import __version__ as jinja_version

    from ..runtime import cache

    path = cache.folder(f"jinja-{jinja_version}")
    return cache.bytecode_cache(path, f"{kind}-%s.cache") if path is not None else None


def isolate(text: str) -> str:
    """``text`` in a bidi isolate of its own if it has a right-to-left character or a bidi control, else unchanged.

    Each paragraph (a line break ends every isolate, UAX #9 P1) that has one is
    wrapped in FSI ... PDI: the isolate takes its direction from its first strong
    character, and nothing inside it moves the text outside. To keep it sealed, a
    PDI of the value that closes nothing (it would close this isolate) is dropped,
    and isolates the value leaves open are closed before it; the closing PDI also
    ends any embedding or override left open inside (UAX #9 X6a).
    """
    if not bidi_active(text):
        return text
    parts = PARAGRAPH_SEPARATORS.split(text)
    return "".join(_sealed(part) if i % 2 == 0 and _needs_isolate(part) else part for i, part in enumerate(parts))


def _needs_isolate(paragraph: str) -> bool:
    """Whether a paragraph has a bidi-active character outside the isolates it closes itself.

    A balanced isolate is sealed already (a label around a name that ``str.format``
    isolated, a user's own FSI ... PDI), so it is not wrapped once more.
    """
    if not bidi_active(paragraph):
        return False
    depth, outside = 0, []
    for ch in paragraph:
        if ch in ISOLATES:
            depth += 1
        elif ch == PDI and depth:
            depth -= 1
        elif not depth:
            outside.append(ch)
    return depth > 0 or bidi_active("".join(outside))


def _sealed(paragraph: str) -> str:
    kept, depth = [], 0
    for ch in paragraph:
        if ch in ISOLATES:
            depth += 1
        elif ch == PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(ch)
    return FSI + "".join(kept) + PDI * (depth + 1)


def _isolated(value: Any) -> Any:
    """A printed value isolated (plain text only: Markup is already what it should be).

    This is ``finalize``, called for every printed value: plain ASCII text and text
    without a character of the right-to-left blocks return at once.
    """
    if type(value) is str:
        return value if value.isascii() or _might_be_bidi(value) is None else isolate(value)
    if isinstance(value, str) and not isinstance(value, Markup):
        return isolate(value)
    return value


_might_be_bidi = RTL_BLOCKS.search
_SURROGATE = re.compile("[\ud800-\udfff]")
_TAGS_AND_TITLE = re.compile(r"<title\b[^<>]*>.*?</title\s*>|<[^<>]*>", re.DOTALL | re.IGNORECASE)


def outside_markup(html: str) -> str:
    """The rendered document without isolates in tags (attribute values) and in ``<title>``."""
    if FSI not in html and PDI not in html:
        return html
    return _TAGS_AND_TITLE.sub(lambda m: m.group().replace(FSI, "").replace(PDI, ""), html)


class IsolatingEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox whose ``str.format`` (``t.dear.format(name=...)``) isolates each text argument,
    so a name inside a sentence is isolated on its own, not only the whole sentence."""

    def wrap_str_format(self, value: Any):
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None

        def isolating(*args: Any, **kwargs: Any) -> str:
            if getattr(value, "__name__", "") == "format_map" and len(args) == 1 and isinstance(args[0], dict):
                args = ({key: _isolated(item) for key, item in args[0].items()},)
            return wrapper(*(_isolated(a) for a in args), **{key: _isolated(item) for key, item in kwargs.items()})

        return isolating


@pass_eval_context
def _join(eval_ctx, value: Any, d: str = "", attribute: Any = None) -> str:
    """Jinja's ``join``, each item isolated (a list of names, each in its own isolate)."""
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
    return do_join(eval_ctx, [_isolated(item) for item in value], d)


def _format(value: str, *args: Any, **kwargs: Any) -> str:
    """Jinja's ``format``, each text argument isolated."""
    return do_format(value, *(_isolated(a) for a in args), **{key: _isolated(item) for key, item in kwargs.items()})


def _escape(value: Any) -> Markup:
    """Jinja's ``escape``/``e``, the text isolated first."""
    return escape(_isolated(value))


def _forceescape(value: Any) -> Markup:
    """Jinja's ``forceescape``, the text isolated first."""
    if hasattr(value, "__html__"):
        value = value.__html__()
    return escape(isolate(str(value)))


ISOLATING_FILTERS = {"join": _join, "format": _format, "escape": _escape, "e": _escape, "forceescape": _forceescape}
"""Jinja's filters that print values they are given, replaced by ones that isolate each value."""


COMPILED_AS = "isolating-country-in-context"
"""Part of the bytecode cache's file names. Jinja checks a cached template against its
source only, but the compiled code also holds the environment's ``finalize`` (constant
output is even finalized while compiling): a new name here keeps templates compiled by
an older environment, which did not isolate, from being used. Change it with ``finalize``
and when a filter starts or stops taking the context (its call is compiled in)."""


def make_environment(workspace_templates: Path | None, locale: str, currency: str) -> ImmutableSandboxedEnvironment:
    """A sandboxed environment with the locale-bound filters; compiled templates come from the
    bytecode cache (see :mod:`proposals.runtime.cache`)."""
    loaders = []
    if workspace_templates is not None and workspace_templates.is_dir():
        loaders.append(FileSystemLoader(str(workspace_templates)))
    builtin = FileSystemLoader(str(BUILTIN_TEMPLATES))
    loaders += [PrefixLoader({"builtin": builtin}), builtin]
    env = IsolatingEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        finalize=_isolated,
        undefined=FieldUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache(f"documents-{COMPILED_AS}"),
    )
    env.filters.update(ISOLATING_FILTERS)
    env.filters.update(filters(locale, currency))
    return env


def filters(locale: str, currency: str) -> dict[str, Any]:
    """Formatting filters bound to one document's locale and currency."""

    def money(amount: Decimal, code: str | None = None) -> str:
        """Amount in the document's currency and locale: ``1.234,56 €`` (de), ``€1,234.56`` (en); a true minus sign."""
        text = format_money(abs(amount), code or currency, locale)
        return "\u2212" + text if amount < 0 else text  # a true minus sign, as in signed_money

    def price(amount: Decimal) -> str:
        """A unit price or tier rate with every decimal it has (at least the currency's): ``€49.999``, ``€0.0000166667``."""
        text = format_price(abs(amount), currency, locale)
        return "\u2212" + text if amount < 0 else text

    def signed_money(amount: Decimal) -> str:
        """Amount with its sign, for deltas: ``+ €4,200.00``, ``− €960.00``."""
        sign = "+\u00a0" if amount > 0 else "−\u00a0" if amount < 0 else ""
        return sign + format_money(abs(amount), currency, locale)

    def number(value: Decimal, places: int = 3) -> str:
        """A quantity or rate without trailing zeros, up to ``places`` decimals: ``1,5`` (de)."""
        return format_number(value, locale, places)

    percent_pattern = Locale.parse(locale).percent_formats[None].pattern.replace("0", "0.##", 1)

    def percent(value: Decimal) -> str:
        """A percentage given as 25 for 25 %, in the locale's pattern: ``25%`` (en), ``25 %`` (de)."""
        return format_percent(value / 100, format=percent_pattern, locale=locale)

    def quantity(value: Decimal, unit: str) -> str:
        """Quantity with its unit, not split across lines: ``18 days``."""
        return f"{format_number(value, locale)}\u00a0{unit}"

    def day(value: date | None, style: str = "long") -> str:
        """A date in the locale (filter name ``date``); style short, medium, long or full: ``24 November 2026``.

        No date prints nothing: Babel's ``format_date(None)`` would print today, a date nobody agreed to."""
        if value is None:
            return ""
        return format_date(value, format=style, locale=locale)

    def paragraphs(text: str) -> Markup:
        """Text with blank lines as separate ``<p>`` paragraphs (escaped)."""
        parts = [p.strip() for p in str(text).split("\n\n") if p.strip()]
        return Markup("").join(Markup("<p>{}</p>").format(isolate(p)) for p in parts)

    @pass_context
    def country(context, code: str, form: str = "") -> str:
        """Country name of an ISO code in the locale: ``DE`` -> ``Deutschland`` (de); ``country("in")`` with its article: ``the Netherlands``, ``den Niederlanden``."""
        name = Locale.parse(locale).territories.get(code, code)
        return countries.in_text(code, form, context.get("t") or {}, name) if form else name

    return {
        "money": money,
        "price": price,
        "signed_money": signed_money,
        "number": number,
        "percent": percent,
        "quantity": quantity,
        "date": day,
        "paragraphs": paragraphs,
        "country": country,
        "iban": iban,
        "nobreak": typography.nobreak,
        "headline": typography.headline,
        "page_counter": page_counter,
        "css_string": css_literal,
    }


def render(env: ImmutableSandboxedEnvironment, name: str, context: dict[str, Any], root: Path) -> str:
    """Render one template; map Jinja failures to a TemplateError with file:line."""
    try:
        template = env.get_template(name)
        html = template.render(context)
    except TemplateSyntaxError as exc:
        raise TemplateError([_problem(exc.filename, exc.lineno, f"template syntax error: {exc.message}", root)]) from None
    except TemplateNotFound as exc:
        file, line = _template_frame(exc)
        raise TemplateError([_problem(file, line, f"template not found: {exc.name}", root)]) from None
    except UndefinedError as exc:
        file, line = _template_frame(exc)
        raise TemplateError([_undefined_problem(file, line, exc.message or "", root)]) from None
    except JinjaError as exc:
        file, line = _template_frame(exc)
        raise TemplateError([_problem(file, line, f"template error: {exc}", root)]) from None
    except (ArithmeticError, ValueError, TypeError, MemoryError, RecursionError, KeyError, IndexError, AttributeError) as exc:
        file, line = _template_frame(exc)
        if file is None:
            raise  # not raised inside a template: a bug of ours, reported as such
        raise TemplateError([_problem(file, line, _failure(exc), root)]) from None
    lone = _SURROGATE.search(html)
    if lone is not None:  # no writer could encode it; the input files cannot hold one (see yamlsource)
        before = " ".join(html[max(0, lone.start() - 40) : lone.start()].split()[-4:])
        message = f"the document holds U+{ord(lone.group()):04X}, a lone surrogate (half of a UTF-16 pair, not a character), after '{before}'; a template prints it (an escape such as \\ud800?)"
        raise TemplateError([_problem(template.filename, 0, message, root)])
    return outside_markup(html)


def _failure(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        from ..runtime import processes

        return f"rendering needed more than {processes.MEMORY_LIMIT // 2**20} MiB of memory and was stopped; does a template build huge values? (--memory-limit raises the limit)"
    return f"template failed: {type(exc).__name__}: {str(exc)[:120]}"


def _template_frame(exc: BaseException) -> tuple[str | None, int]:
    """The innermost traceback frame that belongs to a template."""
    found: tuple[str | None, int] = (None, 0)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2") or filename.endswith(".html"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


class FieldUndefined(StrictUndefined):
    """An undefined attribute names the field it looked for and the closest one the value has, never a Python
    class: ``has no field 'emial'; did you mean 'email'?`` (the expression is added from the source line)."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        from jinja2.utils import missing

        value, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint is not None or value is missing or not isinstance(name, str):
            return super()._undefined_message
        fields = getattr(type(value), "model_fields", None) or getattr(type(value), "__dataclass_fields__", None)
        known = list(fields) if fields else [str(k) for k in value] if isinstance(value, dict) else []
        close = difflib.get_close_matches(name, known, n=1)
        return f"has no field {name!r}" + (f"; did you mean {close[0]!r}?" if close else "")


def _undefined_problem(filename: str | None, line: int, message: str, root: Path) -> Problem:
    """``seller.contact has no field 'emial'; did you mean 'email'?`` at the column of the expression."""
    problem = _problem(filename, line, f"undefined: {message}", root)
    field = re.match(r"has no field '([^']+)'", message)
    try:
        source = Path(filename).read_text(encoding="utf-8").splitlines()[line - 1] if filename and field else ""
    except (OSError, IndexError):
        source = ""
    found = re.search(r"([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\." + re.escape(field.group(1)) + r"\b", source) if field else None
    if found is None:
        return replace(problem, message=f"undefined: a value {message}" if field else problem.message)
    return replace(problem, location=replace(problem.location, column=found.start() + 1), message=f"undefined: {found.group(1)} {message}")


def _problem(filename: str | None, line: int | None, message: str, root: Path) -> Problem:
    name = filename or "<template>"
    path = Path(name)
    for base in (root, BUILTIN_TEMPLATES.parent.parent.parent):  # "proposals/builtin/templates/..."
        try:
            name = path.resolve().relative_to(base.resolve()).as_posix()
            break
        except ValueError:
            continue
    return Problem(Location(name, line or 0, 1 if line else 0), "", message, "template.error")
