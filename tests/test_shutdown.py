"""The test process ends like any other: interpreter shutdown is not skipped, so a crash
there would show (conftest.py frees native resources in order instead of hiding it)."""

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_a_pytest_run_with_this_conftest_finishes_its_shutdown(tmp_path):
    marker = tmp_path / "shutdown-ran"
    (tmp_path / "test_tiny.py").write_text(
        "import atexit\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('ran'))\n"
        "def test_nothing():\n    pass\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), str(TESTS.parent)])}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", "--rootdir", str(tmp_path),
         str(tmp_path / "test_tiny.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert marker.exists(), "the interpreter's own shutdown (atexit) never ran"
