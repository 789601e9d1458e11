"""The report as one self-contained HTML file: the page's template, style and
script, the layout library (dagre) and the model's data inlined, so that it
opens from disk with no network and no server.

The data goes in once, as JSON (``ModelView.to_dict()``); every figure on the
page is drawn from it by the script.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources

from .._version import __version__


@cache
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("page", name).read_text(encoding="utf-8")


def _json_for_script(data: dict) -> str:
    """JSON that cannot end the ``<script>`` element it sits in: ``<`` only
    occurs inside JSON strings, where ``\\u003c`` means the same. NaN and
    infinities (a diverged probe's losses), which JSON.parse refuses, are null."""
    return json.dumps(_finite(data), separators=(",", ":"),
                      allow_nan=False).replace("<", "\\u003c")


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def _script_asset(name: str) -> str:
    text = _asset(name)
    lowered = text.lower()
    if "</script" in lowered or "<!--" in lowered:  # would end the element early
        raise ValueError(f"{name} cannot be inlined in a <script> element")
    return text


def render_html(data: dict) -> str:
    """The page for ``data`` (``ModelView.to_dict()``)."""
    import re
    from html import escape

    parts = {
        "__TITLE__": escape(str(data.get("model", "model"))),
        "__VERSION__": escape(__version__),
        "__CSS__": _asset("page.css"),
        "__DATA__": _json_for_script(data),
        "__DAGRE__": _script_asset("dagre.min.js"),
        "__JS__": _script_asset("page.js"),
    }
    page = _asset("page.html")
    # one pass, so that no inserted text is searched for placeholders again
    return re.sub("|".join(parts), lambda match: parts[match.group(0)], page)


def embedded_data(page: str) -> dict:
    """The data a page was drawn from (the inverse of ``render_html``'s embedding)."""
    start = page.index('<script type="application/json" id="cnnaudit-data">')
    start = page.index(">", start) + 1
    end = page.index("</script>", start)
    return json.loads(page[start:end])
