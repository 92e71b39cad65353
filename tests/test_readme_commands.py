"""README's opening commands and its test command are what CI runs, word for word."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[list[str]]:
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [[line.strip() for line in block.splitlines() if line.strip() and not line.startswith("#")] for block in blocks]


def test_ci_runs_the_readme_commands_word_for_word():
    readme = _bash_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    setup_and_ask, test_command = readme[0], readme[1]
    assert setup_and_ask[0] == "./scripts/setup.sh", "README opens with the set-up command"
    assert 'paper-assistant ask "which papers study shortcut learning?"' in setup_and_ask[1]
    assert test_command == [".venv/bin/python -m pytest"]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    for line in setup_and_ask + test_command:
        assert line in ci_lines, f".ci/run does not run README's line {line!r} as written"


def test_setup_installs_the_browser_by_default():
    script = (ROOT / "scripts" / "setup.sh").read_text()
    assert "want_browser=1\n" in script
    assert "apt-get install" in script and "chromium chromium-driver" in script


def test_every_console_script_of_the_environment_names_an_interpreter_that_exists():
    """A console script whose #! line names a python that is gone fails to start with a bare
    'No such file or directory' (seen in CI: an environment shared between clones through a
    symlink kept the first clone's path; scripts/setup.sh now writes the real path)."""
    import sys
    from importlib.metadata import distributions

    bin_dir = Path(sys.executable).parent
    names = {ep.name for dist in distributions() for ep in dist.entry_points if ep.group == "console_scripts"}
    assert "paper-assistant" in names and "chroma" in names, "the environment lacks the project's console scripts"
    broken = []
    for script in sorted(bin_dir / name for name in names):
        if not script.is_file():
            continue
        with open(script, "rb") as f:
            first = f.readline()
        if first.startswith(b"#!"):
            interpreter = first[2:].split()[0].decode()
            if not Path(interpreter).exists():
                broken.append(f"{script.name}: {interpreter}")
    assert not broken, f"re-run scripts/setup.sh; these scripts name a missing interpreter: {broken}"
