"""Type stub for the cffi-compiled C core (built from csrc/ by vrf/_build.py)."""

from typing import Any

ffi: Any
lib: Any
