"""Stage 1, load: SPEC → ``nn.Module``, built on the meta device, with where
each submodule was constructed (file:line, also inside ``nn.Sequential``).

The bottom floor: it imports nothing of cnnaudit but ``errors``.
"""

from .build import LoadedModel, from_module, load
from .sites import Site, definition_site, display_path, is_library_file, where
from .spec import import_target, parse_model_args, split_spec

__all__ = [
    "LoadedModel", "Site", "definition_site", "display_path", "from_module", "import_target",
    "is_library_file", "load", "parse_model_args", "split_spec", "where",
]
