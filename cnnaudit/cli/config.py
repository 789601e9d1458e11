"""``[tool.cnnaudit]`` in the nearest ``pyproject.toml`` upward.

Read without importing torch. Keys are written with dashes, as in the
command-line options; an unknown key is a warning that names it (and, where a
known key is close, says which one was meant). The command line overrides the
config, which overrides the defaults.

```toml
[tool.cnnaudit]
input-size = "1,28,28"            # for models found in files without their own
select = ["CNA1", "CNA2"]
ignore = ["CNA305"]
fail-on = "warning"
max-suggestions = 5
max-params = 20000                # budgets: CNA401-403
max-macs = 5_000_000
max-memory = "2GiB"
memory-batch-size = 128

[tool.cnnaudit.models."models/net.py:Net"]
input-size = "1,28,28"
model-args = { num_classes = 10 }
```
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field

from ..errors import CnnauditError
from ..units import parse_bytes, parse_input_size

# key → what it may hold; the lint options share their names with the CLI's.
LINT_KEYS = {
    "select": list, "ignore": list, "fail-on": str, "max-suggestions": int,
    "max-params": int, "max-macs": int, "max-memory": (int, str), "memory-batch-size": int,
    "oversized-fc-share": float, "min-savings-share": float, "bottleneck-min-channels": int,
    "truncation-min-share": float, "rf-min-share": float, "wasted-depth-min-layers": int,
}
# Tables of any command's own options, as on its command line:
# [tool.cnnaudit.probe] steps = 300 is `cnnaudit probe --steps 300`.
COMMAND_TABLES = ("summary", "lint", "probe", "doctor", "report", "shrink")
# [tool.cnnaudit.doctor] keys that are no command-line option: the checks'
# thresholds and step counts (DoctorOptions' fields, with dashes).
DOCTOR_KEYS = {
    "range-steps": int, "fit-samples": int, "fit-steps": int, "train-steps": int,
    "init-loss-high": float, "init-loss-low": float, "vanishing-ratio": float,
    "exploding-ratio": float, "update-ratio-high": float, "dead-fraction": float,
    "dead-fraction-warning": float, "lr-far-below": float, "input-mean-high": float,
    "input-std-high": float, "input-std-low": float, "channel-spread": float,
    "imbalance-ratio": float,
}
# Top-level keys that are lint options but not LintOptions fields.
LINT_RUN_KEYS = {"strict": bool}
TOP_KEYS = {"input-size": (str, list), "models": dict, **LINT_KEYS, **LINT_RUN_KEYS,
            **{name: dict for name in COMMAND_TABLES}}
MODEL_KEYS = {"input-size": (str, list), "model-args": dict}


@dataclass
class ModelConfig:
    spec: str
    input_sizes: list[tuple[int, ...]] | None = None
    model_args: dict = field(default_factory=dict)


@dataclass
class Config:
    path: str | None = None  # the pyproject.toml it came from
    root: str | None = None  # its folder: the project root
    lint: dict = field(default_factory=dict)  # LintOptions field → value
    input_sizes: list[tuple[int, ...]] | None = None
    models: dict[str, ModelConfig] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)  # the table as written, for cache keys
    commands: dict = field(default_factory=dict)  # command → {option key: value}

    def doctor_thresholds(self) -> dict:
        """DoctorOptions fields from [tool.cnnaudit.doctor]'s threshold keys."""
        table = self.commands.get("doctor", {})
        return {key.replace("-", "_"): value for key, value in table.items()
                if key in DOCTOR_KEYS}

    def option_values(self, command: str) -> dict:
        """The config's values for ``command``'s options, keyed as written
        (lint also takes the top-level lint keys, which came first)."""
        values = {}
        if command == "lint":
            values.update({k: v for k, v in self.raw.items()
                           if k in LINT_KEYS or k in LINT_RUN_KEYS})
        values.update(self.commands.get(command, {}))
        return values


