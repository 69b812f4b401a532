"""Safe YAML with locations: text -> plain values + a map of field path -> place.

Policy (why we do not use ``yaml.safe_load``):

* Only the YAML 1.2 core schema is applied to unquoted scalars: ``true``/``false``
  are booleans, ``null``/``~``/empty are null, digits are integers, decimal
  notation is a :class:`~decimal.Decimal` parsed from the text (never a binary
  float), ``YYYY-MM-DD`` is a date. Everything else is a string, so the YAML 1.1
  surprises (``NO`` -> False, ``012`` -> 10, ``1_000``, ``12:30`` -> 750) cannot
  happen. A value of the wrong type reaches the models, which reject it.
* No tags, no object construction: an explicit tag other than the standard
  ``!!str`` and friends is an error.
* Hostile input ends quickly with one problem: nesting deeper than
  ``MAX_DEPTH``, more than ``MAX_VALUES`` values after alias expansion (the
  "billion laughs"), numbers longer than ``MAX_NUMBER_DIGITS``, impossible dates.
* Every value is text Unicode can encode: a ``\\ud800`` escape in a double-quoted
  string is half of a UTF-16 pair, no character, and no file could hold it; it is
  refused where it stands. A complete pair (``"\\ud83d\\ude00"``, as JSON writes
  characters beyond the BMP) is the one character it encodes, as in JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Location, Problem

MAX_DEPTH = 50
MAX_VALUES = 100_000
MAX_NUMBER_DIGITS = 40
EXCERPT = 40

Path = tuple[str | int, ...]

_INT = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\Z")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(inf|Inf|INF)\Z|\.(nan|NaN|NAN)\Z")
_PLAIN = "?plain"
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """A short, single-line rendering of a value for messages."""
    text = value if isinstance(value, str) else repr(value)
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of one YAML file stands."""

    file: str
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)
    quoted: set[Path] = field(default_factory=set)

    def locate(self, path: Path, *, key: bool = False) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        for cut in range(len(path) - 1, -1, -1):
            if path[:cut] in self.values:
                return self.values[path[:cut]]
        return Location(self.file, 1, 1)


@dataclass
class Document:
    """One parsed YAML file."""

    data: Any
    source: SourceMap


