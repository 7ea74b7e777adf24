# setuptools needs this file only for cffi's build hook; metadata lives in pyproject.toml.
from setuptools import setup

setup(cffi_modules=["vrf/_build.py:ffibuilder"])
