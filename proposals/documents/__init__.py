"""Documents: a priced deal in, one HTML document tree per document (offer, contract) out.

``templating`` is the sandboxed Jinja environment with its locale-bound filters;
``context`` builds the documented template contract from deal, seller and
Quote; ``labels`` is the fixed wording per language; ``clauses`` selects the
contract's clauses from the library, numbers them and resolves references, and
``clause_render`` renders them (Jinja, then Markdown, then HTML); ``lint``
checks templates and clauses without rendering; ``assets`` says which files a
document may load. The HTML is what every writer reads, so the PDF and the
DOCX cannot say different things.
"""
