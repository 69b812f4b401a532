"""README promises about where ``check`` keeps its cache (issue #23): ``$XDG_CACHE_HOME/proposals`` by
default, ``PROPOSALS_CACHE_DIR=off`` turns it off. Each docstring names the mutation it guards against."""

from __future__ import annotations

from pathlib import Path


class Renders:
    """How often a deal was rendered for ``check``, in this process or a forked worker (counted in a file)."""

    def __init__(self, log: Path):
        self.log = log

    def __len__(self) -> int:
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0


def counting_renders(monkeypatch, log: Path) -> Renders:
    from proposals.commands import check

    real = check.render_documents

    def counted(*args, **kwargs):
        with open(log, "a") as stream:
            stream.write("rendered\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(check, "render_documents", counted)
    return Renders(log)


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()] if path.exists() else []


def test_the_cache_lives_under_xdg_cache_home_and_off_turns_it_off(minimal, cli, monkeypatch, tmp_path):
    """Mutation: ``runtime/cache.folder`` ignoring ``PROPOSALS_CACHE_DIR=off`` (caching into a folder named
    ``off``, or into ``$XDG_CACHE_HOME`` anyway), or ignoring ``$XDG_CACHE_HOME``."""
    xdg, home = tmp_path / "xdg", tmp_path / "home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PROPOSALS_CACHE_DIR")
    renders = counting_renders(monkeypatch, tmp_path / "renders.log")
    assert cli("check", "-w", minimal)[0] == 0
    assert files_under(xdg / "proposals" / "check"), "check kept nothing under $XDG_CACHE_HOME/proposals"
    first = len(renders)
    assert first >= 1
    assert cli("check", "-w", minimal)[0] == 0
    assert len(renders) == first, "an unchanged deal was rendered again"

    monkeypatch.setenv("PROPOSALS_CACHE_DIR", "off")
    kept = sorted(files_under(xdg))
    before = len(renders)
    assert cli("check", "-w", minimal)[0] == 0
    assert cli("check", "-w", minimal)[0] == 0
    assert len(renders) - before == 2 * first, "with the cache off, every check renders every deal"
    assert sorted(files_under(xdg)) == kept and not (tmp_path / "off").exists() and not files_under(home)
