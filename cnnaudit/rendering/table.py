"""The summary as text: a tabulate table of layers and a block of totals."""

from __future__ import annotations

from ..units import format_bytes, format_count

COLUMNS = ("Layer", "Type", "Output shape", "Params", "MACs", "Activations/sample", "Source")


def at_batch(shape, per_batch: bool, traced: int, batch: int) -> list[int]:
    """A traced shape as it is at the user's batch: a per-batch tensor's first
    dimension scaled from the trace's batch (a folded ``view(-1, 10)`` of
    ``[8, 10]`` at trace batch 2 is ``[4, 10]`` at batch 1); others as traced."""
    shape = list(shape)
    if per_batch and shape and shape[0] % traced == 0:
        shape[0] = shape[0] // traced * batch
    return shape


def shapes_at_batch(layer, traced: int, batch: int) -> list[list[int]]:
    """Every output of a layer at the user's batch."""
    shapes = layer.output_shapes or ([layer.output_shape] if layer.output_shape else [])
    flags = layer.per_batch or [False] * len(shapes)
    return [at_batch(shape, flag, traced, batch) for shape, flag in zip(shapes, flags)]


def _shapes(layer, traced: int, batch: int) -> str:
    """One output as ``[1, 8, 16, 16]``; several compactly, each one:
    ``[1,4,16,16] [1,8,8,8]``."""
    shapes = shapes_at_batch(layer, traced, batch)
    if not shapes:
        return "--"
    if len(shapes) == 1:
        return str(shapes[0])
    return " ".join("[" + ",".join(map(str, shape)) + "]" for shape in shapes)


RECEPTIVE_COLUMNS = ("RF", "Stride", "Padding")


def columns(summary, receptive: bool = False) -> tuple[str, ...]:
    chosen = COLUMNS[:-1]
    if _has_saved(summary):
        chosen += ("Saved/sample",)
    if receptive:
        chosen += RECEPTIVE_COLUMNS
    return chosen + COLUMNS[-1:]


def _has_saved(summary) -> bool:
    return any(layer.saved_bytes is not None for layer in summary.layers)


def receptive_cells(layer) -> list[str]:
    """RF, stride and padding cells of a layer; ``?`` when not followed."""
    if layer.receptive_field is None:
        return ["?", "", ""]
    return list(describe_field(layer.receptive_field))


def describe_field(rf: dict) -> tuple[str, str, str]:
    """(RF, stride, padding) cells of a receptive field (``Field.to_dict()``):
    ``35`` when every dimension agrees, else ``7×35``; ``whole``; ``≈`` for a
    fractional (upsampled) field, ``flat`` for a flattened map, ``+ctx`` with
    global context; ``—`` for what parameters alone make."""
    if rf["kind"] == "whole":
        return "whole", "", ""
    if rf["kind"] == "const":
        return "—", "", ""

    def cells(values) -> str:
        return str(values[0]) if len(set(values)) == 1 else "×".join(map(str, values))

    size = ("≈" if rf["fractional"] else "") + cells(rf["size"])
    if rf["kind"] == "flat":
        size += " flat"
    if rf["context"]:
        size += " +ctx"
    return size, cells(rf["stride"]), cells(rf["padding"])


def layer_rows(summary, indent: bool = True, receptive: bool = False) -> list[list[str]]:
    rows = []
    with_saved = _has_saved(summary)
    for layer in summary.layers:
        name = layer.name
        if indent:
            name = "  " * (layer.depth - 1) + name
        if layer.error:
            name += "  ✗"
        location = f"{_relative(layer.file, summary.library)}:{layer.line}" \
            if layer.file else ""
        row = [
            name,
            layer.type,
            _shapes(layer, summary.trace_batch_size, summary.batch_size),
            format_count(layer.params) if layer.kind == "module" else "",
            format_count(layer.macs),
            format_bytes(layer.activation_bytes),
            location,
        ]
        if with_saved:
            row.insert(-1, format_bytes(layer.saved_bytes))
        if receptive:
            row[-1:-1] = receptive_cells(layer)
        rows.append(row)
    return rows


def _relative(path: str, library: str | None) -> str:
    """A library model's paths below its package, said once (library_line)."""
    prefix = f"{library}/" if library else None
    return path[len(prefix):] if prefix and path.startswith(prefix) else path


def library_line(summary) -> str | None:
    if not summary.library or not summary.layers:
        return None
    return (f"Source: {summary.library}'s code (no layer is defined in your files); "
            f"paths relative to the {summary.library} package")


def header_line(summary) -> str:
    shapes = " + ".join(str(list(s)) for s in summary.input_shapes)
    spec = f" ({spec_text(summary.spec, summary.model_args)})" \
        if summary.spec and summary.spec != summary.model else ""
    return (
        f"{summary.model}{spec} · input {shapes} per sample · shapes at batch "
        f"{summary.batch_size} (traced at batch {summary.trace_batch_size} on {summary.device})"
    )


def spec_text(spec: str, model_args: dict) -> str:
    """``timm:create_model, model_name='resnet18'``: the SPEC and its arguments."""
    arguments = ", ".join(f"{k}={v!r}" for k, v in model_args.items())
    return f"{spec}, {arguments}" if arguments else spec


