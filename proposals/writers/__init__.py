"""Writers: the rendered HTML document tree (or the Quote) in, file bytes out.

``pdf`` hands the tree to WeasyPrint with a fetcher that serves only what the
workspace's asset policy allows; ``docx`` walks the same tree with one handler
per element on top of the sanitized ``reference.docx`` (``reference/``);
``json`` writes quote.json. Each writer declares ``name`` and ``suffix``;
``FORMATS`` lists the document formats. Writers never price and never read
YAML; the PDF and DOCX writers import their heavy libraries lazily.
"""

FORMATS = ("pdf", "docx")
