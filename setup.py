"""Setuptools packages: every `layout*` package found, plus the house folders fonts/ and assets/
mapped into the package (see [tool.setuptools.package-dir] in pyproject.toml). Everything else
about the project is declared in pyproject.toml."""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["layout", "layout.*"]), "layout.fonts", "layout.assets"])
