"""Issue #20 item 4 through the real CLI: `proposals diff DEAL` against git's HEAD or `--against REV`, read with
git itself; the documents' words for the totals; deviations as a readable list; notes for two files of one
revision or of two offers."""

from __future__ import annotations

import subprocess

from ..readback import copy_minimal


def git(ws, *args):
    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", "-C", str(ws), *args],
                          capture_output=True, text=True, check=True).stdout


def repository(tmp_path):
    ws = copy_minimal(tmp_path)
    git(ws, "init", "-q")
    git(ws, "add", ".")
    git(ws, "commit", "-q", "-m", "first")
    return ws


def test_diff_of_one_deal_compares_with_head_in_the_documents_words(tmp_path, cli):
    """3 -> 4 consulting days at 1,000.00 beside 12 users (10 x 50 + 2 x 40 = 580 a month, 6,960.00 a year):
    Total of items 9,960.00 -> 10,960.00, Total net likewise, VAT 19 %: 1,892.40 -> 2,082.40, payable
    11,852.40 -> 13,042.40. The working file changes, git's does not.
    Guards against the working file compared with itself, and field names instead of the documents' words."""
    ws = repository(tmp_path)
    deal = ws / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("quantity: 3", "quantity: 4"))
    code, out, err = cli("diff", deal, "-w", ws)
    assert code == 0, err
    assert "note: both are T-2026-001 revision 1: two versions of one revision, compared as asked" in err
    assert out.splitlines()[3:8] == [
        "totals:",
        "  Total of items: €9,960.00 -> €10,960.00 (+€1,000.00)",
        "  Total net: €9,960.00 -> €10,960.00 (+€1,000.00)",
        "  VAT: €1,892.40 -> €2,082.40 (+€190.00)",
        "  Amount payable: €11,852.40 -> €13,042.40 (+€1,190.00)"]
    assert git(ws, "status", "--porcelain") == " M deals/basic.yaml\n"  # git only read


def test_against_a_revision_and_deviations_as_a_list(tmp_path, cli):
    """A second commit adds a deviation; --against HEAD~1 sees it, HEAD does not. Guards against --against ignored."""
    ws = repository(tmp_path)
    deal = ws / "deals" / "basic.yaml"
    deal.write_text(deal.read_text() + "contract:\n  deviations:\n    - clause: liability\n      action: strike\n      reason: Agreed in the call\n")
    git(ws, "commit", "-q", "-am", "strike liability")
    code, out, err = cli("diff", deal, "-w", ws, "--against", "HEAD~1")
    assert code == 0, err
    assert "term: deviation of clause liability: – -> strike" in out.splitlines()
    code, out, _ = cli("diff", deal, "-w", ws)
    assert code == 0 and out.splitlines()[-1] == "no changes"


def test_a_deal_git_does_not_have_and_a_folder_without_git_are_named(tmp_path, cli):
    ws = repository(tmp_path)
    new = ws / "deals" / "second.yaml"
    new.write_text((ws / "deals" / "basic.yaml").read_text().replace("T-2026-001", "T-2026-002"))
    code, _, err = cli("diff", new, "-w", ws)
    assert code == 2 and err.splitlines()[0].startswith("deals/second.yaml at HEAD: git cannot show it (")
    plain = copy_minimal(tmp_path / "plain")
    code, _, err = cli("diff", plain / "deals" / "basic.yaml", "-w", plain)
    assert (code, err.splitlines()[0]) == (2, f"{plain} is not in a git repository; name two deal files to compare")
    code, out, err = cli("diff", ws / "deals" / "basic.yaml", new, "-w", ws)
    assert code == 0 and "note: the files are different offers (T-2026-001 and T-2026-002); compared as asked" in err
