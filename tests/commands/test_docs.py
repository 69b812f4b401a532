"""The README and the help texts cannot drift from the code."""

from __future__ import annotations

import ast
import inspect

from proposals.documents import context
from proposals.cli import cli
from proposals.commands.readme import BEGIN, END, reference
from proposals.input.reference import undocumented

from ..conftest import REPO


def test_readme_field_reference_matches_models():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert section == reference(), "run: python -m proposals.commands.readme --write"


def test_every_model_field_has_a_docstring():
    assert undocumented() == []


def test_every_template_variable_is_documented():
    tree = ast.parse(inspect.getsource(context.TemplateContext))
    body = tree.body[0].body
    names = [node.target.id for node in body if isinstance(node, ast.AnnAssign)]
    documented = [
        body[i].target.id
        for i in range(len(body) - 1)
        if isinstance(body[i], ast.AnnAssign) and isinstance(body[i + 1], ast.Expr) and isinstance(body[i + 1].value, ast.Constant)
    ]
    assert names and names == documented


def test_every_command_is_in_the_readme_and_has_an_example(cli):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in cli_commands():
        assert f"`proposals {name}" in readme, name
        code, out, _ = cli(name, "--help")
        assert code == 0
        assert "Example:" in out and f"proposals {name}" in out.split("Example:")[1]


def cli_commands():
    return sorted(cli.commands)


def test_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("proposals, version ")


def test_readme_documents_every_vocabulary_class():
    from proposals.writers.docx_context import KNOWN_CLASSES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Document vocabulary") :]
    for classes in KNOWN_CLASSES.values():
        for name in classes:
            assert f".{name}" in section, name


def test_readme_template_reference_matches_the_code():
    from proposals.commands.readme import TEMPLATE_BEGIN, TEMPLATE_END, template_reference
    from proposals.documents.reference import undocumented_filters

    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert text[text.index(TEMPLATE_BEGIN) : text.index(TEMPLATE_END) + len(TEMPLATE_END)] == template_reference()
    assert undocumented_filters() == []
