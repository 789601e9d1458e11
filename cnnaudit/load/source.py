"""A Python source file read the way Python reads it, and written back the
way it was: the one place cnnaudit decodes or writes a user's source.

Python decides a file's encoding from a UTF-8 byte-order mark or a PEP 263
``coding`` cookie on its first two lines (``tokenize.detect_encoding``), and
keeps line endings as they are. ``read_source`` does the same and remembers
what it found, so that an edit written back with ``write_source`` changes
only the edited characters: the BOM stays, the cookie's encoding is used,
CRLF stays CRLF, the file keeps its mode, and a symbolic link stays a link
(its target is rewritten). Text that the file's encoding cannot hold is
refused (``SourceEncodingError``) rather than written in another encoding.
"""

from __future__ import annotations

import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path

from ..errors import CnnauditError


class SourceEncodingError(CnnauditError):
    """The text cannot be written in the file's own encoding."""


@dataclass(frozen=True)
class SourceFile:
    path: Path  # as given; writes go to its target when it is a link
    raw: bytes  # the bytes as read: what "changed on disk since" compares with
    encoding: str  # Python's codec name; "utf-8-sig" when the file starts with a BOM
    text: str  # decoded, line endings as in the file

    @property
    def has_bom(self) -> bool:
        return self.encoding == "utf-8-sig"

    def encode(self, text: str) -> bytes:
        """``text`` in this file's encoding (with its BOM, if it had one)."""
        try:
            return text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            bad = text[exc.start:exc.end]
            raise SourceEncodingError(
                f"{self.path}: the file's encoding ({self.encoding}) cannot hold "
                f"{bad!r}") from None

    @property
    def read_only(self) -> bool:
        """No write bit at all on the file (or a link's target): kept as the
        owner marked it, even where the folder would let a rename through."""
        try:
            return not os.stat(self.path).st_mode & 0o222
        except OSError:
            return True

    def changed_on_disk(self) -> bool:
        try:
            return Path(self.path).read_bytes() != self.raw
        except OSError:
            return True


def read_source(path) -> SourceFile:
    """Read ``path`` as Python would; a file Python could not decode raises
    ``CnnauditError`` with the reason."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CnnauditError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise CnnauditError(f"{path}: not decodable as Python source ({exc})") from None
    return SourceFile(path, raw, encoding, text)


def write_source(source: SourceFile, text: str) -> None:
    """Replace the file's content with ``text``, encoded as it was read.
    Atomic (a temporary file in the same folder, renamed over it: a reader
    sees the old file or the new one), the mode kept, and through a symbolic
    link to its target so that the link stays a link."""
    data = source.encode(text)
    target = Path(os.path.realpath(source.path))
    try:
        mode = target.stat().st_mode
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as exc:
        raise CnnauditError(f"{source.path}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