def find_pyproject(start: str | None = None) -> str | None:
    directory = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _toml_load(path: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CnnauditError(f"invalid TOML: {exc}", os.path.relpath(path)) from None
    except UnicodeDecodeError as exc:
        raise CnnauditError(f"not UTF-8 (TOML files must be): byte {exc.start} cannot be "
                            "decoded", os.path.relpath(path)) from None
    except OSError as exc:
        raise CnnauditError(f"cannot read it: {exc.strerror}", os.path.relpath(path)) from None


def _sizes(value, where: str) -> list[tuple[int, ...]]:
    if isinstance(value, str):
        return [parse_input_size(value)]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return [parse_input_size(",".join(map(str, value)))]
    if isinstance(value, list) and all(isinstance(v, (str, list)) for v in value):
        return [s for v in value for s in _sizes(v, where)]
    raise CnnauditError(f"{where}: input-size must be \"C,H,W\" or a list of them")


def _unknown(key: str, known, where: str) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"warning: {where}: unknown key {key!r} ignored{hint}"


# Rule thresholds (config only): a share is a fraction of a whole, a width a count.
SHARE_KEYS = {"oversized-fc-share", "min-savings-share", "truncation-min-share", "rf-min-share"}
COUNT_KEYS = {"bottleneck-min-channels", "wasted-depth-min-layers"}


def _check_range(key, value, where):
    if key in SHARE_KEYS and not 0 <= value <= 1:  # also False for NaN
        raise CnnauditError(f"{where}: {key} must be a share between 0 and 1, not {value!r}")
    if key in COUNT_KEYS and value < 1:
        raise CnnauditError(f"{where}: {key} must be at least 1, not {value!r}")


def _check_type(key, value, expected, where):
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return  # 1 is a fine share
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple)
                                                 else (expected,)))
        raise CnnauditError(f"{where}: {key} must be a {names}, not {value!r}")


def load_config(start: str | None = None, path: str | None = None) -> Config:
    """The ``[tool.cnnaudit]`` table of the nearest pyproject.toml (or ``path``)."""
    path = path or find_pyproject(start)
    if path is None:
        return Config()
    shown = os.path.relpath(path)
    tool = _toml_load(path).get("tool", {})
    table = tool.get("cnnaudit", {}) if isinstance(tool, dict) else tool
    if not isinstance(table, dict):
        raise CnnauditError(f"[tool.cnnaudit] must be a table, not {table!r}", shown,
                            key_line(path, "cnnaudit") or key_line(path, "tool"))
    config = Config(path=path, root=os.path.dirname(os.path.abspath(path)), raw=table)
    where = f"{shown} [tool.cnnaudit]"
    for key, value in table.items():
        if key not in TOP_KEYS:
            config.warnings.append(_unknown(key, TOP_KEYS, where))
            continue
        try:
            _read_key(config, key, value, "[tool.cnnaudit]")
        except CnnauditError as exc:
            if exc.file:
                raise
            raise CnnauditError(exc.message, shown, key_line(path, key)) from None
    return config


def _read_key(config: Config, key: str, value, where: str) -> None:
    """One top-level key, checked (type, range) and stored where it is read."""
    _check_type(key, value, TOP_KEYS[key], where)
    _check_range(key, value, where)
    if key == "input-size":
        config.input_sizes = _sizes(value, where)
    elif key in LINT_RUN_KEYS:
        pass  # reaches `cnnaudit lint` as its option's default (option_values)
    elif key in COMMAND_TABLES:
        config.commands[key] = dict(value)
    elif key == "models":
        for spec, settings in value.items():
            config.models[spec] = _model_config(spec, settings, where, config.warnings)
    elif key == "max-memory":
        config.lint["max_memory"] = parse_bytes(value) if isinstance(value, str) else value
    elif key in ("select", "ignore"):
        config.lint[key] = [str(v) for v in value]
    else:
        config.lint[key.replace("-", "_")] = value



def _model_config(spec, settings, where, warnings) -> ModelConfig:
    where = f"{where} models.{spec!r}"
    if not isinstance(settings, dict):
        raise CnnauditError(f"{where}: expected a table with input-size and model-args")
    model = ModelConfig(spec)
    for key, value in settings.items():
        if key not in MODEL_KEYS:
            warnings.append(_unknown(key, MODEL_KEYS, where))
            continue
        _check_type(key, value, MODEL_KEYS[key], where)
        if key == "input-size":
            model.input_sizes = _sizes(value, where)
        else:
            model.model_args = dict(value)
    return model


def key_line(path: str | None, key: str) -> int | None:
    """The line of ``pyproject.toml`` where ``key = ...`` is written (first match)."""
    if not path:
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for number, text in enumerate(handle, 1):
                stripped = text.strip()
                if stripped.startswith((key, f'"{key}"')) and \
                        stripped[len(key):].lstrip('"').lstrip().startswith("="):
                    return number
    except OSError:
        return None
    return None
