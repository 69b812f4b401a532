"""Issue #21: the implementation plan and the success review, read back and checked against the
deal (deals/kessler-pumpen.yaml, accepted) and its two review files (reviews/kessler-pumpen/)."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from ..conftest import REPO, copy_example
from ..readback import docx_text, pdf_text, squash

FOLDER = "NW-2026-039-r1"
DEAL = "deals/kessler-pumpen.yaml"
FIRST, SECOND = "reviews/kessler-pumpen/2027-04-14.yaml", "reviews/kessler-pumpen/2027-10-13.yaml"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The example workspace with the plan and both reviews written by their commands: the output folder."""
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("aftercare") / "ws")
    assert run(["plan", "-w", str(ws), DEAL]) == 0
    assert run(["review", "-w", str(ws), DEAL, FIRST]) == 0
    assert run(["review", "-w", str(ws), DEAL, SECOND]) == 0
    assert run(["plan", "-w", str(ws), "--format", "pdf", "deals/hafenlogistik.yaml"]) == 0  # not accepted: a draft
    return ws / "output"


def payable(ws_root: Path = REPO) -> Decimal:
    from proposals.commands.deal import price_deal
    from proposals.input.loading import load_workspace

    ws = load_workspace(ws_root, [ws_root / DEAL])
    return price_deal(ws, ws.deals[0]).totals.payable


def images(path: Path) -> list:
    return docx.Document(str(path)).inline_shapes


def chart_images(path: Path) -> list:
    """The DOCX's pictures other than the logo (its alt text is the seller's name)."""
    return [s for s in images(path) if s._inline.docPr.get("descr") != "Nordwerk Engineering GmbH"]


def test_the_review_shows_each_kpi_against_baseline_and_target_with_its_status(made):
    first = squash(pdf_text(made / FOLDER / "review-2027-04-14.pdf"))
    # ausfall: baseline 26, target 8, measured 17.5; delivery starts 2027-01-11, the target is due at the
    # last review 2027-10-13 (275 days); 93 days have passed on 2027-04-14 (0.338 of the time) and
    # (26 - 17.5) / (26 - 8) = 0.472 of the way is covered: on track. reaktion: 8 -> 7 of 8 -> 4 is 0.25: behind.
    assert "Ungeplante Stillstandszeit der Prüfstände 26 h/Monat 8 h/Monat 17,5 h/Monat im Plan" in first
    assert "Reaktionszeit auf kritische Störungen 8 h 4 h 7 h im Rückstand" in first
    second = squash(pdf_text(made / FOLDER / "review-2027-10-13.pdf"))
    assert "26 h/Monat 8 h/Monat 7,5 h/Monat erreicht" in second and "8 h 4 h 3,5 h erreicht" in second
    for name in ("review-2027-04-14", "review-2027-10-13"):
        assert squash(pdf_text(made / FOLDER / f"{name}.pdf")).count("erreicht") == squash(docx_text(made / FOLDER / f"{name}.docx")).count("erreicht")


def test_the_benefit_is_the_improvement_times_the_value_per_unit_against_the_contract_value(made):
    # By hand: value_per_unit 5,400 EUR a year per hour of downtime a month (12 x 450 EUR).
    # First review: 26 - 17.5 = 8.5 h -> 8.5 x 5,400 = 45,900.00 EUR; second: 26 - 7.5 = 18.5 h -> 99,900.00 EUR.
    # The response time has no value per unit and adds nothing.
    total = payable()
    for name, benefit, text in (("review-2027-04-14", Decimal("45900.00"), "45.900,00 €"), ("review-2027-10-13", Decimal("99900.00"), "99.900,00 €")):
        ratio = format((benefit / total * 100).quantize(Decimal("0.1")), "f").replace(".", ",")
        contract = f"{total:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " €"
        for text_of in (pdf_text(made / FOLDER / f"{name}.pdf"), docx_text(made / FOLDER / f"{name}.docx")):
            shown = squash(text_of)
            assert f"Nutzen pro Jahr {text}" in shown, name
            assert f"Vertragswert (Zahlbetrag) {contract}" in shown
            assert f"pro Jahr {ratio} % des Vertragswerts" in shown


