"""Pricing: a validated deal, its services and the seller profile in, the Quote out. Pure: no I/O, Decimal only.

``lines`` prices each deal item (tiers, packages, rate cards, discounts, line
allowances and charges: each line's waterfall); ``work`` prices a work package
from its effort (PERT, buffer, rounding) and plans it; ``taxes`` adds the document
allowances and charges, the VAT breakdown and the totals, and checks the
invariants; ``schedule`` splits the one-off part into the payment schedule;
``guardrails`` raises the seller's internal findings (discounts above a limit,
margins below a floor) and says which are approved. ``quote`` is the result,
the single source of every printed number; an unpriceable deal raises
:class:`~proposals.pricing.issues.PricingIssue` naming the deal's field.
"""
