"""Writers turn a rendered document tree (HTML) or the Quote into files.

Each declares ``name`` and ``suffix``; ``WRITERS`` lists them by name.
The DOCX and PDF writers import their heavy libraries lazily.
"""

FORMATS = ("pdf", "docx")
