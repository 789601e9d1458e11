"""Stage 7, cli: the ``cnnaudit`` command. Parses options (config as their
defaults), plans lint jobs (models found in files, the cache), calls the
stages, renders with ``report`` and decides the exit code in one place.

The top floor with the API: nothing else in the package imports it.
"""

from .main import entry, main

__all__ = ["entry", "main"]