class YamlProblem(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


class _DepthLimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses absurd nesting before recursing into it."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:  # type: ignore[override]
        # Untagged plain scalars keep a neutral tag: we apply the core schema ourselves.
        if kind is ScalarNode and implicit[0]:
            return _PLAIN
        return yaml.resolver.Resolver.resolve(self, kind, value, implicit)

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.MarkedYAMLError(
                    problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=mark
                )
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1


if yaml.__with_libyaml__:

    from yaml.cyaml import CParser
    from yaml.resolver import Resolver

    class _FastLoader(Composer, CParser, Resolver):  # type: ignore[misc]
        """Same composer and resolver, with libyaml's C scanner and parser (9x faster);
        PyYAML's pure-Python parser remains for error messages."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)
            self._depth = 0

        resolve = _DepthLimitedLoader.resolve
        compose_node = _DepthLimitedLoader.compose_node
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None


def _compose(text: str) -> Node | None:
    """The document's node graph: libyaml when it parses the text, else (or to explain a fault) PyYAML."""
    if _FastLoader is not None and "\t" not in text and "\ufeff" not in text[1:]:
        # libyaml accepts tabs where PyYAML refuses them, and counts columns after an
        # inner BOM differently: such files take PyYAML's way, so the rules stay one.
        loader = _FastLoader(text)
        try:
            return loader.get_single_node()
        except yaml.YAMLError:
            pass  # parse again below for PyYAML's located message
        finally:
            loader.dispose()
    loader = _DepthLimitedLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _hint(reason: str, context: str, line: str) -> str:
    """What usually causes the commonest YAML mistakes, in the words of the fix."""
    if reason == "mapping values are not allowed here":
        key, sep, value = line.strip().partition(": ")
        if sep and ": " in f"{value} " and not value.startswith(("'", '"')):
            return f"a value containing ': ' must be quoted: {key}: \"{value.strip()}\""
        return "check the indentation: is this line indented under a key it does not belong to?"
    if "found character '\\t'" in reason or "'\t'" in reason:
        return "indent with spaces; YAML does not allow tabs"
    if "quoted scalar" in context:
        return "a quoted value is not closed: end it with the same quote it starts with"
    if reason.startswith("found character '@'") or reason.startswith("found character '`'"):
        return "a value starting with @ or ` must be quoted"
    return ""


def _open_quote(before: list[str]) -> str:
    """A quote opened on an earlier line and never closed there makes the parser stumble much later."""
    for number in range(len(before), 0, -1):
        line = before[number - 1].split(" #")[0]
        for quote in ('"', "'"):
            if line.count(quote) % 2 and f": {quote}" in line:
                return f"line {number} opens a {quote} quote it does not close"
    return ""


def parse(text: str, file: str) -> Document:
    """Parse one YAML document; raise :class:`YamlProblem` on the first fault."""
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        reason = exc.problem or "not valid YAML"
        if "expected a single document" in str(exc.context):
            reason = "a file holds one YAML document; remove the second '---'"
        source = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
        hint = _hint(reason, str(exc.context or ""), source) or _open_quote(text.splitlines()[: mark.line] if mark else [])
        shown = excerpt(source, 100)
        context = f"    {shown}\n    {' ' * min(mark.column, len(shown))}^" if mark and source.strip() else ""
        raise YamlProblem(Problem(where, "", f"YAML syntax error: {reason}{'; ' + hint if hint else ''}", "input.yaml", context=context)) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_column(text, exc.position)
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise YamlProblem(Problem(Location(file, line, column), "", f"the file contains the control character {what}; remove it", "input.yaml")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(Location(file), "", f"YAML error: {excerpt(str(exc), 80)}", "input.yaml")) from None
    source = SourceMap(file)
    if node is None:
        return Document(None, source)
    builder = _Builder(source)
    return Document(builder.build(node, ()), source)


class _Builder:
    def __init__(self, source: SourceMap):
        self.source = source
        self.count = 0

    def _where(self, node: Node) -> Location:
        return Location(self.source.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def _fail(self, node: Node, path: Path, message: str, kind: str = "input.yaml") -> None:
        raise YamlProblem(Problem(self._where(node), format_path(path), message, kind))

    def build(self, node: Node, path: Path) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            self._fail(node, path, f"the file expands to more than {MAX_VALUES} values (aliases?)", "input.too-large")
        if node.tag not in _STANDARD_TAGS and node.tag != _PLAIN:
            self._fail(node, path, f"YAML tags such as {excerpt(node.tag)} are not allowed")
        self.source.values.setdefault(path, self._where(node))
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(child, path + (i,)) for i, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: Path) -> dict:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._fail(key_node, path, "merge keys (<<) are not supported; write the fields out")
            if not isinstance(key_node, ScalarNode):
                self._fail(key_node, path, "a key must be plain text")
            key = self._characters(key_node, path, key_node.value)
            child = path + (key,)
            if key in result:
                self._fail(key_node, child, f"the key {excerpt(key)!s} appears twice in this mapping", "input.duplicate-key")
            self.source.keys[child] = self._where(key_node)
            result[key] = self.build(value_node, child)
        return result

    def _characters(self, node: ScalarNode, path: Path, text: str) -> str:
        """The scalar's text with escaped surrogate pairs joined; a lone surrogate is refused."""
        if _SURROGATE.search(text) is None:
            return text
        text = _SURROGATE_PAIR.sub(lambda m: chr(0x10000 + (ord(m.group()[0]) - 0xD800) * 0x400 + ord(m.group()[1]) - 0xDC00), text)
        lone = _SURROGATE.search(text)
        if lone is not None:
            message = f"contains U+{ord(lone.group()):04X}, a lone surrogate (half of a UTF-16 pair, not a character); write the character itself"
            self._fail(node, path, message, "input.encoding")
        return text

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        text = self._characters(node, path, node.value)
        if node.tag != _PLAIN:
            self.source.quoted.add(path)
            return text
        if text in ("", "~", "null", "Null", "NULL"):
            return None
        if text in ("true", "True", "TRUE"):
            return True
        if text in ("false", "False", "FALSE"):
            return False
        if _INT.match(text) or _DECIMAL.match(text):
            return self._number(node, path, text)
        if _SPECIAL_FLOAT.match(text):
            self._fail(node, path, f"{text} is not a usable number")
        match = _DATE.match(text)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                self._fail(node, path, f"{text} is not a calendar date")
        return text

    def _number(self, node: ScalarNode, path: Path, text: str) -> int | Decimal:
        digits = sum(ch.isdigit() for ch in text)
        if digits > MAX_NUMBER_DIGITS:
            self._fail(node, path, f"number with {digits} digits is too long (at most {MAX_NUMBER_DIGITS}): {excerpt(text, 20)}")
        if _INT.match(text):
            return int(text)
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid text
            self._fail(node, path, f"{excerpt(text)} is not a number")
        if abs(value.adjusted()) > MAX_NUMBER_DIGITS:
            self._fail(node, path, f"{excerpt(text, 20)} is out of range")
        return value


def _line_column(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def format_path(path: Path) -> str:
    """``('items', 2, 'quantity')`` -> ``items[2].quantity`` (long keys shortened)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = excerpt(str(part))
            out += f".{name}" if out else name
    return out
