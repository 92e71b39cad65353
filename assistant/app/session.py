"""The Assistant a CLI command works with: settings from the environment and the
command's flags (below cli.py's parser and the command modules, which all use it)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api import Assistant


def assistant_for(args: argparse.Namespace, **overrides: object) -> "Assistant":
    from ..api import Assistant
    from ..config import load_settings

    return Assistant(load_settings(data_dir=args.data_dir, **overrides))
