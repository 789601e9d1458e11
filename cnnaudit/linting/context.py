"""What a rule may read (``LintContext``) and the options that tune the rules
(``LintOptions``: the same names as the CLI options and config keys)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..load import LoadedModel, Site, definition_site
from ..trace import Graph

FAIL_ON = ("error", "warning", "suggestion")


@dataclass
class LintOptions:
    select: list[str] | None = None  # codes, prefixes, names; None = all
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "warning"
    max_suggestions: int = 5  # per model, ranked by savings; 0 = all
    # CNA301: a Linear on a flattened map holding at least this share of the parameters
    oversized_fc_share: float = 0.5
    # CNA302/303/304: suggest only when the layer shrinks by at least this share
    min_savings_share: float = 0.5
    # CNA303: only convolutions at least this wide (in and out channels)
    bottleneck_min_channels: int = 64
    # CNA208: lost real rows/columns must be at least this share of the extent
    truncation_min_share: float = 0.01
    # CNA210: the final feature map must see at least this share of each input side
    rf_min_share: float = 0.5
    # CNA306: layers running after the field covers the input, to suggest downsampling
    wasted_depth_min_layers: int = 3
    # CNA401-403
    max_params: int | None = None
    max_macs: int | None = None
    max_memory: int | None = None
    memory_batch_size: int = 32
    optimizer: str = "adam"


class LintContext:
    """What a rule may read: the eval-mode graph, a training-mode graph on
    demand, the model, where its layers were built, and the options."""

    def __init__(self, loaded: LoadedModel, graph: Graph, input_shapes, options: LintOptions):
        self.loaded = loaded
        self.model = loaded.model
        self.graph = graph
        self.input_shapes = input_shapes
        self.options = options

    @cached_property
    def train_graph(self) -> Graph:
        """The same model traced in training mode, saving tensors for backward."""
        from ..trace import trace

        return trace(self.model, self.input_shapes, batch_size=self.graph.batch_size,
                     device=self.graph.device, training=True, record_saved=True,
                     sites=self.loaded.sites)

    def trace_at(self, input_shapes) -> Graph:
        from ..trace import trace

        return trace(self.model, input_shapes, batch_size=self.graph.batch_size,
                     device=self.graph.device, sites=self.loaded.sites)

    @cached_property
    def fields(self):
        """Receptive field of every node (stats.receptive)."""
        from ..stats.receptive import receptive_fields

        return receptive_fields(self.graph)

    @cached_property
    def final_map(self):
        """The map the head reads, with its field (stats.receptive.final_map)."""
        from ..stats.receptive import final_map

        return final_map(self.graph, self.fields)

    @cached_property
    def total_params(self) -> int:
        return sum(p.numel() for p in self.model.parameters())

    def model_site(self) -> Site | None:
        """Where the model's class is defined (for findings about the whole model)."""
        site = definition_site(type(self.model))
        return Site(site.file, site.line, 1) if site is not None else None
