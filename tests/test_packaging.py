"""What `pip install .` ships: every package of vrf/ and election/, the typing marker, the command."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_subpackage_is_shipped() -> None:
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = sorted(
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("vrf", "election")
        for p in (ROOT / top).rglob("__init__.py")
    )
    assert "election.sim" in packages
    for name in packages:
        assert any(fnmatch.fnmatch(name, pattern) for pattern in include), name


def test_typed_and_command_declared() -> None:
    assert (ROOT / "vrf" / "py.typed").exists() and (ROOT / "election" / "py.typed").exists()
    assert PYPROJECT["project"]["scripts"]["seqvrf"] == "election.cli:main"
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    deps = " ".join(PYPROJECT["project"]["dependencies"])
    for dep in ("cffi", "cryptography", "pynacl"):
        assert dep in deps
