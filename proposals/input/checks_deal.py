"""Cross-checks of one deal against the seller profile and the catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from .countries import EU_COUNTRIES
from .checks_work import deal_package_problems
from .findings import _close, _duplicates, error, warning
from ..errors import Problem
from ..money import total
from .model import Deal, SellerProfile, Service

if TYPE_CHECKING:
    from .workspace import Loaded


def deal_problems(loaded: "Loaded", seller: SellerProfile, services: dict[str, Service], unusable: frozenset[str] = frozenset()) -> Iterator[Problem]:
    """The deal's cross-checks; SKUs in ``unusable`` belong to catalog entries already reported as invalid."""
    deal: Deal = loaded.model
    yield from _currency(loaded, deal, seller, services)
    yield from _items(loaded, deal, services, unusable)
    yield from _installed(loaded, deal, services, unusable)
    yield from _duplicates(loaded, "purchase_criteria", [c.id for c in deal.purchase_criteria], "criterion id")
    yield from _duplicates(loaded, "requirements", [r.id for r in deal.requirements], "requirement id")
    yield from _duplicates(loaded, ("terms", "delivery", "milestones"), [m.id for m in deal.terms.delivery.milestones], "milestone id")
    yield from _kpis(loaded, deal)
    yield from _requirements(loaded, deal, services)
    yield from _sums(loaded, deal)
    yield from _dates(loaded, deal)
    yield from _taxes(loaded, deal, seller)
    yield from _allowance_scopes(loaded, deal, services)
    yield from _split_payment(loaded, deal, seller, services)
    yield from deal_package_problems(loaded, deal, services)


def _currency(loaded: "Loaded", deal: Deal, seller: SellerProfile, services: dict[str, Service]) -> Iterator[Problem]:
    currency = deal.currency or seller.default_currency
    if currency not in seller.offered_currencies():
        yield error(loaded.where("currency"), "currency", f"currency {currency} is not offered (the seller offers {', '.join(seller.offered_currencies())})")
        return
    yield from _duplicates(loaded, "exchange_rates", [r.key for r in deal.exchange_rates], "exchange rate pair")
    checked = set()
    for i, item in enumerate(deal.items):
        service = services.get(item.sku)
        if service is None or not service.needs_rate(currency):
            continue
        own = [(j, r, True) for j, r in enumerate(deal.exchange_rates)] + [(j, r, False) for j, r in enumerate(seller.exchange_rates)]
        found = next(((j, r, in_deal) for j, r, in_deal in own if r.factor(service.currency, currency) is not None), None)
        if found is None:
            listed = "a" if currency in service.price_lists else "no"
            yield error(loaded.where("items", i, "sku"), f"items[{i}].sku", f"{item.sku} is priced in {service.currency} and has {listed} {currency} price list"
                        f"{' missing some of its prices' if listed == 'a' else ''}; state an exchange rate {service.currency}/{currency} under exchange_rates (in the deal or the seller profile)")
            continue
        if found[1].pair not in checked:
            checked.add(found[1].pair)
            yield from _rate_age(loaded, deal, seller, i, *found)


def _rate_age(loaded: "Loaded", deal: Deal, seller: SellerProfile, i: int, j: int, rate, in_deal: bool) -> Iterator[Problem]:
    where, field = (loaded.where("exchange_rates", j, "date"), f"exchange_rates[{j}].date") if in_deal else (loaded.where("items", i, "sku"), f"items[{i}].sku")
    whose = "" if in_deal else " (seller profile)"
    age = (deal.date - rate.date).days
    if age < 0:
        yield error(where, field, f"the {rate.pair} rate{whose} of {rate.date.isoformat()} is dated after the offer ({deal.date.isoformat()})")
    elif seller.exchange_rate_max_age_days is not None and age > seller.exchange_rate_max_age_days:
        yield error(where, field, f"the {rate.pair} rate{whose} of {rate.date.isoformat()} is {age} days older than the offer; the seller profile allows {seller.exchange_rate_max_age_days}")


