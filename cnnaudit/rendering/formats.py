"""Machine formats of the summary: JSON (the API's ``to_dict()``), CSV and markdown."""

from __future__ import annotations

import csv
import io
import json

from .table import (
    columns,
    header_line,
    layer_rows,
    library_line,
    memory_lines,
    receptive_line,
    totals_lines,
)

CSV_FIELDS = ("name", "type", "kind", "depth", "output_shape", "params", "macs",
              "activation_bytes", "saved_bytes", "file", "line", "error", "receptive_field",
              "effective_stride", "effective_padding")
RECEPTIVE_KEYS = {"receptive_field": "size", "effective_stride": "stride",
                  "effective_padding": "padding"}


def to_json(summary) -> str:
    return json.dumps(summary.to_dict(), indent=2)


def to_csv(summary) -> str:
    """One row per layer, exact integers; shapes as ``2x10x26x26`` (several
    outputs separated by ``;``)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for layer in summary.layers:
        row = {k: getattr(layer, k) for k in CSV_FIELDS if k not in RECEPTIVE_KEYS}
        rf = layer.receptive_field or {}
        for column, key in RECEPTIVE_KEYS.items():  # 35x35; "whole"; empty when unknown
            values = rf.get(key)
            row[column] = "x".join(map(str, values)) if values else \
                ("whole" if rf.get("kind") == "whole" and key == "size" else "")
        shapes = layer.output_shapes or ([layer.output_shape] if layer.output_shape else [])
        row["output_shape"] = ";".join("x".join(map(str, shape)) for shape in shapes)
        writer.writerow(row)
    return out.getvalue()


def to_markdown(summary, receptive: bool = False) -> str:
    from tabulate import tabulate

    lines = [f"**{header_line(summary)}**", ""]
    if library := library_line(summary):
        lines[1:1] = ["", library]
    if summary.layers:  # --depth 0: totals only
        lines.append(tabulate(layer_rows(summary, indent=False, receptive=receptive),
                              headers=columns(summary, receptive), tablefmt="github",
                              disable_numparse=True))
        lines.append("")
    lines.extend(f"- {line.strip()}" for line in totals_lines(summary))
    if receptive and (field := receptive_line(summary)):
        lines.append(f"- {field}")
    memory = memory_lines(summary.training_memory)
    if memory:
        lines.append("")
        lines.append(f"**{memory[0]}**")
        lines.append("")
        lines.extend(f"- {line.strip()}" for line in memory[1:])
    if summary.failure:
        lines.append("")
        lines.append(f"**Forward failed:** {summary.failure['message']}")
    return "\n".join(lines) + "\n"


RENDERERS = {"json": to_json, "csv": to_csv, "markdown": to_markdown}
