"""Were the index's vectors made by the arithmetic this machine uses?

The int8 embedding model gives slightly different vectors on CPUs with different int8
kernels (AVX2 against AVX-512 VNNI, say): the same chunk's vectors from two such machines
are at a cosine of about 0.99, while one machine repeats itself exactly. An index
copied from another machine (or left by another onnxruntime build) is then searched with
query vectors of another make, and a borderline paper can move. To notice it, every
ingest that embeds the whole index stores the vector of one fixed sentence; a later
process embeds the sentence again and compares.
"""

from __future__ import annotations

import json
import math
import shlex
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .catalog import Catalog
    from .embedders import Embedder

PROBE_TEXT = "A fixed sentence whose vector shows whether an index was embedded with the same arithmetic."
# 1 - cosine of the probe's two vectors. One machine repeats its vector exactly. Two CPUs with
# different int8 kernels gave 3e-3 or more for every one of the bundled corpus's 645 chunks
# (an ad hoc comparison of two machines' indexes, which one machine cannot reproduce).
TOLERANCE = 1e-4


def _key(embedder: "Embedder") -> str:
    return f"probe:{embedder.name}"


def _vector(embedder: "Embedder") -> list[float]:
    return [float(x) for x in embedder.embed_documents([PROBE_TEXT])[0]]


def record(catalog: "Catalog", embedder: "Embedder") -> None:
    """Store the probe's vector as this machine makes it (after embedding the whole index)."""
    catalog.set_meta(_key(embedder), json.dumps(_vector(embedder)))


def stored(catalog: "Catalog", embedder: "Embedder") -> bool:
    return catalog.get_meta(_key(embedder)) is not None


def drift(catalog: "Catalog", embedder: "Embedder") -> float | None:
    """1 - cosine between the stored probe vector and this machine's (None: none stored)."""
    raw = catalog.get_meta(_key(embedder))
    if raw is None:
        return None
    return 1.0 - _cosine(json.loads(raw), _vector(embedder))


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    if len(a) != len(b):
        return 0.0
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def warning(difference: float, sources: list[str], *, mixed: bool = False) -> str:
    """What a user is told when the index's vectors were made elsewhere (``sources``: the
    registered corpus paths, for the command that embeds them all again here)."""
    what = ("This ingest embedded new chunks on this machine beside vectors" if mixed
            else "The index's vectors were")
    command = "paper-assistant ingest --rebuild " + " ".join(shlex.quote(s) for s in sources)
    return (f"{what} made with different arithmetic for this embedding model (another CPU's int8 kernels or "
            f"another onnxruntime build: a fixed sentence's vector is at cosine {1 - difference:.5f} to the stored one, "
            f"where the same machine gives 1.00000). Search here may rank a little differently from a fresh index. "
            f"To embed everything here: {command}")
