"""Work packages: a price worked out from the effort it takes (issue #19).

A catalog service with ``pricing: work_package`` is a reusable template; a deal
item takes it and adjusts it under ``work_package:``, or describes a package of its
own on a rate-card service. Efforts are in the unit of the rate card (days or hours).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from .common import Flag, Identifier, Model, Number, Text

Effort = Annotated[Number, Field(ge=0, decimal_places=2)]
PackagePricing = Literal["fixed", "time_and_material", "capped"]


class RoleEffort(Model):
    """The effort of one rate-card role: one figure, or a three-point estimate."""

    role: Identifier
    """Role of the rate card, e.g. ``senior``."""
    effort: Effort | None = None
    """One figure, in the rate card's unit (days or hours); give this or the three points."""
    optimistic: Effort | None = None
    """Three-point estimate: the effort if everything goes well."""
    likely: Effort | None = None
    """Three-point estimate: the most likely effort."""
    pessimistic: Effort | None = None
    """Three-point estimate: the effort if the known risks strike; the PERT rule gives (optimistic + 4 x likely + pessimistic) / 6, spread (pessimistic - optimistic) / 6."""


class WorkPackage(Model):
    """A work package: what is delivered, the effort it takes, how it is priced. In a deal every field adjusts the catalog template's."""

    id: Identifier | None = None
    """Key within the deal, e.g. ``WP1``; dependencies and delivery milestones name it."""
    name: Text | None = None
    """Name as printed (default: the catalog service's name)."""
    description: Text | None = None
    """What the package covers, printed under the name (default: the service's description)."""
    rate_card: Identifier | None = None
    """SKU of the rate-card service whose roles price the effort (a template names it; a package on a rate-card item uses that item)."""
    effort: list[RoleEffort] | None = None
    """Effort per role; in a deal, an entry replaces the template's entry of the same role and adds a role it lacks."""
    pricing: PackagePricing | None = None
    """fixed (effort x rates + risk buffer, rounded), time_and_material (billed at the rates; the effort is the estimate) or capped (time and material, not to exceed the fixed price the same rule gives). Default fixed."""
    buffer_percent: Annotated[Number, Field(ge=0, le=100)] | None = None
    """Risk buffer in percent of effort x rates; give this or buffer_spreads."""
    buffer_spreads: Annotated[Number, Field(ge=0, le=6)] | None = None
    """Risk buffer derived from the estimate: this many spreads (standard deviations) of each role's effort, at the role's rate."""
    round_up_to: Annotated[Number, Field(gt=0)] | None = None
    """The package price is rounded up to a multiple of this, e.g. "100" (default: the currency's minor unit)."""
    deliverables: list[Text] | None = None
    """What the customer receives, printed with the package."""
    assumptions: list[Text] | None = None
    """What the estimate rests on; printed in the offer and the contract's annex, a change is handled as a change request."""
    depends_on: list[Identifier] = []
    """Ids of packages that must end before this one starts."""
    show_effort: Flag | None = None
    """Print the effort per role in the offer (default: no; the estimate is internal)."""


def merged(template: WorkPackage | None, own: WorkPackage | None) -> WorkPackage:
    """The deal's package over the catalog template: given fields replace, efforts replace role by role,
    a buffer rule replaces the template's buffer rule."""
    if template is None:
        return own or WorkPackage()
    if own is None:
        return template
    given = {k: getattr(own, k) for k in own.model_fields_set}
    if "buffer_percent" in given:  # the deal's buffer rule replaces the template's, whichever kind each is
        given.setdefault("buffer_spreads", None)
    if "buffer_spreads" in given:
        given.setdefault("buffer_percent", None)
    if own.effort is not None and template.effort is not None:
        mine = {e.role: e for e in own.effort}
        given["effort"] = [mine.pop(e.role, e) for e in template.effort] + list(mine.values())
    return template.model_copy(update=given)


def expected(effort: RoleEffort) -> tuple[Decimal, Decimal]:
    """(expected effort, spread) of one role, each rounded half up to 0.01: PERT (o + 4m + p) / 6 and (p - o) / 6."""
    cent = Decimal("0.01")
    if effort.effort is not None:
        return effort.effort, Decimal(0)
    o, m, p = effort.optimistic, effort.likely, effort.pessimistic
    return ((o + 4 * m + p) / 6).quantize(cent, "ROUND_HALF_UP"), ((p - o) / 6).quantize(cent, "ROUND_HALF_UP")  # type: ignore[operator]
