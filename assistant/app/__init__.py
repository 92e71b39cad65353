"""The ways in: the command line (cli.py), the local chat page (web.py) and terminal
rendering. Thin layers over the library API (:class:`assistant.Assistant`)."""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {"main": ".cli", "build_app": ".web", "serve": ".web", "peak_rss_mb": ".resources"}
__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
