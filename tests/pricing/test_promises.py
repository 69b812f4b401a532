"""README promise of step 7 of the price calculation (issue #23): SEK is cash-rounded to whole kronor.

The docstrings name the mutation of the code each test guards against."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from proposals.pricing.lines import price

from .pricing_fixtures import catalog, deal, seller, service


@pytest.mark.parametrize(
    "unit_price, inclusive, rounding, payable",
    [
        ("1000.49", "1190.58", "0.42", "1191"),  # 1000.49 + 190.09 VAT
        ("1000.10", "1190.12", "-0.12", "1190"),  # 1000.10 + 190.02 VAT
        ("100.00", "119.00", "0.00", "119"),  # already whole
    ],
)
def test_sek_amount_payable_is_rounded_to_whole_kronor(unit_price, inclusive, rounding, payable):
    """Mutation: SEK dropped from ``DEFAULT_PAYABLE_ROUNDING`` in pricing/taxes.py (payable stays in öre),
    or the cash rounding applied to the wrong amount (the VAT or the line totals instead of BT-115)."""
    q = price(deal([{"sku": "S", "quantity": "1"}], currency="SEK"), catalog(service("S", unit_price, currency="SEK")), seller())
    t = q.totals
    assert (t.tax_inclusive_total, t.rounding, t.payable) == (D(inclusive), D(rounding), D(payable))
    assert t.payable == t.payable.to_integral_value()
    assert t.tax_inclusive_total - t.prepaid + t.rounding == t.payable


def test_sek_rounding_reaches_quote_json_of_a_built_deal(minimal: Path, cli):
    """Mutation: the rounding is computed but not written (``rounding``/``payable`` of quote.json taken from the
    unrounded total), or SEK loses its built-in rounding."""
    seller_file = minimal / "catalog" / "seller.yaml"
    seller_file.write_text(seller_file.read_text().replace("default_currency: EUR\n", "default_currency: EUR\ncurrencies: [EUR, SEK]\n"))
    services = minimal / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace('    price: "1000.00"\n', '    price: "1000.49"\n    currency: SEK\n', 1))
    deal_file = minimal / "deals" / "basic.yaml"
    text = deal_file.read_text().replace("title: Test offer\n", "title: Test offer\ncurrency: SEK\n")
    deal_file.write_text(text.replace("  - sku: LIC\n    quantity: 12\n    months: 12\n", ""))
    code, out, err = cli("quote", "-w", minimal, "deals/basic.yaml", "--json")
    assert code == 0, err
    totals = json.loads(out)["totals"]
    # 3 x 1000.49 = 3001.47 + 570.28 VAT = 3571.75 -> 3572
    assert (totals["tax_inclusive_total"], totals["rounding"], totals["payable"]) == ("3571.75", "0.25", "3572.00")


def test_the_seller_profile_sets_cash_rounding_for_other_currencies_and_overrides_the_built_in():
    """Mutation: ``payable_rounding`` of the seller profile ignored (only the built-in CHF/SEK table used),
    or the built-in table taking precedence over the seller's own value."""
    eur = price(deal([{"sku": "E", "quantity": "1"}]), catalog(service("E", "10.03")), seller(payable_rounding={"EUR": D("0.10")}))
    assert (eur.totals.tax_inclusive_total, eur.totals.rounding, eur.totals.payable) == (D("11.94"), D("-0.04"), D("11.90"))
    plain = price(deal([{"sku": "E", "quantity": "1"}]), catalog(service("E", "10.03")), seller())
    assert (plain.totals.rounding, plain.totals.payable) == (D("0.00"), D("11.94"))  # EUR has no cash rounding of its own
    sek = price(deal([{"sku": "S", "quantity": "1"}], currency="SEK"), catalog(service("S", "1000.49", currency="SEK")), seller(payable_rounding={"SEK": D("0.50")}))
    assert sek.totals.payable == D("1190.50")  # 1190.58 to the seller's 0.50, not to whole kronor


@pytest.mark.internal_error_expected
def test_a_broken_invariant_is_reported_as_a_bug_and_nothing_is_written(minimal: Path, cli, monkeypatch):
    """Mutation: ``invariants(quote)`` no longer called in pricing/lines.py (or an invariant dropped from
    pricing/taxes.py), so a VAT breakdown that does not add up to the tax total would be printed."""
    import dataclasses

    import proposals.pricing.lines as lines

    real = lines.totals_and_vat

    def off_by_a_cent(*args, **kwargs):
        totals, vat, one_off, recurring = real(*args, **kwargs)
        t = dataclasses.replace(totals, tax_total=totals.tax_total + D("0.01"), tax_inclusive_total=totals.tax_inclusive_total + D("0.01"),
                                payable=totals.payable + D("0.01"))
        return t, vat, one_off, recurring  # self-consistent totals, but the VAT breakdown no longer adds up

    monkeypatch.setattr(lines, "totals_and_vat", off_by_a_cent)
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 1 and err.startswith("internal error (a bug in proposals"), err
    assert "InvariantViolation" in err
    saved = Path(err.split("details saved to ")[1].strip())
    assert "VAT breakdown does not sum to the tax total" in saved.read_text()
    assert not (minimal / "output").exists() or not any((minimal / "output").iterdir())
