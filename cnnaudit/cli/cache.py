"""Results keyed by everything that decides them, under ``.cnnaudit_cache/``.

The key hashes the contents of the model's source file and of every project
file it imports (found by ``ast``), the command's options and the project
config, the versions of torch and torchvision (read from package metadata, not
by importing them) and the contents of cnnaudit's own sources (an editable
install changes without a new version). An entry also records every project
file the analysis actually read — modules it imported by any means
(``importlib`` included) and files it opened (a JSON config read at import) —
with their digests; a hit whose recorded files changed is a miss. An entry of
the wrong shape is a miss too. A hit needs no torch at all.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from importlib import metadata

from ..load.sites import is_library_file

CACHE_DIR = ".cnnaudit_cache"
ENTRY_FORMAT = 2


class ReadRecorder:
    """The project files an analysis reads: modules imported (any way) and files
    opened, under ``root`` and outside the cache. An audit hook cannot be
    removed, so one is installed per process and records only while active."""

    _active: ReadRecorder | None = None
    _installed = False

    def __init__(self, root: str, exclude: str) -> None:
        self.root = os.path.join(os.path.realpath(root), "")
        self.exclude = os.path.join(os.path.realpath(exclude), "")
        # Cheap string tests first: most paths seen (torch's modules) are far
        # from the project, and resolving each one costs system calls.
        self.prefixes = (self.root, os.path.join(os.path.abspath(root), ""))
        self.paths: set[str] = set()

    def _keep(self, path) -> None:
        if isinstance(path, (str, bytes, os.PathLike)):
            text = os.fsdecode(path)
            if not os.path.abspath(text).startswith(self.prefixes):
                return
            real = os.path.realpath(text)
            if real.startswith(self.root) and not real.startswith(self.exclude) and \
                    os.path.isfile(real) and not is_library_file(real):
                self.paths.add(real)

    @classmethod
    def _hook(cls, event, args):
        if event == "open" and cls._active is not None and args:
            cls._active._keep(args[0])

    def __enter__(self) -> ReadRecorder:
        if not ReadRecorder._installed:
            sys.addaudithook(ReadRecorder._hook)
            ReadRecorder._installed = True
        ReadRecorder._active = self
        return self

    def __exit__(self, *exc) -> None:
        ReadRecorder._active = None
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if path:
                self._keep(path)


@functools.cache
def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            digest.update(handle.read())
    except OSError:
        digest.update(b"<missing>")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def own_sources_digest() -> str:
    """One digest of every file of the cnnaudit package as installed here."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, package).encode())
                digest.update(_file_digest(path).encode())
    return digest.hexdigest()


def cache_key(*, spec: str, sources: list[str], settings: dict, root: str) -> str:
    from .._version import __version__

    payload = {
        "cnnaudit_sources": own_sources_digest(),
        "spec": spec,
        "sources": {os.path.relpath(p, root): _file_digest(p) for p in sorted(sources)},
        "settings": settings,
        "versions": {"cnnaudit": __version__, "torch": _version("torch"),
                     "torchvision": _version("torchvision")},
    }
    text = json.dumps(payload, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


class ResultCache:
    def __init__(self, root: str, enabled: bool = True) -> None:
        # CNNAUDIT_CACHE_DIR moves the cache (CI caches, tests that must not share one).
        base = os.environ.get("CNNAUDIT_CACHE_DIR") or os.path.join(root, CACHE_DIR)
        self.base = base
        self.directory = os.path.join(base, "lint")
        self.enabled = enabled

    def get(self, key: str, root: str) -> dict | None:
        """The stored result, or None: nothing stored, an entry of another shape,
        or a file the analysis read has changed since."""
        if not self.enabled:
            return None
        try:
            with open(os.path.join(self.directory, key + ".json"), encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if not (isinstance(entry, dict) and entry.get("format") == ENTRY_FORMAT
                and isinstance(entry.get("result"), dict) and isinstance(entry.get("reads"), dict)):
            return None
        for relative, digest in entry["reads"].items():
            if _file_digest(os.path.join(root, str(relative))) != digest:
                return None
        return entry["result"]

    def put(self, key: str, result: dict, reads: set[str], root: str) -> None:
        if not self.enabled:
            return
        value = {"format": ENTRY_FORMAT, "result": result,
                 "reads": {os.path.relpath(p, root): _file_digest(p) for p in sorted(reads)}}
        try:
            os.makedirs(self.directory, exist_ok=True)
            ignore = os.path.join(self.base, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w") as handle:
                    handle.write("# created by cnnaudit\n*\n")
            temporary = os.path.join(self.directory, f".{key}.{os.getpid()}.tmp")
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump(value, handle)
            os.replace(temporary, os.path.join(self.directory, key + ".json"))
        except OSError:
            pass  # a read-only checkout still lints, only slower
