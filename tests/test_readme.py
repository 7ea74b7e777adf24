"""Every ```python block of README.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples() -> None:
    assert BLOCKS, "README.md should carry runnable python examples"


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index: int) -> None:
    exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), {"__name__": "readme"})


def test_readme_starts_with_the_two_commands() -> None:
    shell = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    assert "seqvrf simulate" in shell[0] and "seqvrf audit" in shell[0]
    assert "pytest" in shell[1]
