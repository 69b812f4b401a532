"""proposals: priced offers and draft contracts from a service catalog and clarified requirements.

Public API::

    from proposals import load_workspace, price, build
    ws = load_workspace(".")
    quote = price(ws.deals[0].model, ws.services, ws.seller.model)
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # Lazy, so `proposals --help` does not import pydantic models, Jinja or WeasyPrint.
    if name == "load_workspace":
        from .loading import load_workspace

        return load_workspace
    if name == "price":
        from .pricing import price

        return price
    if name == "build":
        from .build import build

        return build
    raise AttributeError(name)
