"""Stylesheets the PDF writer parses once per process and hands to WeasyPrint.

A worker keeps the parsed built-in stylesheet, which is the same for every
document of a workspace, and passes it to WeasyPrint as a user stylesheet with
the <style> elements cut from the HTML -- only where that provably changes no
computed value (the conditions below); every other document renders the usual
way.
"""

from __future__ import annotations

import re

from .pdf_weasyprint import _weasyprint_messages


# ---------------------------------------------------------------- stylesheets parsed once per process
#
# WeasyPrint parses a document's <style> elements anew for every document: 8 ms
# for the built-in stylesheet, which is the same text for every document of a
# workspace. A worker keeps the parsed stylesheet and passes it to WeasyPrint
# as a user stylesheet, with the <style> elements cut from the HTML. That
# changes the origin of the rules (author -> user) and removes elements from
# <head>, which decides nothing as long as:
# - every document stylesheet moves, in order, and the document has no <link>
#   stylesheet, no <base> and no <svg> sized by attributes;
# - no sheet has an !important declaration or an ID selector (WeasyPrint weighs
#   a style attribute like one ID selector);
# - no sheet sets what WeasyPrint derives from attributes as author rules
#   (lang from lang=, anchor from id= and name=);
# - no sheet can display <head> (a rule setting display whose subject is not a
#   named element other than head), so the cut elements were never rendered;
# - no sheet imports, declares fonts, counter styles, layers, colour profiles or
#   namespaces, or uses var() (a parsed var() remembers having warned, so a
#   reused sheet would stop reporting it).
# Anything else renders the usual way.

_STYLE_BLOCK = re.compile(r"<style\s*>(.*?)</style\s*>", re.S | re.I)
_HEAD_END = re.compile(r"</head\s*>", re.I)
_UNPORTABLE_AT_RULES = {"import", "font-face", "counter-style", "layer", "color-profile", "namespace"}
_FROM_ATTRIBUTES = {"lang", "-weasy-lang", "anchor", "-weasy-anchor"}
_DISPLAYING = {"display", "all"}
_CACHED_FROM = 2000  # characters: shorter sheets (the per-deal footer rule) are parsed each time
_SEEN: set[str] = set()  # large sheets met once: the second sighting parses them for keeps
_SHEETS: dict[str, tuple[object, tuple[str, ...]]] = {}  # text -> (weasyprint.CSS, warnings while parsing)
_UNPORTABLE: set[str] = set()


def _style_blocks(html: str, tree) -> list[re.Match] | None:
    """The document's stylesheets as spans of ``html`` if all may move out of it, else None."""
    styles = tree.xpath("//style")
    if not styles or tree.xpath("//base") or any("stylesheet" in (link.get("rel") or "").lower() for link in tree.xpath("//link")):
        return None
    if any(svg.get("width") or svg.get("height") for svg in tree.xpath("//svg")):
        return None
    if any(style.attrib or style.getparent().tag != "head" or len(style) for style in styles):
        return None
    head_end = _HEAD_END.search(html)
    blocks = list(_STYLE_BLOCK.finditer(html, 0, head_end.start() if head_end else 0))
    # Every real <style> start tag matches the pattern; a match elsewhere (in a comment,
    # a title, an attribute) adds a block, or changes a text, or a line: then the counts,
    # texts or lines differ, and WeasyPrint reads the document as usual.
    found = [(html.count("\n", 0, block.start()) + 1, block.group(1)) for block in blocks]
    if found != [(style.sourceline, style.text or "") for style in styles]:
        return None
    return blocks


def _portable(text: str) -> bool:
    """True if moving this sheet from author to user origin changes no computed value (see above)."""
    import tinycss2

    def nested(token):
        return getattr(token, "arguments", None) or getattr(token, "content", None) or ()

    def prelude_has_id(tokens) -> bool:  # also inside :not(), :is() and [...]; :has() counts too
        return any(token.type == "hash" or (token.type == "function" and token.lower_name == "has") or prelude_has_id(nested(token)) for token in tokens)

    def uses_var(tokens) -> bool:
        return any((token.type == "function" and token.lower_name == "var") or uses_var(nested(token)) for token in tokens)

    def names_its_subject(prelude) -> bool:
        """Every selector's subject is a named element other than head (so head keeps display: none)."""
        for selector in tinycss2.serialize(prelude).split(","):  # commas inside :is() only make this stricter
            subject = re.split(r"[\s>+~]+", selector.strip())[-1]
            name = re.match(r"[A-Za-z][A-Za-z0-9-]*", subject)
            if name is None or name.group().lower() == "head":
                return False
        return True

    def block_ok(content, prelude=None) -> bool:
        for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
            if item.type == "declaration":
                if item.important or item.lower_name in _FROM_ATTRIBUTES or uses_var(item.value):
                    return False
                if item.lower_name in _DISPLAYING and (prelude is None or not names_its_subject(prelude)):
                    return False
            if item.type == "at-rule" and not at_rule_ok(item):
                return False
            if item.type == "qualified-rule" and not rule_ok(item):
                return False
        return True

    def rule_ok(rule) -> bool:
        return not prelude_has_id(rule.prelude) and block_ok(rule.content, rule.prelude)

    def at_rule_ok(rule) -> bool:
        if rule.lower_at_keyword in _UNPORTABLE_AT_RULES:
            return False
        if rule.content is None:
            return True
        if rule.lower_at_keyword in ("media", "supports"):
            return rules_ok(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
        return block_ok(rule.content)

    def rules_ok(rules) -> bool:
        for rule in rules:
            if rule.type == "at-rule" and not at_rule_ok(rule):
                return False
            if rule.type == "qualified-rule" and not rule_ok(rule):
                return False
        return True

    return rules_ok(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))


def _parsed_sheet(weasyprint, text: str, base_url: str, fetcher) -> tuple[object, tuple[str, ...]]:
    with _weasyprint_messages() as messages:
        sheet = weasyprint.CSS(string=text, base_url=base_url, url_fetcher=fetcher, media_type="print")
    return sheet, tuple(messages)


def _moved_stylesheets(weasyprint, html: str, tree, base_url: str, fetcher) -> tuple[str, list, list[str]] | None:
    """``html`` without its <style> elements, their parsed sheets and parsing warnings; None to render as usual."""
    blocks = _style_blocks(html, tree)
    if blocks is None:
        return None
    texts = [block.group(1) for block in blocks]
    large = [text for text in texts if len(text) >= _CACHED_FROM]
    if not large or any(text in _UNPORTABLE or (text not in _SHEETS and text not in _SEEN) for text in large):
        if len(_SEEN) > 64:  # a long-running process may meet many versions of the stylesheet
            _SEEN.clear()
        _SEEN.update(large)  # a single build renders each document once: parse the usual way
        return None
    sheets, warnings = [], []
    for text in texts:
        found = _SHEETS.get(text)
        if found is None:
            if not _portable(text):
                if len(text) >= _CACHED_FROM:
                    if len(_UNPORTABLE) > 64:
                        _UNPORTABLE.clear()
                    _UNPORTABLE.add(text)
                return None
            found = _parsed_sheet(weasyprint, text, base_url, fetcher)
            if len(text) >= _CACHED_FROM:
                if len(_SHEETS) >= 8:
                    _SHEETS.pop(next(iter(_SHEETS)))
                _SHEETS[text] = found
        sheets.append(found[0])
        warnings += found[1]
    cut, start = [], 0
    for block in blocks:
        cut.append(html[start:block.start()])
        start = block.end()
    cut.append(html[start:])
    return "".join(cut), sheets, warnings
