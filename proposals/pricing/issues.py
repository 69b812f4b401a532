"""What makes a deal unpriceable, raised by every pricing step and located by the commands."""


class PricingIssue(ValueError):
    """The deal cannot be priced as written; ``field`` is the deal's field path."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)
