"""paper-assistant: question answering over research-paper abstracts with verified citations.

The public API lives in :mod:`assistant.api` (``Assistant``) and
:mod:`assistant.config` (``Settings``). Importing this package builds nothing.
"""

__version__ = "0.1.0"
