"""Where a finding points, for layers the user did not write in place.

A layer inside a helper class the user wrote (``class Upsample`` used 12
times) is found at its line in the class, which every instance shares: the
fix may belong there, or at the one instance that is wrong, so the finding
also names the line that built *this* instance (``self.up4_3 =
Upsample(...)``). A layer inside an installed library (a torchvision
backbone) is moved to the user's line that built the library model, where the
user can act; with no such line (``torchvision.models:vgg11`` linted by
SPEC) it is marked external, so that code scanning does not look for
``torchvision/models/vgg.py`` in the repository."""

from __future__ import annotations

from ..load.sites import display_path, is_library_file


def place_findings(findings, loaded) -> None:
    modules = dict(loaded.model.named_modules())
    for finding in findings:
        if not finding.layer or finding.layer not in modules:
            continue
        path = finding.extra.get("abs_file")
        if path and is_library_file(path):
            _move_out_of_library(finding, loaded, modules)
        elif path:
            _name_the_instance(finding, loaded, modules)


def _ancestors(name: str):
    parts = name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        yield ".".join(parts[:end])


def _move_out_of_library(finding, loaded, modules) -> None:
    for ancestor in _ancestors(finding.layer):
        site = loaded.sites.get(ancestor)
        if site is not None and not is_library_file(site.file):
            library = f"{finding.file}:{finding.line}"
            finding.message += (f" (inside {ancestor}, a {type(modules[ancestor]).__name__} "
                                f"from {library})")
            finding.file, finding.line, finding.col = display_path(site.file), site.line, site.col
            finding.extra["abs_file"] = site.file
            return
    finding.external = True


def _name_the_instance(finding, loaded, modules) -> None:
    parent = next(_ancestors(finding.layer), None)
    if parent is None or type(modules[parent]).__module__.startswith("torch."):
        return  # a layer of the model itself, or of an nn.Sequential: its line is its own
    site = loaded.sites.get(parent)
    if site is None or (site.file == finding.extra.get("abs_file") and site.line == finding.line):
        return
    finding.instance = {"file": display_path(site.file), "line": site.line}
