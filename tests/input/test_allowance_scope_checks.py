"""Cross-checks of scoped document percentages (issue #17 part 3): exact messages, one flaw per case.

The scope names catalog categories as the catalog writes them and items of the deal; it may not
be given to a fixed amount; and it must stand on at least one firm line."""

from __future__ import annotations

from decimal import Decimal

from tests.input.test_cross_check_messages import err, run
from tests.pricing.pricing_fixtures import catalog, deal, service

SERVICES = catalog(
    service("LIC-CORE", "1000.00", category="Software"),
    service("SUB-CLOUD", "100.00", category="Software", billing="monthly"),
    service("CONS-DAY", "1200.00", category="Consulting"),
    service("TRAIN-DAY", "900.00", category="Training"),
)
ITEMS = [{"sku": "LIC-CORE", "quantity": "1"}, {"sku": "SUB-CLOUD", "quantity": "1", "months": 12}, {"sku": "CONS-DAY", "quantity": "2"}]


def percent(**scope):
    return [{"kind": "allowance", "reason": "Framework", "percent": Decimal(3), **scope}]


def checked(items=ITEMS, **scope):
    return run(deal(items, allowances_charges=percent(**scope)), None, SERVICES)


def test_every_scope_kind_and_their_intersection_pass_when_they_stand_on_a_firm_line():
    """One-off, recurring, a category, SKUs, and one-off Software (= LIC-CORE) all find firm lines.
    Guards against a check that fires on a sound scope (e.g. the firm test inverted, the category set
    built from translations)."""
    assert checked(applies_to="one_off") == []
    assert checked(applies_to="recurring") == []
    assert checked(categories=["Software"]) == []
    assert checked(skus=["LIC-CORE", "CONS-DAY"]) == []
    assert checked(applies_to="one_off", categories=["Software"], skus=["LIC-CORE"]) == []


def test_an_unknown_category_is_refused_with_the_closest_catalog_name():
    """"Sofware" is no catalog category; Software is the closest. Guards against: the check dropped,
    the path or index of the entry lost, the did-you-mean taken from the SKUs."""
    assert checked(categories=["Consulting", "Sofware"]) == [
        err("allowances_charges/0/categories/1", "allowances_charges[0].categories[1]", "unknown catalog category Sofware; did you mean Software?")]


def test_an_unknown_sku_and_one_that_is_not_an_item_of_the_deal_are_refused():
    """LIC-CORX is a typo of LIC-CORE; TRAIN-DAY is in the catalog but not in the deal. Guards against:
    the SKU check dropped, catalog SKUs accepted although the deal does not have them."""
    assert checked(skus=["LIC-CORX", "TRAIN-DAY"]) == [
        err("allowances_charges/0/skus/0", "allowances_charges[0].skus[0]", "LIC-CORX is not an item of this deal; did you mean LIC-CORE?"),
        err("allowances_charges/0/skus/1", "allowances_charges[0].skus[1]", "TRAIN-DAY is not an item of this deal (it is in the catalog but not among this deal's items)")]


def test_a_fixed_amount_takes_no_categories_or_skus():
    """A fixed amount is not taken of lines, so categories and skus would mean nothing; applies_to
    keeps its meaning (the part it reduces). Guards against the check dropped, or fired on applies_to."""
    fixed = [{"kind": "allowance", "reason": "Goodwill", "amount": Decimal(50), "categories": ["Software"], "skus": ["LIC-CORE"], "applies_to": "recurring"}]
    assert run(deal(ITEMS, allowances_charges=fixed), None, SERVICES) == [
        err("allowances_charges/0/categories", "allowances_charges[0].categories", "a fixed amount is taken of no lines; categories limit a percentage only (applies_to puts a fixed amount on the one-off or recurring part)"),
        err("allowances_charges/0/skus", "allowances_charges[0].skus", "a fixed amount is taken of no lines; skus limit a percentage only (applies_to puts a fixed amount on the one-off or recurring part)")]


def test_a_scope_no_firm_line_matches_would_stand_on_nothing():
    """Recurring Consulting: CONS-DAY is one-off, so the intersection is empty although each limit alone
    matches a line. Guards against: scopes combined by union, the empty-scope check dropped."""
    assert checked(applies_to="recurring", categories=["Consulting"]) == [
        err("allowances_charges/0", "allowances_charges[0]", "the percentage is limited to recurring items and category Consulting, which no firm item of this deal is: it would stand on nothing")]


