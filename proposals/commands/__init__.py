"""Commands: the work behind each CLI command, putting the stages together.

``build`` renders every deal in workers (``render``: one deal's documents;
``deal``: a priced deal on its way; ``output``: deal folders written
atomically); ``pack`` builds many deals incrementally with a manifest;
``check`` lints and renders without writing; ``preview`` serves live pages;
``records`` keeps issued revisions and approvals; ``revisions`` compares two
revisions; ``quote_table`` prints a Quote; ``readme`` regenerates the README's
reference sections. ``proposals.cli`` only parses arguments and calls these.
"""
