"""Input: workspace files in, validated models out, every value with its file, line and column.

Takes the seller profile (``catalog/seller.yaml``), the catalog files and the
deal files; reads each as safe YAML with a source map (``yamlsource``),
validates it against strict pydantic models (``model/``), then cross-checks the
files against each other (``checks``, ``checks_deal``: unknown SKUs, tax
categories, currencies, clause ids). Gives a :class:`~proposals.input.workspace.Workspace`
of :class:`~proposals.input.workspace.Loaded` models, or one ``InputError`` with
every problem found. Also the JSON Schema of the files (``schema``) and the
field reference the README is generated from. Nothing here prices or renders.
"""