def test_a_scope_only_optional_or_alternative_lines_match_is_refused_and_says_so():
    """TRAIN-DAY is optional, so a Training scope finds it but no firm line; the message says why.
    Guards against optional or alternative items counted as firm."""
    items = ITEMS + [{"sku": "TRAIN-DAY", "quantity": "1", "optional": True}]
    assert checked(items, categories=["Training"], skus=["TRAIN-DAY"]) == [
        err("allowances_charges/0", "allowances_charges[0]", "the percentage is limited to category Training and SKU TRAIN-DAY, which no firm item of this deal is; "
            "only optional or alternative items do, and they stay out of the totals: it would stand on nothing")]
    alternative = ITEMS + [{"sku": "TRAIN-DAY", "quantity": "1", "alternative_to": "CONS-DAY"}]
    assert checked(alternative, categories=["Training"])[0][3].endswith("only optional or alternative items do, and they stay out of the totals: it would stand on nothing")


def test_an_unscoped_percentage_needs_no_firm_line_check():
    """No scope: the percentage applies to every firm line as before the scopes existed, and a
    one-off-only deal is not refused. Guards against the empty-scope check firing without a scope."""
    assert run(deal([{"sku": "CONS-DAY", "quantity": "1"}], allowances_charges=percent()), None, SERVICES) == []


def test_an_unknown_category_alone_is_one_problem_not_two():
    """Sofware matches nothing: the typo is reported, not also "would stand on nothing". Guards against the
    flaw not stopping the firm-line check, and a later scoped entry not checked after a flawed one."""
    acs = [{"kind": "allowance", "reason": "a", "percent": Decimal(3), "categories": ["Sofware"]},
           {"kind": "allowance", "reason": "b", "percent": Decimal(3), "categories": ["Training"]},
           {"kind": "allowance", "reason": "c", "amount": Decimal(3)},
           {"kind": "allowance", "reason": "d", "percent": Decimal(3), "skus": ["TRAIN-DAX"]}]
    assert run(deal(ITEMS, allowances_charges=acs), None, SERVICES) == [
        err("allowances_charges/0/categories/0", "allowances_charges[0].categories[0]", "unknown catalog category Sofware; did you mean Software?"),
        err("allowances_charges/1", "allowances_charges[1]", "the percentage is limited to category Training, which no firm item of this deal is: it would stand on nothing"),
        # the did-you-mean also looks in the catalog: TRAIN-DAY is there, though not in this deal
        err("allowances_charges/3/skus/0", "allowances_charges[3].skus[0]", "TRAIN-DAX is not an item of this deal; did you mean TRAIN-DAY?")]


def test_a_scope_names_every_limit_in_the_plural_where_there_are_several():
    """One-off items of two categories and two SKUs that are recurring: nothing. Guards against the wording
    of the plural forms and of the one-off part."""
    services = catalog(*SERVICES.values(), service("SUP-M", "50.00", category="Software", billing="monthly"))
    items = ITEMS + [{"sku": "SUP-M", "quantity": "1", "months": 12}]
    assert run(deal(items, allowances_charges=percent(applies_to="one_off", categories=["Software", "Training"], skus=["SUB-CLOUD", "SUP-M"])), None, services) == [
        err("allowances_charges/0", "allowances_charges[0]", "the percentage is limited to one-off items and categories Software, Training and SKUs SUB-CLOUD, SUP-M, which no firm item of this deal is: it would stand on nothing")]


def test_a_category_scope_takes_recurring_lines_too():
    """Only the monthly SUB-CLOUD is Software here: a Software scope without applies_to stands on it. Guards
    against a missing applies_to read as one-off."""
    assert run(deal([{"sku": "SUB-CLOUD", "quantity": "1", "months": 12}], allowances_charges=percent(categories=["Software"])), None, SERVICES) == []


def test_an_entry_with_neither_amount_nor_percent_gets_that_problem_only():
    """Guards against the fixed-amount scope check run for an entry that is neither."""
    acs = [{"kind": "allowance", "reason": "a", "categories": ["Software"]}]
    assert run(deal(ITEMS, allowances_charges=acs), None, SERVICES) == [err("allowances_charges/0", "allowances_charges[0]", "give either amount or percent")]


def test_a_part_alone_is_named_without_any_category():
    """A recurring scope on a one-off-only deal: the message names the part and nothing else. Guards against
    an empty category list printed as "categories "."""
    assert run(deal([{"sku": "CONS-DAY", "quantity": "1"}], allowances_charges=percent(applies_to="recurring")), None, SERVICES) == [
        err("allowances_charges/0", "allowances_charges[0]", "the percentage is limited to recurring items, which no firm item of this deal is: it would stand on nothing")]
