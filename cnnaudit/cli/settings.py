"""``[tool.cnnaudit]`` → click's ``default_map``: the one way configuration
reaches every command.

A key is an option of the command written as on its command line without the
dashes (``fail-on``, ``batch-size``), at the top level for lint (as before) or
in the command's own table (``[tool.cnnaudit.probe]``). Each value is checked by
the very type that checks the option on the command line, so config and CLI
accept exactly the same values; the command line then overrides the config.
"""

from __future__ import annotations

import difflib
import os

import click

from ..errors import EXIT_USAGE, CnnauditError
from .config import DOCTOR_KEYS, LINT_KEYS, Config, key_line, load_config

CONFIG_KEY = "cnnaudit.config"


def option_defaults(ctx: click.Context, config: Config, command: str) -> dict:
    """``{parameter name: value}`` for ``command`` from ``config``, validated."""
    by_key = {opt[2:]: param for param in ctx.command.params
              for opt in getattr(param, "opts", []) if opt.startswith("--")}
    where = os.path.relpath(config.path) if config.path else "pyproject.toml"
    defaults = {}
    for key, value in config.option_values(command).items():
        param = by_key.get(key)
        if param is None or key == "config":
            if command == "lint" and key in LINT_KEYS:
                continue  # a rule threshold: config only, read into LintOptions
            if command == "doctor" and key in DOCTOR_KEYS:
                continue  # a check's threshold: config only, read into DoctorOptions
            close = difflib.get_close_matches(key, list(by_key), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            config.warnings.append(f"warning: {where} [tool.cnnaudit.{command}]: "
                                   f"{key!r} is not an option of `cnnaudit {command}`{hint}")
            continue
        if getattr(param, "multiple", False) and isinstance(value, str):
            value = [value]
        try:
            defaults[param.name] = param.type_cast_value(ctx, value)
        except click.BadParameter as exc:
            raise CnnauditError(f"[tool.cnnaudit] {key}: {exc.message}"
                                f"{_did_you_mean(param, value)}", where,
                                key_line(config.path, key)) from None
    return defaults


def _did_you_mean(param, value) -> str:
    if not isinstance(param.type, click.Choice):
        return ""
    close = difflib.get_close_matches(str(value).lower(), list(param.type.choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def config_option(command: str):
    """``--config PATH`` (default: the nearest pyproject.toml upward), read
    before every other option so that its values become their defaults."""

    def callback(ctx: click.Context, param, value):
        try:
            config = load_config(path=value)
            ctx.default_map = option_defaults(ctx, config, command)
        except CnnauditError as exc:
            click.echo(exc.user_line(), err=True)
            ctx.exit(EXIT_USAGE)
        for warning in config.warnings:
            click.echo(warning, err=True)
        ctx.meta[CONFIG_KEY] = config
        return value

    return click.option(
        "--config", "config_path", type=click.Path(dir_okay=False, exists=True), default=None,
        is_eager=True, expose_value=False, callback=callback,
        help="pyproject.toml to read [tool.cnnaudit] from (default: the nearest one upward).")


def current_config() -> Config:
    return click.get_current_context().meta.get(CONFIG_KEY) or Config()
