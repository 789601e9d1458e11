"""Results of earlier runs the page shows beside the model: a probe's or a
doctor's ``--format json`` output, read and checked enough that the page can
draw it (a wrong file is one line naming it, not a blank section)."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import CnnauditError

# what each kind of run must hold for its section to be drawn
REQUIRED = {"probe": ("variants",), "doctor": ("checks", "findings")}


def read_run(path: str | Path, kind: str) -> dict:
    """The JSON of an earlier ``cnnaudit probe`` / ``cnnaudit doctor`` run."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CnnauditError(f"{path}: no such file (--{kind} takes the JSON of "
                            f"`cnnaudit {kind} ... --format json`)") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CnnauditError(f"{path}: cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        raise CnnauditError(f"{path}:{error.lineno}: not JSON ({error.msg}); --{kind} takes "
                            f"the output of `cnnaudit {kind} ... --format json`") from None
    missing = [key for key in REQUIRED[kind] if not isinstance(data, dict) or key not in data]
    if missing:
        raise CnnauditError(f"{path}: not the JSON of a cnnaudit {kind} run (no "
                            f"{', '.join(repr(k) for k in missing)}); make it with "
                            f"`cnnaudit {kind} ... --format json > {path.name}`")
    return data