def _items(loaded: "Loaded", deal: Deal, services: dict[str, Service], unusable: frozenset[str]) -> Iterator[Problem]:
    skus = {item.sku for item in deal.items}
    firm = {item.sku for item in deal.items if not item.optional and item.alternative_to is None}
    for i, item in enumerate(deal.items):
        field = f"items[{i}]"
        service = services.get(item.sku)
        if service is None:
            if item.sku not in unusable:
                yield error(loaded.where("items", i, "sku"), f"{field}.sku", f"unknown SKU {item.sku}{_close(item.sku, services)}")
            continue
        yield from _item_role(loaded, i, item, service)
        if service.min_quantity is not None and item.quantity < service.min_quantity:
            yield error(loaded.where("items", i, "quantity"), f"{field}.quantity", f"{item.sku} is sold from {service.min_quantity} {service.unit if service.min_quantity == 1 else service.unit_plural or service.unit} (got {item.quantity})")
        if service.max_quantity is not None and item.quantity > service.max_quantity:
            yield error(loaded.where("items", i, "quantity"), f"{field}.quantity", f"{item.sku} is sold up to {service.max_quantity} {service.unit} (got {item.quantity})")
        if item.months is not None and service.billing == "once":
            yield error(loaded.where("items", i, "months"), f"{field}.months", f"{item.sku} is a one-off item; months apply to recurring items only")
        if item.months is not None and service.billing == "yearly" and item.months % 12:
            yield error(loaded.where("items", i, "months"), f"{field}.months", f"{item.sku} is billed yearly: give the term in whole years (12, 24, 36 months), not {item.months}")
        if item.months is not None and service.minimum_term_months and item.months < service.minimum_term_months:
            yield error(loaded.where("items", i, "months"), f"{field}.months", f"{item.sku} has a minimum term of {service.minimum_term_months} months (got {item.months})")
        if item.alternative_to is not None and item.alternative_to not in skus:
            yield error(loaded.where("items", i, "alternative_to"), f"{field}.alternative_to", f"{item.alternative_to} is not an item of this deal")
        if item.optional and item.alternative_to is not None:
            yield error(loaded.where("items", i, "optional"), f"{field}.optional", "an item is either optional or an alternative, not both")
        yield from _line_terms(loaded, i, item, service)
        if item.sku in firm:
            yield from _links(loaded, i, item.sku, service, firm | set(deal.customer.installed))


def _line_terms(loaded: "Loaded", i: int, item, service: Service) -> Iterator[Problem]:
    for j, ac in enumerate(item.allowances_charges):
        if (ac.amount is None) == (ac.percent is None):
            yield error(loaded.where("items", i, "allowances_charges", j), f"items[{i}].allowances_charges[{j}]", "give either amount or percent")
    if item.cap is not None and service.pricing not in ("rate_card", "work_package"):
        yield error(loaded.where("items", i, "cap"), f"items[{i}].cap", f"a cap applies to time-and-material (rate_card) items; {item.sku} is {service.pricing}")
    if item.credit and (item.optional or item.alternative_to):
        yield error(loaded.where("items", i, "credit"), f"items[{i}].credit", "a credit line cannot be optional or an alternative")


def _item_role(loaded: "Loaded", i: int, item, service: Service) -> Iterator[Problem]:
    field = f"items[{i}].role"
    roles = [r.role for r in service.rates]
    if item.work_package is not None or service.pricing == "work_package":
        return  # a work package names its roles under effort (checks_work)
    if service.pricing == "rate_card" and item.role is None:
        yield error(loaded.where("items", i), field, f"{item.sku} is billed by role; name one of: {', '.join(roles)}")
    elif service.pricing == "rate_card" and item.role not in roles:
        yield error(loaded.where("items", i, "role"), field, f"unknown role {item.role} for {item.sku} (known: {', '.join(roles)})")
    elif service.pricing != "rate_card" and item.role is not None:
        yield error(loaded.where("items", i, "role"), field, f"{item.sku} has no rate card; remove role")


def _links(loaded: "Loaded", i: int, sku: str, service: Service, firm: set[str]) -> Iterator[Problem]:
    for needed in service.requires:
        if needed not in firm:
            yield error(loaded.where("items", i, "sku"), f"items[{i}].sku", f"{sku} requires {needed}, which is neither a firm item of this deal nor in customer.installed")
    for banned in service.excludes:
        if banned in firm:
            yield error(loaded.where("items", i, "sku"), f"items[{i}].sku", f"{sku} cannot be combined with {banned}")


def _installed(loaded: "Loaded", deal: Deal, services: dict[str, Service], unusable: frozenset[str]) -> Iterator[Problem]:
    for j, sku in enumerate(deal.customer.installed):
        if sku not in services and sku not in unusable:
            yield error(loaded.where("customer", "installed", j), f"customer.installed[{j}]", f"unknown SKU {sku}{_close(sku, services)}")


