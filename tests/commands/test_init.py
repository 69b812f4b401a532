"""`proposals init`: a new workspace that checks and builds at once."""

from __future__ import annotations

from pypdf import PdfReader


def test_init_creates_a_workspace_that_checks_and_builds(tmp_path, cli):
    folder = tmp_path / "offers"
    code, out, _ = cli("init", folder)
    assert code == 0
    for name in ("catalog/seller.yaml", "catalog/services.yaml", "deals/first-customer.yaml", "templates/offer.html.j2", ".github/workflows/offer-pack.yml", ".gitignore"):
        assert (folder / name).is_file(), name
    assert cli("check", "-w", folder, "--strict")[0] == 0
    code, out, err = cli("build", "-w", folder)
    assert code == 0, err
    text = " ".join(p.extract_text() for p in PdfReader(folder / "output" / "OFFER-0001-r1" / "offer.pdf").pages)
    assert "We look forward to working with you on this project." in text  # the workspace's own wording
    assert "erika@example.com" in text  # the workspace's template override


def test_init_refuses_a_folder_with_files(tmp_path, cli):
    (tmp_path / "keep.txt").write_text("mine")
    code, _, err = cli("init", tmp_path)
    assert (code, err.splitlines()[0]) == (2, f"{tmp_path} is not empty; init writes only into a new or empty folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
