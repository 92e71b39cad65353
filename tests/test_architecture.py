"""The layout holds, checked by reading the code (import inspection), not by convention:

- the runtime path (the library, the CLI's ask/search/ingest, the page) imports nothing
  from evaluation/ or bench/;
- consumers (app/, evaluation/, bench/, scripts/, app.py) use only public names: the
  ``assistant`` facade, the top-level modules, and what a stage package lists in its
  ``__all__``, never another package's submodules;
- tests use an Assistant through its public methods only (unit tests may import the
  module they test);
- the Assistant's public API is the documented one, and every module stays small;
- no module imports, even for type checking or inside a function, one that imports it
  back (directly or around a longer circle).
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "assistant"
STAGES = {"text", "corpus", "index", "retrieval", "answering"}
CONSUMERS = {"app", "evaluation", "bench"}
TOP_LEVEL = {"api", "api_types", "config", "layout", "calibration", "registry", "lazy"}
PUBLIC_API = {"ingest", "ingest_upload", "search", "evidence", "ask", "ask_stream", "follow_up", "verify", "explain",
              "papers", "backends", "defaults", "backend", "passages", "stats", "warm_up", "close", "settings", "notify",
              "similar", "remove", "watch", "watches", "unwatch", "check_watches"}
MEASUREMENT_COMMANDS = {"cmd_eval", "cmd_bench"}  # the CLI commands that run the eval and the bench


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path):
    """(absolute module, imported names, enclosing function) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Import):
                found.extend((alias.name, [], function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    module = ".".join(base + ([child.module] if child.module else []))
                else:
                    module = child.module or ""
                found.append((module, [alias.name for alias in child.names], function))
            visit(child, inner)

    visit(tree, None)
    return found


def project_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def public_names(package: str) -> set[str]:
    return set(importlib.import_module(package).__all__)


def test_the_runtime_path_never_imports_evaluation_or_bench():
    runtime = [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in {"evaluation", "bench"}]
    wrong = []
    for path in runtime:
        for module, _, function in imports(path):
            measurement = module.startswith(("assistant.evaluation", "assistant.bench"))
            allowed = path.name == "commands.py" and function in MEASUREMENT_COMMANDS
            if measurement and not allowed:
                wrong.append(f"{path.relative_to(ROOT)} imports {module} (in {function or 'the module'})")
    assert not wrong, wrong
    # and at run time: the CLI, the page and the whole library load without them
    code = ("import sys, assistant.app.cli, assistant.app.commands, assistant.app.research, assistant.app.web,"
            " assistant.app.web_panels, assistant.api, assistant;"
            "[getattr(assistant, n) for n in assistant.__all__];"
            "print(sorted(m for m in sys.modules if m.startswith(('assistant.evaluation', 'assistant.bench'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def allowed_for(consumer_package: str | None, module: str, names: list[str]) -> str | None:
    """None when a consumer may import this, else why not."""
    if not module.startswith("assistant"):
        return None
    parts = module.split(".")
    if module == "assistant":
        unknown = set(names) - public_names("assistant")
        return f"names {sorted(unknown)} are not in the facade's __all__" if unknown else None
    if len(parts) == 2 and parts[1] in TOP_LEVEL:
        return None
    if consumer_package and parts[1] == consumer_package:
        return None  # its own package
    if len(parts) == 2 and (parts[1] in STAGES or parts[1] in CONSUMERS):
        unknown = set(names) - public_names(module)
        return f"names {sorted(unknown)} are not in {module}.__all__" if unknown else None
    return f"{module} is a submodule: use the package's public names"


def test_consumers_use_only_public_names():
    consumers = [(p, p.relative_to(PACKAGE).parts[0]) for p in PACKAGE.rglob("*.py")
                 if p.relative_to(PACKAGE).parts[0] in CONSUMERS]
    consumers += [(p, None) for p in project_files("scripts")] + [(ROOT / "app.py", None)]
    wrong = []
    for path, own in consumers:
        for module, names, _ in imports(path):
            why = allowed_for(own, module, names)
            if why:
                wrong.append(f"{path.relative_to(ROOT)}: {why}")
    assert not wrong, wrong


ASSISTANT_MAKERS = {"Assistant", "make_assistant", "open_assistant"}
ASSISTANT_FIXTURES = {"assistant", "small_assistant", "real_assistant"}


def reach_ins(path: Path) -> list[str]:
    """Attributes of an Assistant (a fixture, or a variable assigned from one of the makers)
    that are not its public API."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        names = ASSISTANT_FIXTURES & {a.arg for a in function.args.args}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                func = node.value.func
                called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if called in ASSISTANT_MAKERS:
                    names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        found += [f"{path.name}:{node.lineno} {node.value.id}.{node.attr}" for node in ast.walk(function)
                  if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in names
                  and node.attr not in PUBLIC_API | {"messages"}]  # messages: a test's own note on the object
    return sorted(set(found))


def test_tests_use_an_assistant_through_its_public_methods_only():
    wrong = [r for path in project_files("tests") for r in reach_ins(path)]
    assert not wrong, wrong


def test_the_assistant_offers_the_documented_api():
    from assistant.api import Assistant

    offered = {n for n in vars(Assistant) if not n.startswith("_")}
    assert offered == PUBLIC_API - {"settings", "notify"}


def test_every_module_is_300_lines_or_fewer():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > 300}
    assert not long, long


BEHIND_THE_API = {"candidate", "hit"}  # retrieval's own objects: an answer's rows say what they hold
INDEX_PARTS = {"Catalog", "open_vector_store", "make_embedder", "DataLayout", "as_llama_index_embedding"}


def reach_arounds(path: Path, *, stores_allowed: bool = False) -> list[str]:
    """What a consumer reads behind the API: an Assistant's settings, retrieval's candidates and
    hits behind an answer, or (unless allowed) the index's stores, opened on its own."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"{path.name}:{n.lineno} .{n.attr}" for n in ast.walk(tree) if isinstance(n, ast.Attribute)
             and (n.attr in BEHIND_THE_API or (n.attr == "settings" and isinstance(n.value, ast.Name)
                                               and n.value.id == "assistant"))]
    if not stores_allowed:
        found += [f"{path.name}: imports {sorted(set(names) & INDEX_PARTS)}" for _, names, _ in imports(path)
                  if set(names) & INDEX_PARTS]
    return found


def test_consumers_reach_nothing_behind_the_api():
    """The page, the CLI, the eval and its llama-index baseline use the Assistant's verbs and the
    dataclasses they return. The bench may build stores and embedders from the public registries,
    in processes of its own, to measure them against llama-index's; it too reads no Assistant's
    settings and no candidates."""
    wrong = [r for folder in ("app", "evaluation") for p in (PACKAGE / folder).rglob("*.py") for r in reach_arounds(p)]
    wrong += [r for p in (PACKAGE / "bench").rglob("*.py") for r in reach_arounds(p, stores_allowed=True)]
    wrong += [r for p in project_files("scripts") + [ROOT / "app.py"] for r in reach_arounds(p, stores_allowed=True)]
    assert not wrong, wrong


HANDOVER = {"handover", "question", "query", "scope", "evidence"}  # the hand-over's types and the judge's matcher


def test_the_answering_stage_reads_only_the_hand_over_from_retrieval():
    """Answers are written from Evidence: answering/ imports, of retrieval, only the hand-over's
    types (and the sentence matcher the support judge stands on), never search or selection."""
    wrong = [f"{p.name}: {module}" for p in (PACKAGE / "answering").rglob("*.py") for module, _, _ in imports(p)
             if module.startswith("assistant.retrieval.") and module.split(".")[2] not in HANDOVER]
    assert not wrong, wrong


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports (at module level, in functions or for type checking)."""
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in PACKAGE.rglob("*.py"):
        source = module_name(path)
        for module, names, _ in imports(path):
            targets = {f"{module}.{n}" for n in names} & modules or {module} & modules
            graph[source] |= targets - {source}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    """What two modules both need lives below both (e.g. answering/llm_base.py, app/session.py)."""
    assert not circles(import_graph())


ANSWER_PATH = ["api.py", "wiring.py", "retrieval", "answering"]  # from a question to its verified answer


def long_functions(paths: list[Path], limit: int = 60) -> list[str]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > limit:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)")
    return found


def test_no_function_in_the_answer_path_is_over_60_lines():
    paths = [p for part in ANSWER_PATH for p in ([PACKAGE / part] if part.endswith(".py") else (PACKAGE / part).rglob("*.py"))]
    assert len(paths) > 30
    assert not long_functions(paths)


def test_the_checks_catch_what_they_look_for(tmp_path):
    """The inspection is not vacuous: a submodule import, an unexported name, a measurement
    import on the runtime path and a reach-in into an Assistant are all caught."""
    assert allowed_for("app", "assistant.index.catalog", ["Catalog"])
    assert allowed_for("app", "assistant.index", ["Catalog"]) is None
    assert allowed_for(None, "assistant", ["NotExported"])
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert long_functions([PACKAGE / "app" / "web.py"]), "build_app is long (the page, not the answer path)"
    around = PACKAGE / "app" / "around_for_test.py"
    around.write_text("from ..index import Catalog\n"
                      "def f(assistant, source):\n    return assistant.settings.llm, source.candidate.hit.paper\n")
    try:
        assert sorted(reach_arounds(around)) == ["around_for_test.py: imports ['Catalog']", "around_for_test.py:3 .candidate",
                                                 "around_for_test.py:3 .hit", "around_for_test.py:3 .settings"]
    finally:
        around.unlink()
    graph = import_graph()  # function-level and type-checking imports count too
    assert "assistant.answering.llm_base" in graph["assistant.answering.llm_local"]
    assert "assistant.api" in graph["assistant.wiring"] or "assistant.config" in graph["assistant.wiring"]
    probe = PACKAGE / "retrieval" / "probe_for_test.py"  # inside the package, so relative imports resolve
    probe.write_text("def f():\n    from ..evaluation.metrics import mean\n")
    try:
        assert ("assistant.evaluation.metrics", ["mean"], "f") in imports(probe)
    finally:
        probe.unlink()
    reaching = tmp_path / "test_probe.py"
    reaching.write_text("def test_x(small_assistant, make_assistant):\n    other = make_assistant()\n"
                        "    small_assistant._catalog.counts()\n    other.answerer\n    other.ask('q')\n")
    assert sorted(reach_ins(reaching)) == ["test_probe.py:3 small_assistant._catalog", "test_probe.py:4 other.answerer"]
