"""Results keyed by everything that decides them, under ``.cnnaudit_cache/``.

The key hashes the contents of the model's source file and of every project
file it imports, the command's options and the project config, and the
versions of cnnaudit, torch and torchvision (read from package metadata, not by
importing them). A hit needs no torch at all.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata

CACHE_DIR = ".cnnaudit_cache"


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


def cache_key(*, spec: str, sources: list[str], settings: dict, root: str) -> str:
    from .._version import __version__

    payload = {
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

    def get(self, key: str) -> dict | None:
        if not self.enabled:
            return None
        try:
            with open(os.path.join(self.directory, key + ".json"), encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    def put(self, key: str, value: dict) -> None:
        if not self.enabled:
            return
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