def _requirements(loaded: "Loaded", deal: Deal, services: dict[str, Service]) -> Iterator[Problem]:
    skus = {item.sku for item in deal.items}
    firm = {item.sku for item in deal.items if not item.optional and item.alternative_to is None}
    for i, req in enumerate(deal.requirements):
        for j, sku in enumerate(req.covered_by):
            if sku not in skus:
                hint = " (it is in the catalog but not among this deal's items)" if sku in services else _close(sku, skus)
                yield error(loaded.where("requirements", i, "covered_by", j), f"requirements[{i}].covered_by[{j}]", f"{sku} is not an item of this deal{hint}")
        if req.priority != "must" and not skus.intersection(req.covered_by):
            yield warning(loaded.where("requirements", i, "id"), f"requirements[{i}]", f"{req.priority}-have requirement {req.id} is covered by no item; the offer says so", "offer.requirement-uncovered")
        if req.priority == "must" and not firm.intersection(req.covered_by):
            yield error(loaded.where("requirements", i, "id"), f"requirements[{i}]", f"must-have requirement {req.id} is covered by no firm item (optional and alternative items do not count)")


def _sums(loaded: "Loaded", deal: Deal) -> Iterator[Problem]:
    if deal.purchase_criteria:
        weights = total(c.weight for c in deal.purchase_criteria)
        if weights != 100:
            yield error(loaded.where("purchase_criteria"), "purchase_criteria", f"weights add up to {weights}, not 100")
    yield from _milestones(loaded, deal)
    yield from _status(loaded, deal)
    for i, d in enumerate(deal.contract.deviations):
        if d.action == "strike" and d.text:
            yield error(loaded.where("contract", "deviations", i, "text"), f"contract.deviations[{i}].text", "a struck clause takes no text")
        if d.action != "strike" and not d.text:
            yield error(loaded.where("contract", "deviations", i), f"contract.deviations[{i}].text", f"{d.action} needs the new text")
    for i, ac in enumerate(deal.allowances_charges):
        if (ac.amount is None) == (ac.percent is None):
            yield error(loaded.where("allowances_charges", i), f"allowances_charges[{i}]", "give either amount or percent")


def _status(loaded: "Loaded", deal: Deal) -> Iterator[Problem]:
    if deal.status != "draft" and deal.issued_on is None:
        article = "a" if deal.status == "rejected" else "an"  # an issued, accepted, expired revision
        yield error(loaded.where("status"), "issued_on", f"{article} {deal.status} revision needs issued_on (when it was sent)")
    if deal.status in ("accepted", "rejected") and deal.decided_on is None:
        yield error(loaded.where("status"), "decided_on", f"an {deal.status} revision needs decided_on" if deal.status == "accepted" else "a rejected revision needs decided_on")
    if deal.issued_on and deal.issued_on < deal.date:
        yield error(loaded.where("issued_on"), "issued_on", f"is before the offer date {deal.date}")
    if deal.decided_on and deal.issued_on and deal.decided_on < deal.issued_on:
        yield error(loaded.where("decided_on"), "decided_on", f"is before issued_on {deal.issued_on}")


def _milestones(loaded: "Loaded", deal: Deal) -> Iterator[Problem]:
    milestones = deal.terms.payment.milestones
    for i, m in enumerate(milestones):
        if (m.amount is None) == (m.percent is None):
            yield error(loaded.where("terms", "payment", "milestones", i), f"terms.payment.milestones[{i}]", "give either percent or amount")
    percents = [m.percent for m in milestones if m.percent is not None]
    if percents and total(percents) != 100:
        yield error(loaded.where("terms", "payment", "milestones"), "terms.payment.milestones", f"percentages add up to {total(percents)}, not 100")
    if sum(1 for m in milestones if m.remainder) > 1:
        yield error(loaded.where("terms", "payment", "milestones"), "terms.payment.milestones", "only one instalment can take the remainder")


