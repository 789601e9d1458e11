"""Stage 7, viewing — what ``cnnaudit report`` shows: the summary at every
level with its memory timeline, lint's findings, the dataflow graph as the page
folds it, and earlier probe/doctor results, gathered into one ``ModelView``
(``cnnaudit.rendering``). The page itself is the report stage's job.

Imports linting, stats, the pipeline, trace, load and the base modules; never
the probe, the doctor, report or cli (their results come in as JSON).
"""

from .build import ModelView, build_view
from .graph_view import default_depth, graph_view, visible_nodes

__all__ = ["ModelView", "build_view", "default_depth", "graph_view", "visible_nodes"]