def test_the_benefit_computation_in_decimal():
    from proposals.input.loading import load_workspace
    from proposals.input.reviews import load_reviews
    from proposals.pricing.benefit import standings

    ws = load_workspace(REPO, [REPO / DEAL])
    history = [r.model for r in load_reviews(ws, ws.deals[0], REPO / SECOND)]
    assert [r.date for r in history] == [datetime.date(2027, 4, 14), datetime.date(2027, 10, 13)]
    ausfall, reaktion = standings(ws.deals[0].model, history, "EUR")
    assert (ausfall.benefit, ausfall.status, ausfall.history) == (Decimal("99900.00"), "met", ((history[0].date, Decimal("17.5")), (history[1].date, Decimal("7.5"))))
    assert isinstance(ausfall.benefit, Decimal) and reaktion.benefit is None
    first = standings(ws.deals[0].model, history[:1], "EUR")
    assert [s.status for s in first] == ["on_track", "behind"] and first[0].benefit == Decimal("45900.00")


def test_the_review_has_a_chart_per_kpi_in_both_formats_with_alt_text(made):
    for name, values in (("review-2027-04-14", ["17,5"]), ("review-2027-10-13", ["17,5", "7,5"])):
        charts = chart_images(made / FOLDER / f"{name}.docx")
        assert len(charts) == 2
        alt = charts[0]._inline.docPr.get("descr")
        assert alt.startswith("Ungeplante Stillstandszeit der Prüfstände: Ausgangswert 26 h/Monat, Ziel 8 h/Monat, gemessen")
        assert all(v in alt for v in values)  # every review so far is on the chart
        blob = charts[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
        part = docx.Document(str(made / FOLDER / f"{name}.docx")).part.related_parts[blob]
        inches = charts[0].width / 914400
        assert part.content_type == "image/png" and part.image.px_width / inches >= 280  # print resolution as placed (300 dpi drawn)
        assert _vector_charts(made / FOLDER / f"{name}.pdf")


def _vector_charts(pdf: Path) -> bool:
    """The charts are drawn as paths in the page (SVG laid out by WeasyPrint), not as pictures:
    page 1's only image is the logo, and its content holds thousands of path operators."""
    page = PdfReader(str(pdf)).pages[0]
    subtypes = [x.get_object().get("/Subtype") for x in page["/Resources"].get("/XObject", {}).values()]
    content = page.get_contents().get_data()
    return subtypes.count("/Image") <= 1 and content.count(b" l\n") + content.count(b" c\n") > 500


def test_milestone_adherence_next_steps_and_the_options_not_taken(made):
    text = squash(pdf_text(made / FOLDER / "review-2027-10-13.pdf"))
    assert "M1 Dauerlaufprüfstände 6 bis 8 in der Überwachung 22.01.2027 26.01.2027 4 Tage später" in text  # recorded at the first review
    assert "Angebot für 2028 mit dem Workshop" in text and "Frank Seidel: Die Kosten lagen im Plan" in text
    assert "Kandidaten für das nächste Angebot" in text and "Supportpaket Bronze (8.280,00 €)" in text and "Workshop für Instandhaltungsteams (3.900,00 €)" in text


def test_the_plan_names_milestones_people_duties_sessions_and_escalation(made):
    for text in (squash(pdf_text(made / FOLDER / "implementation-plan.pdf")), squash(docx_text(made / FOLDER / "implementation-plan.docx"))):
        assert "Umsetzungsplan: Verlängerung und Erweiterung der Zustandsüberwachung" in text
        assert "M1 Dauerlaufprüfstände 6 bis 8 in der Überwachung · 22. Januar 2027" in text
        assert "15 Pumpen der Prüfstände 6 bis 8 mit Sensoren" in text and "Abnahmeprüfung innerhalb von 5 Tagen" in text
        assert "Claudia Wenzel (Qualität), Leiterin Prüffeld" in text and "Frank Seidel (Einkauf)" in text
        assert "Stellt die Sensoren für die Prüfstände 6 bis 8 bereit" in text and "Einweisung des Prüffelds am zweiten Inbetriebnahmetag" in text
        assert "Review 1: 14. April 2027" in text and "Review 2: 13. Oktober 2027" in text
        assert "Zuerst: Lena Vogt und Claudia Wenzel" in text and "Dr. Katrin Albers und Frank Seidel" in text
        assert "Entwurf" not in text  # the deal is accepted
    timeline = chart_images(made / FOLDER / "implementation-plan.docx")
    assert len(timeline) == 1 and "M1 Dauerlaufprüfstände 6 bis 8 in der Überwachung 22.01.2027; Review 1 14.04.2027" in timeline[0]._inline.docPr.get("descr")
    assert _vector_charts(made / FOLDER / "implementation-plan.pdf")


def test_a_plan_for_a_deal_not_accepted_is_a_draft(made):
    text = squash(pdf_text(made / "NW-2026-038-r1" / "implementation-plan.pdf"))
    assert "has not been accepted yet: this plan is a draft" in text and "DRAFT" in text


REVIEW = """date: 2027-04-14
kpis:
  ausfall: "17.5"
  reaktion: "7"
milestones:
  M1: 2027-01-26
remarks:
  - by: Claudia Wenzel
    text: Gut.
"""


@pytest.mark.parametrize("old, new, where, message", [
    ('ausfall: "17.5"', 'ausfal: "17.5"', ":3:3:", "unknown KPI id 'ausfal' (the deal's: ausfall, reaktion)"),
    ("date: 2027-04-14", "date: 2026-10-01", ":1:7:", "2026-10-01 is before the deal's date 2026-11-17"),
    ('"17.5"', '"viel"', ":3:12:", "kpis.ausfall"),
    ('"17.5"', "2027-04-01", ":3:12:", "kpis.ausfall"),  # a date where a number belongs
    ("M1: 2027", "M9: 2027", ":6:3:", "unknown milestone 'M9'"),
    ("M1: 2027-01-26", "M1: 2026-01-26", ":6:7:", "before the deal's date"),
    ("by: Claudia Wenzel", "by: Erika Muster", ":8:9:", "'Erika Muster' is neither in the deal's buying center nor its seller contact"),
])
def test_a_bad_review_file_is_located_exit_2_and_nothing_written(tmp_path, cli, old, new, where, message):
    ws = copy_example(tmp_path / "ws")
    assert old in REVIEW
    (ws / FIRST).write_text(REVIEW.replace(old, new), encoding="utf-8")
    code, out, err = cli("review", "-w", ws, DEAL, FIRST)
    assert code == 2 and f"{FIRST}{where}" in err and message in err, err
    assert not (ws / "output").exists()
    code, _, err = cli("build", "-w", ws, DEAL)  # build refuses before it renders anything
    assert code == 2 and message in err and not (ws / "output").exists()


def test_build_writes_the_plan_and_the_reviews_of_the_accepted_deal(tmp_path, cli):
    ws = copy_example(tmp_path / "ws")
    code, out, err = cli("build", "-w", ws, "--format", "pdf", DEAL, "deals/hafenlogistik.yaml")
    assert code == 0, err
    assert {"implementation-plan.pdf", "review-2027-04-14.pdf", "review-2027-10-13.pdf"} <= {p.name for p in (ws / "output" / FOLDER).iterdir()}
    assert not (ws / "output" / "NW-2026-038-r1" / "implementation-plan.pdf").exists()  # a draft deal gets none from build
    manifest = json.loads((ws / "output" / FOLDER / "manifest.json").read_text(encoding="utf-8"))
    assert "review-2027-10-13.pdf" in manifest["after_signature"] and "review-2027-10-13.pdf" not in manifest["outputs"]
    # The accepted offer's record stays as the customer received it; a changed review is written beside it.
    before = (ws / "output" / FOLDER / "review-2027-10-13.pdf").read_bytes()
    (ws / SECOND).write_text((ws / SECOND).read_text(encoding="utf-8").replace('ausfall: "7.5"', 'ausfall: "9"'), encoding="utf-8")
    code, out, err = cli("build", "-w", ws, "--format", "pdf", DEAL)
    assert code == 0, err
    assert "identical to the issued record, left untouched" in out and f"wrote output/{FOLDER}/review-2027-10-13.pdf" in out
    after = squash(pdf_text(ws / "output" / FOLDER / "review-2027-10-13.pdf"))
    assert (ws / "output" / FOLDER / "review-2027-10-13.pdf").read_bytes() != before and "Nutzen pro Jahr 91.800,00 €" in after  # (26 - 9) x 5,400


CHART_TWICE = """
import datetime, sys
from proposals.writers.charts import kpi_history
args = ("KPI", "h", 26.0, 8.0, [(datetime.date(2027, 4, 14), 17.5, "17,5")], datetime.date(2027, 1, 11), datetime.date(2027, 10, 13), "#1F3A5F", "Carlito", "alt", {"target": "T", "baseline": "B", "measured": "M"})
one, two = kpi_history(*args), kpi_history(*args)
assert (one.svg, one.png) == (two.svg, two.png)
assert b"<dc:date>" not in one.svg and b"2026" not in one.svg and one.src("pdf").startswith("data:image/svg+xml;base64,")
sys.stdout.buffer.write(one.svg)
"""


def test_chart_bytes_are_reproducible_and_undated():
    """In a fresh process each time (this one never loads matplotlib: forked workers under the
    lowest memory limit would inherit its address space): equal bytes within and across processes."""
    runs = [subprocess.run([sys.executable, "-c", CHART_TWICE], capture_output=True, cwd=REPO, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.startswith(b"<?xml")


def test_this_test_process_never_loaded_matplotlib(made, offers):
    """The plan and review commands render in a forked child, as build does."""
    assert "matplotlib" not in sys.modules


LIGHT = """
import sys, runpy
sys.argv = ["proposals"] + sys.argv[1:]
try:
    runpy.run_module("proposals", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print("matplotlib" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["check"], ["quote", "deals/hafenlogistik.yaml"], ["build", "--format", "pdf", "-o", "{out}", "deals/hafenlogistik.yaml"]])
def test_light_commands_do_not_import_matplotlib(tmp_path, args):
    args = [a.replace("{out}", str(tmp_path / "out")) for a in args]
    done = subprocess.run([sys.executable, "-c", LIGHT, *args, "-w", str(REPO)] if args[0] != "quote" else [sys.executable, "-c", LIGHT, *args, "-w", str(REPO)],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "False"


@pytest.fixture(scope="module")
def offers(tmp_path_factory):
    """The example's offers of a new task (acme: the full proposal), a modified and a straight rebuy."""
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("offer-figures") / "ws")
    assert run(["build", "-w", str(ws), "deals/acme-maschinenbau.yaml", "deals/hafenlogistik.yaml", "deals/kessler-pumpen.yaml"]) == 0
    return ws


def test_the_full_proposal_has_a_timeline_and_the_cost_over_the_term_the_others_none(offers):
    from proposals.commands.deal import price_deal
    from proposals.input.loading import load_workspace

    out = offers / "output"
    acme = next(p for p in out.iterdir() if p.name.startswith("NW-2026-041-"))
    charts = chart_images(acme / "offer.docx")
    alts = sorted(c._inline.docPr.get("descr") for c in charts)  # the cost (after the prices), then the timeline (delivery)
    assert len(charts) == 2 and alts[1].startswith("Timeline of milestones and review dates: M1 ") and alts[0].startswith("Net cost per contract year")
    assert _vector_charts_anywhere(acme / "offer.pdf")
    assert "Cost over the term" in pdf_text(acme / "offer.pdf")
    ws = load_workspace(offers, [offers / "deals" / "acme-maschinenbau.yaml"])
    quote = price_deal(ws, ws.deals[0])
    money = lambda a: f"€{a:,.2f}"  # noqa: E731 - en_GB
    # Year 1 carries the one-off net and its share of the recurring net; the alt text lists each year's parts.
    from proposals.pricing.term_cost import cost_by_year
    years = cost_by_year(quote)
    assert sum(y.one_off + y.recurring for y in years) == quote.one_off_net + quote.recurring_net
    assert years[0].one_off == quote.one_off_net and f"Year 1: {money(quote.one_off_net)} + {money(years[0].recurring)}" in alts[0]
    for folder in ("NW-2026-038-r1", "NW-2026-039-r1"):  # the compact quote, and a modified rebuy
        assert chart_images(out / folder / "offer.docx") == [] and "Cost over the term" not in pdf_text(out / folder / "offer.pdf")


def _vector_charts_anywhere(pdf: Path) -> bool:
    """Some page draws a chart as paths (thousands of path operators), none as a picture beyond the logo."""
    for page in PdfReader(str(pdf)).pages:
        subtypes = [x.get_object().get("/Subtype") for x in page["/Resources"].get("/XObject", {}).values()]
        content = page.get_contents().get_data()
        if subtypes.count("/Image") <= 1 and content.count(b" l\n") + content.count(b" c\n") > 500:
            return True
    return False


def test_cost_by_year_spreads_the_recurring_net_by_months_and_keeps_the_cent():
    from types import SimpleNamespace as NS

    from proposals.pricing.term_cost import cost_by_year

    # By hand: a 24-month line of 2,400.00 and a 12-month line of 100.00, recurring net 2,500.00 (no allowances).
    # Per month 100.00 and 8.333...; year 1 = 12 x 100 + 100 = 1,300.00, year 2 = 1,200.00: sums to 2,500.00.
    lines = (NS(recurring=True, term_months=24, net_amount=Decimal("2400.00")), NS(recurring=True, term_months=12, net_amount=Decimal("100.00")),
             NS(recurring=False, term_months=None, net_amount=Decimal("5000.00")))
    quote = NS(firm_lines=lines, recurring_net=Decimal("2500.00"), one_off_net=Decimal("5000.00"), currency="EUR")
    assert [(y.year, y.one_off, y.recurring) for y in cost_by_year(quote)] == [(1, Decimal("5000.00"), Decimal("1300.00")), (2, Decimal("0"), Decimal("1200.00"))]
