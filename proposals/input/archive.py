"""A Word file and its zip members, read under limits: the reference document
(:mod:`proposals.writers.reference`) and a contract the customer returned
(:mod:`proposals.input.returned`) come from outside and are read alike.

Sizes are measured while inflating in :data:`CHUNK` steps, never taken from the
zip headers; every limit passed is a :class:`Refused` (see :mod:`proposals.writers.reference` for the limits).
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

MiB = 1024 * 1024
MAX_FILE_BYTES = 16 * MiB
MAX_MEMBERS = 300
MAX_PART_BYTES = 16 * MiB
MAX_TOTAL_BYTES = 48 * MiB
MAX_RATIO = 100
RATIO_FLOOR = 1 * MiB  # smaller parts may compress as well as they like (repetitive XML does)
CHUNK = 64 * 1024


class Refused(Exception):
    """The file cannot be used at all; the message says why (without the file name)."""


def read_file(path: Path, root: Path | None, what: str = "the reference document") -> bytes:
    """The file's bytes: a regular file (inside ``root``, if given), at most MAX_FILE_BYTES."""
    try:
        resolved = path.resolve()
        if root is not None and not resolved.is_relative_to(Path(root).resolve()):
            raise Refused(f"{what} must be a file inside the workspace")
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise Refused("file not found (a broken link?)") from None
    except OSError as exc:
        raise Refused(f"cannot read the file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise Refused(f"file is {info.st_size} bytes; at most {MAX_FILE_BYTES} are read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Refused(f"cannot read the file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise Refused(f"file is more than {MAX_FILE_BYTES} bytes; at most {MAX_FILE_BYTES} are read")
    return data


class Archive:
    """A .docx's zip directory (at most MAX_MEMBERS names, each once) and its members, inflated
    with the sizes and ratios measured; ``inflated`` counts the bytes of all members read."""

    def __init__(self, data: bytes):
        self.data = data
        self.inflated = 0
        if data[:4] != b"PK\x03\x04":
            raise Refused("not a .docx file (a Word document is a zip archive; this file is not)")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error,
                NotImplementedError, OverflowError, IndexError, KeyError, UnicodeDecodeError):
            raise Refused("the file is damaged or truncated (its zip directory cannot be read)") from None
        if len(infos) > MAX_MEMBERS:
            raise Refused(f"the archive holds {len(infos)} files; at most {MAX_MEMBERS} are allowed")
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in self.infos:
                raise Refused(f"the archive holds {info.filename} twice")
            self.infos[info.filename] = info

    def inflate(self, member: str) -> bytes:
        """A member's bytes, measured while inflating; limits, length and CRC checked."""
        info = self.infos[member]
        if info.flag_bits & 0x1:
            raise Refused(f"{member}: encrypted")
        if info.file_size > MAX_PART_BYTES:  # a claim, but one that is refused at once
            raise Refused(f"{member}: inflates past {MAX_PART_BYTES // MiB} MiB; refused (a zip bomb?)")
        data, offset = self.data, info.header_offset
        if data[offset:offset + 4] != b"PK\x03\x04" or offset + 30 > len(data):
            raise Refused(f"{member}: damaged (no local header)")
        name_length, extra_length = struct.unpack("<HH", data[offset + 26:offset + 30])
        start = offset + 30 + name_length + extra_length
        if info.compress_type == zipfile.ZIP_STORED:
            out = data[start:start + info.compress_size]
            if len(out) != info.compress_size:
                raise Refused(f"{member}: damaged or truncated")
            self._count(member, len(out), len(out))
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            out = self._inflate_deflated(member, start)
        else:
            raise Refused(f"{member}: compressed with method {info.compress_type}; only stored and deflated parts are read")
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise Refused(f"{member}: damaged (its length or checksum does not match the zip directory)")
        return bytes(out)

    def _inflate_deflated(self, member: str, start: int) -> bytearray:
        inflater = zlib.decompressobj(-15)
        out = bytearray()
        position = start
        pending = b""
        try:
            while not inflater.eof:
                if not pending:
                    pending = self.data[position:position + CHUNK]
                    position += len(pending)
                    if not pending:
                        raise Refused(f"{member}: damaged or truncated")
                piece = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                out += piece
                consumed = position - start - len(pending) - len(inflater.unused_data)
                self._count(member, len(out), consumed, len(piece))
        except zlib.error:
            raise Refused(f"{member}: damaged (it does not inflate)") from None
        return out

    def _count(self, member: str, size: int, consumed: int, grown: int | None = None) -> None:
        self.inflated += size if grown is None else grown
        if size > MAX_PART_BYTES:
            raise Refused(f"{member}: inflates past {MAX_PART_BYTES // MiB} MiB; refused (a zip bomb?)")
        if self.inflated > MAX_TOTAL_BYTES:
            raise Refused(f"the parts inflate past {MAX_TOTAL_BYTES // MiB} MiB in total; refused (a zip bomb?)")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(consumed, 1):
            raise Refused(f"{member}: inflates more than {MAX_RATIO} times its compressed size; refused (a zip bomb?)")