def totals_lines(summary) -> list[str]:
    t = summary.totals
    macs_label = "MACs (fvcore)" if summary.counter == "fvcore" else "MACs"
    lines = [
        f"Params        {t.params:,} ({format_bytes(t.param_bytes)})"
        + (f", trainable {t.trainable_params:,}" if t.non_trainable_params else ", all trainable"),
        f"{macs_label:<13} {format_count(t.macs)} per sample"
        f"   FLOPs (2 × MACs) {format_count(t.flops)}"
        + (f"   (of which {format_count(t.fixed_macs)} once per forward, whatever the batch)"
           if t.fixed_macs and summary.counter != "fvcore" else ""),
        f"Activations   {format_bytes(t.activation_bytes)} per sample (forward outputs)"
        + (f", {format_bytes(t.activation_bytes * summary.batch_size)} at batch "
           f"{summary.batch_size}" if summary.batch_size > 1 else "")
        + f"   input {format_bytes(t.input_bytes)} per sample",
    ]
    if t.buffer_bytes:
        lines.append(f"Buffers       {format_bytes(t.buffer_bytes)}")
    if summary.counter == "fvcore" and summary.fvcore is not None:
        return lines + _fvcore_lines(summary.fvcore)
    if summary.not_counted:
        ops = ", ".join(
            f"{op.split('::')[-1]} ×{n}" for op, n in sorted(summary.not_counted.items())
        )
        lines.append(f"Not counted   {ops} (convention: conv, linear, matmul MACs only)")
    return lines


def _fvcore_lines(counts: dict) -> list[str]:
    """fvcore's own convention, in its own names: what it counted by operator
    group, and the ops its jit trace met that it has no handle for."""
    counted = ", ".join(f"{op} {format_count(n)}" for op, n in
                        sorted(counts["by_operator"].items(), key=lambda item: -item[1]))
    lines = [f"Counted by    fvcore: {counted or 'nothing'} (fvcore's convention: one "
             "multiply-add = 1; besides conv, linear and matmul it counts the ops it has "
             "handles for, batch norm, adaptive pooling and upsampling among them)"]
    if counts["unsupported_ops"]:
        ops = ", ".join(f"{op.split('::')[-1]} ×{n}" for op, n in
                        sorted(counts["unsupported_ops"].items()))
        lines.append(f"Not counted   {ops} (fvcore has no handle for them)")
    return lines


def memory_lines(memory) -> list[str]:
    if memory is None:
        return []
    lines = [
        f"Training memory, batch {memory.batch_size}, {memory.optimizer}, {memory.precision}:",
        f"  parameters        {format_bytes(memory.param_bytes)}",
        f"  gradients         {format_bytes(memory.gradient_bytes)}",
        f"  optimizer state   {format_bytes(memory.optimizer_bytes)}",
        f"  saved activations {format_bytes(memory.activation_bytes)}"
        f"   ({format_bytes(memory.saved_bytes_per_sample)} per sample)",
        f"  input batch       {format_bytes(memory.input_bytes)}",
    ]
    if memory.weight_cast_bytes:
        lines.append(f"  weight copies     {format_bytes(memory.weight_cast_bytes)}"
                     "   (autocast's low-precision weights, saved until backward)")
    if memory.step_transient_bytes or memory.optimizer in ("adam", "adamw"):
        lines.append(f"  step temporaries  {format_bytes(memory.step_transient_bytes)}"
                     f"   ({memory.optimizer}, {memory.optimizer_implementation} step)")
    phases = ", ".join(f"{phase} {format_bytes(size)}"
                       for phase, size in memory.phase_bytes.items())
    lines.append(f"  peak              {format_bytes(memory.total_bytes)}"
                 f"   during {memory.peak_phase} ({phases})")
    if memory.memory_budget is not None:
        if memory.max_batch_size:
            lines.append(
                f"  largest batch within {format_bytes(memory.memory_budget)}: "
                f"{memory.max_batch_size:,}"
            )
        else:
            lines.append(
                f"  does not fit in {format_bytes(memory.memory_budget)} even at batch 1"
            )
    return lines


def receptive_line(summary) -> str | None:
    """What the final feature map sees of the input, against its size."""
    rf = summary.receptive
    if rf is None:
        return None
    _, stride, padding = describe_field(rf)
    size = ("≈" if rf["fractional"] else "") + "×".join(map(str, rf["size"]))
    given = "×".join(map(str, rf["input"]))
    covered = min(min(r, n) / n for r, n in zip(rf["size"], rf["input"]))
    line = (f"RF            {size} at {rf['layer']} ({'×'.join(map(str, rf['map']))} map, "
            f"stride {stride}, padding {padding}): "
            + (f"larger than the {given} input" if covered >= 1 else
               f"{covered:.0%} of each side of the {given} input"))
    if rf["context"]:
        line += ", plus global context"
    if rf["head"]:
        line += f"; from {rf['head']} on, the whole input"
    if rf["misaligned_joins"]:
        line += f"; misaligned paths join at {', '.join(rf['misaligned_joins'][:3])}"
    return line


def render_summary(summary, receptive: bool = False, tablefmt: str = "simple") -> str:
    """The table and its lines; ``tablefmt="html"`` for a notebook's table."""
    from tabulate import tabulate

    parts = [header_line(summary)]
    if library := library_line(summary):
        parts.append(library)
    parts.append("")
    if summary.layers:  # --depth 0: totals only
        parts.append(tabulate(layer_rows(summary, indent=tablefmt != "html", receptive=receptive),
                              headers=columns(summary, receptive), tablefmt=tablefmt,
                              disable_numparse=True))
        parts.append("")
    parts.extend(totals_lines(summary))
    if receptive and (field := receptive_line(summary)):
        parts.append(field)
    memory = memory_lines(summary.training_memory)
    if memory:
        parts.append("")
        parts.extend(memory)
    if summary.failure:
        where = ""
        if summary.failure.get("file"):
            where = f"{summary.failure['file']}:{summary.failure['line']}: "
        parts.append("")
        parts.append(f"{where}forward failed: {summary.failure['message']}")
    return "\n".join(parts)
