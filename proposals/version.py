"""The version of proposals (records and packs keep it; a change marks them stale)."""

__version__ = "0.1.0"
