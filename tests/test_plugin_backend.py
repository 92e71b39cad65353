"""A new back-end is one file and one register call: the example of docs/architecture.md,
run as written. It composes its own answer, so the pipeline lets it write the whole text
(checking its citations), without any module knowing its name."""

import importlib
import re
import sys
from pathlib import Path

from assistant import LLMS

DOC = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
SHORTCUT_Q = "Which papers study shortcut learning?"


def documented_plugin() -> str:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    (plugin,) = [b for b in blocks if b.startswith("# echo_llm.py")]
    return plugin


def test_the_documented_composing_backend_takes_one_file_and_one_register_call(small_assistant, tmp_path, monkeypatch):
    code = documented_plugin()
    assert code.count("LLMS.register(") == 1 and "import assistant." not in code
    (tmp_path / "echo_llm.py").write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        importlib.import_module("echo_llm")
        assert small_assistant.backends()["echo"] == (True, "always")
        result = small_assistant.ask(SHORTCUT_Q, llm="echo")
        assert result.backend == "echo" and not any("unavailable" in n for n in result.notices)
        # it composed: its own text is the answer (the request echoed back, sources and question), with [1] checked
        assert "Question:" in result.answer and SHORTCUT_Q in result.answer
        assert [c.n for c in result.citations] == [1]
        phrased = small_assistant.ask(SHORTCUT_Q, llm="extractive")
        assert "Question:" not in phrased.answer, "a back-end that does not compose phrases one source at a time"
    finally:
        LLMS.unregister("echo")
        sys.modules.pop("echo_llm", None)


def name_tests(paths: list[Path], names: set[str]) -> list[str]:
    """Comparisons (==, !=, in) that name a registered back-end."""
    import ast

    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                values = [node.left, *node.comparators]
                constants = {c.value for v in values for c in ast.walk(v) if isinstance(c, ast.Constant)}
                if constants & names:
                    found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_module_tests_a_backends_name(tmp_path):
    """Behaviour comes from capability flags: outside a back-end's own file (and llms.py, which
    registers the built-in ones), no comparison names a back-end."""
    names = set(LLMS.names())
    own = {"llms.py", "llm_local.py", "llm_openai.py"}
    package = Path(__file__).resolve().parents[1] / "assistant"
    paths = [p for p in package.rglob("*.py") if not (p.parent.name == "answering" and p.name in own)]
    assert not name_tests(paths, names)
    probe = tmp_path / "probe.py"
    probe.write_text('def strategy(llm):\n    return "compose" if llm.backend == "openai" else "phrase"\n')
    assert name_tests([probe], names) == ["probe.py:2"], "the check catches a name test"


def test_the_failing_test_double_does_not_pose_as_a_real_backend():
    from conftest import FailingLLM

    assert FailingLLM().backend not in LLMS.names() and FailingLLM().composes
