"""The README's Python examples work when pasted: each ```python block of its "From Python"
section runs against a peerd on the default socket."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO, Peerd


def examples() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## From Python", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_has_a_sync_and_an_async_example() -> None:
    found = examples()
    assert len(found) == 2
    assert "peerd.Client()" in found[0] and "peerd.AsyncClient()" in found[1]
    assert all(len(example.strip().splitlines()) <= 6 for example in found)


@pytest.mark.parametrize("index", [0, 1])
def test_the_readme_example_runs(index: int, default_path_peerd: tuple[Peerd, dict[str, str]]) -> None:
    _, environ = default_path_peerd
    environ = dict(environ, PYTHONPATH=str(REPO / "clients" / "python" / "src"))
    if os.getuid() == 0:
        environ.pop("XDG_RUNTIME_DIR")  # root's default does not look at it; neither does peerd's
    done = subprocess.run([sys.executable, "-c", examples()[index]], capture_output=True, text=True, env=environ, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "capacity: 250" in done.stdout  # GetStatistics printed