def _dates(loaded: "Loaded", deal: Deal) -> Iterator[Problem]:
    if deal.valid_until is not None and deal.valid_until < deal.date:
        yield error(loaded.where("valid_until"), "valid_until", f"is before the offer date {deal.date}")
    delivery = deal.terms.delivery
    if delivery.start and delivery.end and delivery.end < delivery.start:
        yield error(loaded.where("terms", "delivery", "end"), "terms.delivery.end", f"is before the start {delivery.start}")
    if delivery.start and delivery.start < deal.date:
        yield error(loaded.where("terms", "delivery", "start"), "terms.delivery.start", f"is before the offer date {deal.date}")
    # mutmut: None -> "" is equivalent: previous is only tested for truth before the first date replaces it.
    previous = None
    for i, milestone in enumerate(delivery.milestones):
        if milestone.date is None:
            continue  # derived from a work package (checks_work)
        field = f"terms.delivery.milestones[{i}].date"
        where = loaded.where("terms", "delivery", "milestones", i, "date")
        if previous and milestone.date < previous:
            yield error(where, field, f"milestones must be in date order ({milestone.date} comes after {previous})")
        if delivery.start and milestone.date < delivery.start or delivery.end and milestone.date > delivery.end:
            yield error(where, field, f"{milestone.date} lies outside the delivery period")
        previous = milestone.date
    reviews = deal.success_monitoring.reviews
    for i in range(1, len(reviews)):
        if reviews[i] < reviews[i - 1]:
            yield error(loaded.where("success_monitoring", "reviews", i), f"success_monitoring.reviews[{i}]", "review dates must be in order")


def _kpis(loaded: "Loaded", deal: Deal) -> Iterator[Problem]:
    """KPI ids are unique; a milestone's responsible person is in the buying center; a measured KPI has its baseline and target as numbers, and a value per unit needs both."""
    kpis = deal.success_monitoring.kpis
    yield from _duplicates(loaded, ("success_monitoring", "kpis"), [k.id or f"#{i}" for i, k in enumerate(kpis)], "KPI id")
    for i, kpi in enumerate(kpis):
        given = [f for f in ("baseline_value", "target_value") if getattr(kpi, f) is not None]
        if len(given) == 1 or (kpi.value_per_unit is not None and len(given) < 2):
            field = "value_per_unit" if len(given) != 1 else given[0]
            yield error(loaded.where("success_monitoring", "kpis", i, field), f"success_monitoring.kpis[{i}].{field}", "give baseline_value and target_value together (a value per unit needs both)")
        elif len(given) == 2 and kpi.baseline_value == kpi.target_value:
            yield error(loaded.where("success_monitoring", "kpis", i, "target_value"), f"success_monitoring.kpis[{i}].target_value", "the target equals the baseline: nothing to improve")
    people = {p.name for p in deal.buying_center}
    for i, m in enumerate(deal.terms.delivery.milestones):
        if m.responsible is not None and m.responsible not in people:
            yield error(loaded.where("terms", "delivery", "milestones", i, "responsible"), f"terms.delivery.milestones[{i}].responsible", f"{m.responsible!r} is not in the buying center{_close(m.responsible, people)}")


def _taxes(loaded: "Loaded", deal: Deal, seller: SellerProfile) -> Iterator[Problem]:
    for i, ac in enumerate(deal.allowances_charges):
        # A percentage follows the lines it applies to; only a fixed amount is taxed in its own category.
        if ac.percent is None and seller.tax_category(ac.tax_category) is None:
            yield error(loaded.where("allowances_charges", i, "tax_category"), f"allowances_charges[{i}].tax_category", f"unknown tax category {ac.tax_category}")
    country = deal.customer.address.country
    if deal.reverse_charge and deal.outside_scope:
        yield error(loaded.where("outside_scope"), "outside_scope", "a deal is either reverse charge (EU) or outside scope (non-EU), not both")
    elif deal.reverse_charge:
        yield from _reverse_charge(loaded, deal, seller)
    elif deal.outside_scope:
        if not any(t.code == "O" for t in seller.tax_categories):
            yield error(loaded.where("outside_scope"), "outside_scope", "the seller profile has no outside-scope (O) tax category")
        if country in EU_COUNTRIES:
            yield error(loaded.where("outside_scope"), "outside_scope", f"the customer is in the EU ({country}); use reverse_charge for EU business customers")
    elif country not in EU_COUNTRIES and seller.address.country in EU_COUNTRIES:
        message = f"the customer is outside the EU ({country}) but domestic VAT is charged; set outside_scope: true if the place of supply is abroad"
        yield warning(loaded.where("customer", "address", "country"), "customer.address.country", message, "tax.check-treatment")


