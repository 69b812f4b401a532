"""A success review file: what was measured at one joint review of an accepted deal."""

from __future__ import annotations

from .common import Day, Identifier, Model, Number, Text


class Remark(Model):
    """What one person said at the review."""

    by: Text
    """Name of a buying-center member of the deal, or of the seller's contact."""
    text: Text
    """The remark as printed, e.g. "Alarms reach the night shift reliably"."""


class Review(Model):
    """One joint success review: ``reviews/<deal file name>/<date>.yaml``, e.g. ``reviews/kessler-pumpen/2027-04-14.yaml``."""

    date: Day
    """Day of the review; not before the deal's date. The document is ``review-<date>``."""
    kpis: dict[Identifier, Number] = {}
    """Measured value per KPI id of the deal (``success_monitoring.kpis[].id``), in the KPI's unit, e.g. ``{downtime: "9.5"}``."""
    milestones: dict[Identifier, Day] = {}
    """Actual date per delivery milestone id (``terms.delivery.milestones[].id``), e.g. ``{M1: 2027-01-26}``."""
    remarks: list[Remark] = []
    """Remarks per stakeholder."""
    next_steps: list[Text] = []
    """What both sides do next, in order."""
