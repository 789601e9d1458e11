"""Stage 2, trace: one forward pass of a loaded model, on meta tensors by
default, recorded as a dataflow ``Graph`` (module calls and functional ops with
shapes, MACs, bytes saved for backward and the forward source line). A crash
inside forward becomes data (``graph.failure``), not an exception.

Imports only ``load`` and the base modules.
"""

from .counting import mac_formula, register_mac_formula
from .graph import Failure, Graph, Node, TensorInfo
from .inputs import make_inputs
from .tracer import trace

__all__ = ["Failure", "Graph", "Node", "TensorInfo", "mac_formula", "make_inputs",
           "register_mac_formula", "trace"]