def _allowance_scopes(loaded: "Loaded", deal: Deal, services: dict[str, Service]) -> Iterator[Problem]:
    """A scoped percentage names catalog categories and items of the deal, and stands on at least one firm line."""
    categories = list(dict.fromkeys(s.category for s in services.values()))
    items = {item.sku for item in deal.items}
    for i, ac in enumerate(deal.allowances_charges):
        field = f"allowances_charges[{i}]"
        if ac.percent is None:
            for name in ("categories", "skus") if ac.amount is not None else ():
                if getattr(ac, name):
                    yield error(loaded.where("allowances_charges", i, name), f"{field}.{name}", f"a fixed amount is taken of no lines; {name} limit a percentage only (applies_to puts a fixed amount on the one-off or recurring part)")
            continue
        flaws = [error(loaded.where("allowances_charges", i, "categories", j), f"{field}.categories[{j}]", f"unknown catalog category {category}{_close(category, categories)}")
                 for j, category in enumerate(ac.categories) if category not in categories]
        flaws += [error(loaded.where("allowances_charges", i, "skus", j), f"{field}.skus[{j}]", f"{sku} is not an item of this deal{_not_in_deal(sku, items, services)}")
                  for j, sku in enumerate(ac.skus) if sku not in items]
        yield from flaws
        if flaws or not (ac.applies_to or ac.categories or ac.skus):
            continue
        matched = [item for item in deal.items if item.sku in services and _in_scope(ac, services[item.sku])]
        if not any(not item.optional and item.alternative_to is None for item in matched):
            but = "; only optional or alternative items do, and they stay out of the totals" if matched else ""
            yield error(loaded.where("allowances_charges", i), field, f"the percentage is limited to {_scope_text(ac)}, which no firm item of this deal is{but}: it would stand on nothing")


def _not_in_deal(sku: str, items: set[str], services: dict[str, Service]) -> str:
    return " (it is in the catalog but not among this deal's items)" if sku in services else _close(sku, items | set(services))


def _in_scope(ac, service: Service) -> bool:
    part = None if ac.applies_to is None else ac.applies_to == "recurring"
    return (part is None or part == (service.billing != "once")) and (not ac.categories or service.category in ac.categories) and (not ac.skus or service.sku in ac.skus)


def _scope_text(ac) -> str:
    limits = [f"{ac.applies_to.replace('_', '-')} items"] if ac.applies_to else []
    limits += [f"{'category' if len(ac.categories) == 1 else 'categories'} {', '.join(ac.categories)}"] if ac.categories else []
    limits += [f"{'SKU' if len(ac.skus) == 1 else 'SKUs'} {', '.join(ac.skus)}"] if ac.skus else []
    return " and ".join(limits)


def _split_payment(loaded: "Loaded", deal: Deal, seller: SellerProfile, services: dict[str, Service]) -> Iterator[Problem]:
    """EN 16931 BR-B-01 (split payment only between Italian parties) and BR-B-02 (not beside standard-rated lines)."""
    def code(category_id: str) -> str | None:
        category = seller.tax_category(category_id)
        return category.code if category else None

    used = [(("items", i, "sku"), f"items[{i}].sku", code(services[item.sku].tax_category))
            for i, item in enumerate(deal.items) if item.sku in services]
    used += [(("allowances_charges", i, "tax_category"), f"allowances_charges[{i}].tax_category", code(ac.tax_category))
             for i, ac in enumerate(deal.allowances_charges) if ac.percent is None]
    split = [u for u in used if u[2] == "B"]
    if not split:
        return
    path, field, _ = split[0]
    countries = (seller.address.country, deal.customer.address.country)
    if countries != ("IT", "IT"):
        yield error(loaded.where(*path), field, f"split payment (category B) is for Italian sellers and customers only (seller {countries[0]}, customer {countries[1]})")
    standard = next((u for u in used if u[2] == "S"), None)
    if standard:
        yield error(loaded.where(*standard[0]), standard[1], "an offer with split payment (category B) cannot also have standard-rated (S) lines or amounts")


def _reverse_charge(loaded: "Loaded", deal: Deal, seller: SellerProfile) -> Iterator[Problem]:
    country = deal.customer.address.country
    if not any(t.code == "AE" for t in seller.tax_categories):
        yield error(loaded.where("reverse_charge"), "reverse_charge", "the seller profile has no reverse-charge (AE) tax category")
    if not deal.customer.vat_id:
        yield error(loaded.where("customer"), "customer.vat_id", "reverse charge needs the customer's VAT id")
    if country == seller.address.country:
        yield error(loaded.where("reverse_charge"), "reverse_charge", "reverse charge applies to customers in another country")
    elif country not in EU_COUNTRIES:
        yield error(loaded.where("reverse_charge"), "reverse_charge", f"reverse charge applies within the EU; the customer is in {country} (use outside_scope)")
