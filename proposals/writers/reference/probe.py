"""The trial rendering: a small document using the DOCX writer's whole vocabulary, rendered once
on a sanitized workspace reference, so that a file the writer cannot use is the file's error."""

from __future__ import annotations

from pathlib import Path

from ...input.archive import Refused

PROBE_HTML = """<!DOCTYPE html><html><head><title>probe</title></head><body>
<header class="page-header"><p>Header <strong>bold</strong></p></header>
<h1 class="title">Title</h1><h1>One</h1><h2>Two</h2><h3>Three</h3><h4>Four</h4>
<p class="lead">Lead</p><p class="small">Small</p><p class="address">Address</p><p class="sender">S</p>
<p>Text <em>it</em> <u>u</u> <small>s</small> <sup>1</sup> <sub>2</sub> <span class="muted">m</span>
<span class="price-tag">p</span> <a href="https://example.com/">link</a><br>next</p><hr>
<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li></ul><ol><li>one<p>more</p></li></ol><ol><li>again</li></ol>
<section class="clause keep-together"><h2><span class="clause-number" data-level="0">1.</span> Clause</h2>
<p><span class="clause-number" data-level="1" data-format="§ %1">1.1</span> Sub</p><p class="line">Signature</p></section>
<figure><figcaption>Caption</figcaption></figure>
<table><colgroup><col style="width: 30%"><col style="width: 70%"></colgroup>
<thead><tr><th>A</th><th>B</th></tr></thead>
<tbody><tr class="group"><td colspan="2">G</td></tr><tr><td>x</td><td class="num">1</td></tr></tbody>
<tfoot><tr class="subtotal"><td>s</td><td class="num">1</td></tr><tr class="total grand"><td>t</td><td class="num">1</td></tr></tfoot>
</table><table class="plain"><tr><td>plain</td></tr></table>
<div class="page-break signature"><p>Sign</p></div>
<p><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwABAQEABRjYTgAAAABJRU5ErkJggg==" alt="probe"
style="width: 400mm"></p><table><tr><td class="logo-cell"><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwABAQEABRjYTgAAAABJRU5ErkJggg==" alt="logo"></td></tr></table>
<footer class="page-footer"><p>Footer</p></footer>
</body></html>"""


def trial_render(data: bytes) -> None:
    """Render a small document on the sanitized reference: whatever the writer cannot use in it
    is the file's problem, reported now rather than as a crash of every DOCX."""
    from datetime import datetime, timezone

    from proposals.writers.docx import DocxMeta, DocxWriter

    meta = DocxMeta(title="probe", author="probe", subject="probe", created=datetime(2020, 1, 1, tzinfo=timezone.utc),
                    language="en-US", footer_text="probe", page_label="Page {page} of {pages}",
                    primary_color="#1F3A5F", font="Carlito")
    try:
        DocxWriter(data, Path(".")).render(PROBE_HTML, meta)
    except Exception as exc:  # noqa: BLE001 - anything the writer trips over in this file is the file's fault
        detail = " ".join(str(exc).split())[:160]
        raise Refused(f"the DOCX writer cannot use this file ({type(exc).__name__}: {detail}); save it again from Word") from None
