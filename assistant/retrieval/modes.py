"""The retrieval modes, defined once: the settings, the CLI, the page, the eval and the
retriever all take them from here (this module imports nothing, so --help stays instant)."""

MODES = ("dense", "bm25", "hybrid")  # embedding similarity, BM25, and the two fused (the default)
