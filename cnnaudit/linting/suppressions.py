"""``# cnnaudit: ignore[CNA202, bias-before-bn]`` comments on a layer's line.

No bare catch-all: a comment without codes suppresses nothing and is reported,
as is one that matched no finding.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import CnnauditError
from ..load.source import read_source

COMMENT = re.compile(r"#\s*cnnaudit:\s*ignore(?:\[(?P<codes>[^\]]*)\])?")


@dataclass
class Suppression:
    file: str
    line: int
    col: int
    selectors: list[str]  # as written: codes or names
    used: set[str] = field(default_factory=set)

    @property
    def bare(self) -> bool:
        return not self.selectors


@lru_cache(maxsize=256)
def _comments(path: str) -> tuple[tuple[int, int, str], ...]:
    """(line, column, text) of every comment token: a ``# cnnaudit: ignore`` inside
    a string literal is not a comment. Read as Python reads the file (PEP 263
    coding line, BOM: ``load.source``)."""
    try:
        readline = io.StringIO(read_source(path).text).readline
        return tuple((token.start[0], token.start[1], token.string)
                     for token in tokenize.generate_tokens(readline)
                     if token.type == tokenize.COMMENT)
    except (CnnauditError, SyntaxError, tokenize.TokenError):
        return ()


def scan(path: str) -> list[Suppression]:
    found = []
    for number, column, text in _comments(path):
        match = COMMENT.match(text)
        if match:
            codes = match.group("codes")
            selectors = [c.strip() for c in codes.split(",") if c.strip()] if codes else []
            found.append(Suppression(path, number, column + 1, selectors))
    return found


class SuppressionIndex:
    """The suppression comments of a set of files, and which were used."""

    def __init__(self, paths) -> None:
        self.by_line: dict[tuple[str, int], Suppression] = {}
        for path in sorted(set(paths)):
            for item in scan(path):
                self.by_line[(path, item.line)] = item

    def suppresses(self, path: str, line: int, code: str, name: str) -> bool:
        item = self.by_line.get((path, line))
        if item is None:
            return False
        for selector in item.selectors:
            if selector.upper() == code or selector.lower() == name:
                item.used.add(selector)
                return True
        return False

    def unused(self) -> list[tuple[Suppression, list[str]]]:
        """(suppression, its selectors that matched nothing), bare ones included."""
        result = []
        for item in self.by_line.values():
            idle = [s for s in item.selectors if s not in item.used]
            if item.bare or idle:
                result.append((item, idle))
        return result
