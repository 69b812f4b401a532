"""What a document may load: the workspace's asset folders, and nothing else.

Templates come from many hands, and CI builds a workspace with the
repository's credentials on disk, so every file a document loads (an image,
a font, a stylesheet, anything WeasyPrint or the DOCX writer would read) is
checked here first. Policy:

- only files below ``templates/`` and the one logo file the seller profile
  names are served; the deal and catalog sources (and every YAML file) never;
- no dot-file or dot-folder at any depth (``.git/config``, ``.env``,
  ``.github/``), and no ``..``;
- a symbolic link is followed only while its target stays inside the folder
  it was reached through (``templates/`` inside the workspace);
- only regular files, read at most ``MAX_ASSET_BYTES``.

A refusal raises :class:`AssetRefused` with the reason in the user's words;
the writers report it as a warning that names the template and the URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ASSET_FOLDERS = ("templates",)
SOURCE_SUFFIXES = (".yaml", ".yml")
MAX_ASSET_BYTES = 64 * 1024 * 1024


class AssetRefused(ValueError):
    """A document asked for a file it may not load; the message says why."""


@dataclass(frozen=True)
class AssetPolicy:
    """The files documents of one workspace may load (see the module docstring)."""

    root: Path
    logo: str | None = None  # workspace-relative, as the seller profile names it

    @classmethod
    def of(cls, assets: "AssetPolicy | Path") -> "AssetPolicy":
        """A policy as given, or the policy of a workspace folder without a logo."""
        return assets if isinstance(assets, AssetPolicy) else cls(Path(assets))

    def read(self, reference: str) -> bytes:
        """The bytes of the workspace file ``reference`` names (relative, ``/``-separated)."""
        path = self.resolve(reference)
        if path.stat().st_size > MAX_ASSET_BYTES:
            raise AssetRefused(f"larger than {MAX_ASSET_BYTES // 2**20} MiB")
        return path.read_bytes()

    def resolve(self, reference: str) -> Path:
        """The file behind ``reference``, or :class:`AssetRefused` with the reason."""
        relative = _relative(reference)
        allowed = self._folder_of(relative)
        root = self.root.resolve()
        target = (self.root / relative).resolve()
        if not (allowed.is_relative_to(root) and target.is_relative_to(allowed)):
            raise AssetRefused(f"a symbolic link leads outside {_shown(allowed, root)}")
        if any(part.startswith(".") for part in target.relative_to(root).parts) or target.suffix.lower() in SOURCE_SUFFIXES:
            raise AssetRefused("a symbolic link leads to a dot-file or a source file")
        if not target.is_file():
            raise AssetRefused("no such file" if not target.exists() else "not a regular file")
        return target

    def _folder_of(self, relative: PurePosixPath) -> Path:
        """The resolved folder (or, for the logo, file) that ``relative`` must stay inside."""
        if relative.parts[0] in ASSET_FOLDERS and len(relative.parts) > 1:
            return (self.root / relative.parts[0]).resolve()
        if self.logo and relative == PurePosixPath(self.logo):
            return (self.root / relative).resolve()
        raise AssetRefused(f"documents load only files below {', '.join(f + '/' for f in ASSET_FOLDERS)} and the seller's logo")


def _relative(reference: str) -> PurePosixPath:
    """``reference`` as a workspace-relative path, refused when it is absolute, climbs, or names a dot-path or a source."""
    if "\\" in reference or "\x00" in reference:
        raise AssetRefused("backslashes and NUL characters are not allowed in paths")
    path = PurePosixPath(reference)
    if path.is_absolute() or not path.parts:
        raise AssetRefused("only workspace-relative paths are allowed")
    if ".." in path.parts:
        raise AssetRefused("'..' is not allowed in paths")
    if any(part.startswith(".") for part in path.parts):
        raise AssetRefused("dot-files and dot-folders (.git, .env, ...) are never loaded")
    if path.suffix.lower() in SOURCE_SUFFIXES:
        raise AssetRefused("deal, catalog and wording sources are never loaded into documents")
    return path


def _shown(folder: Path, root: Path) -> str:
    return f"{folder.relative_to(root)}/" if folder.is_relative_to(root) and folder != root else "the workspace"
