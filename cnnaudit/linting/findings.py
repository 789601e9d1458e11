"""What a rule reports: one plain record per finding. No rendering here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

SEVERITIES = ("suggestion", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass
class Savings:
    """Before and after a suggestion, per sample for MACs."""

    params_before: int
    params_after: int
    macs_before: int
    macs_after: int

    @property
    def params_saved(self) -> int:
        return self.params_before - self.params_after

    @property
    def macs_saved(self) -> int:
        return self.macs_before - self.macs_after

    def to_dict(self) -> dict:
        data = asdict(self)
        data["params_saved"] = self.params_saved
        data["macs_saved"] = self.macs_saved
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Savings:
        return cls(data["params_before"], data["params_after"], data["macs_before"],
                   data["macs_after"])


EDIT_ACTIONS = ("set_argument", "flatten_argument", "flatten_view", "unwrap_call",
                "replace_constructor", "swap_arguments", "move_to_init")


@dataclass(frozen=True)
class SourceEdit:
    """A source edit ``cnnaudit lint --fix`` can make (``cnnaudit.fixing``):
    what to do to the call at a place, whether it is safe, why, and what the
    totals must do once it is made (``expect``: {"params": Δ, "macs": Δ}).
    A rule fills the action's fields; the engine adds where it applies.
    An unknown action or safety is refused when the record is made, and a
    misspelled field name is a ``TypeError``."""

    action: str  # one of EDIT_ACTIONS (cnnaudit/fixing/edits.py says what each does)
    safety: str  # "safe" | "unsafe" (unsafe: only with --unsafe-fixes)
    reason: str = ""
    expect: dict = field(default_factory=dict)
    at_call: bool = False  # at the layer's call in forward, not at the finding's line
    # set_argument: keyword=value, or the positional argument at ``position``
    keyword: str | None = None
    value: str | None = None
    position: int | None = None
    # replace_constructor: the class to call instead, and its arguments' source
    class_name: str | None = None
    arguments: str | None = None
    # swap_arguments: the other layer's constructor call {"line", "col", "callee"}
    other: dict | None = None
    # move_to_init: the attribute the layer becomes (``self.<attribute>``)
    attribute: str | None = None
    # Placed by the engine: the call this edit applies to.
    file: str | None = None
    line: int | None = None
    col: int | None = None
    callee: str | None = None  # ``fc1``, ``Conv2d``, ``view``: tells calls on one column apart

    def __post_init__(self):
        if self.action not in EDIT_ACTIONS:
            raise ValueError(f"unknown edit action {self.action!r}")
        if self.safety not in ("safe", "unsafe"):
            raise ValueError(f"edit safety must be 'safe' or 'unsafe', not {self.safety!r}")

    # JSON keeps the names it has always had ("class" for class_name).
    _JSON_NAMES = {"class_name": "class"}

    def to_dict(self) -> dict:
        data = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "at_call" or value is None:
                continue
            data[self._JSON_NAMES.get(item.name, item.name)] = value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SourceEdit:
        names = {json: name for name, json in cls._JSON_NAMES.items()}
        return cls(**{names.get(key, key): value for key, value in data.items()})


@dataclass
class Hit:
    """What a rule's check yields; the engine adds the rule's code, name and
    severity and resolves the location."""

    node: object | None  # graph Node, or None with an explicit site
    message: str
    savings: Savings | None = None
    fix: str | None = None  # a source hint: what to write instead
    rewrite: dict | None = None  # parameters for the probe's module surgery
    site: object | None = None  # a Site, when the location is not the node's
    layer: str | None = None
    edit: SourceEdit | None = None  # what `cnnaudit lint --fix` can write


def severity_counts(findings) -> dict[str, int]:
    """Findings per severity: {"error": n, "warning": n, "suggestion": n}."""
    counts = {"error": 0, "warning": 0, "suggestion": 0}
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def any_at_or_above(findings, level: str) -> bool:
    """Is any finding at or above ``level`` (the CLI's --fail-on)?"""
    threshold = SEVERITY_RANK[level]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)


@dataclass
class Finding:
    code: str
    name: str
    severity: str
    layer: str | None
    file: str | None
    line: int | None
    col: int | None
    message: str
    savings: Savings | None = None
    fix: str | None = None
    rewrite: dict | None = None
    probe: str | None = None  # the command that would verify a suggestion
    extra: dict = field(default_factory=dict)
    # Where this instance of a user's helper class was built (the finding's
    # own line is inside the class, shared by every instance).
    instance: dict | None = None  # {"file", "line"}
    # The layer lives in an installed library and no line of the user's built
    # it: the location is the library's file (absolute), not the user's tree.
    external: bool = False
    layer_type: str | None = None  # "Conv2d", or a function: "F.relu", "Tensor.view"
    edit: SourceEdit | None = None  # the source edit --fix makes, placed

    def to_dict(self) -> dict:
        data = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "layer": self.layer,
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "message": self.message,
        }
        if self.savings is not None:
            data["savings"] = self.savings.to_dict()
        if self.fix is not None:
            data["fix"] = self.fix
        if self.rewrite is not None:
            data["rewrite"] = self.rewrite
        if self.probe is not None:
            data["probe"] = self.probe
        if self.instance is not None:
            data["instance"] = self.instance
        if self.external:
            data["external"] = True
        if self.layer_type is not None:
            data["layer_type"] = self.layer_type
        if self.edit is not None:
            data["edit"] = self.edit.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        """The inverse of ``to_dict`` (for results read back from the cache)."""
        savings = data.get("savings")
        return cls(
            data["code"], data["name"], data["severity"], data.get("layer"), data.get("file"),
            data.get("line"), data.get("col"), data["message"],
            Savings.from_dict(savings) if savings else None, data.get("fix"),
            data.get("rewrite"), data.get("probe"), instance=data.get("instance"),
            external=bool(data.get("external")), layer_type=data.get("layer_type"),
            edit=SourceEdit.from_dict(data["edit"]) if data.get("edit") else None,
        )
