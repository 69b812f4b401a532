"""proposals: priced offers and draft contracts from a service catalog and clarified requirements.

Public API::

    from proposals import load_workspace, price, build
    ws = load_workspace(".")
    quote = price(ws.deals[0].model, ws.services, ws.seller.model)
"""

from .version import __version__


def __getattr__(name: str):
    # Lazy, so `proposals --help` does not import pydantic models, Jinja or WeasyPrint.
    if name == "load_workspace":
        from .input.loading import load_workspace

        return load_workspace
    if name == "price":
        from .pricing.lines import price

        return price
    if name == "build":
        from .commands.build import build

        return build
    raise AttributeError(name)
