"""Writing a command's output file: checked before the work (a wrong folder
fails in a moment, not after a minute of tracing), written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import CnnauditError


def write_output(path, text: str | None = None, *, check_only: bool = False) -> Path:
    """Check that ``path`` can be written (``check_only``), or write ``text``
    to it atomically (a temporary file in the same folder, then renamed)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise CnnauditError(f"{path}: is a folder; name the file to write")
    if not folder.is_dir():
        raise CnnauditError(f"{path}: no such folder {str(folder)!r}")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise CnnauditError(f"{path}: not writable")
    if check_only:
        return target
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # as open() would make it
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CnnauditError(f"{path}: cannot be written: {error.strerror}") from None
    return target


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
