"""Pydantic without its plugin search, while the manifest's and the style sheet's models are defined.

Reads and changes, for the span of those definitions only, the PYDANTIC_DISABLE_PLUGINS variable
and pydantic's plugin loader module; produces nothing. Defining a model makes pydantic look for
plugins: it imports importlib.metadata (with the email package; about 10 ms) and reads the entry
points of every installed distribution (about 12 ms): a fifth of a render's start-up, for hooks
nothing of ours uses on these internal models. `off()` before the definitions and `back()` after
them leave the process as it was: the variable as found, pydantic's real loader imported as usual
by whatever defines a model later.
"""

from __future__ import annotations

import importlib
import os
import sys
import types

VARIABLE = "PYDANTIC_DISABLE_PLUGINS"  # pydantic's documented switch: "__all__" turns every plugin off
LOADER = "pydantic.plugin._loader"  # where pydantic looks for plugins (imported when a model is defined)


def _none(*_args: object, **_kwargs: object) -> tuple[()]:
    return ()


def off() -> tuple[str | None, types.ModuleType | None]:
    """Plugins off until `back(token)`: the variable set and, unless pydantic's loader is already
    imported, a stand-in for it that finds no plugins (so importlib.metadata is not imported)."""
    was = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = "__all__"
    stand_in = None
    if LOADER not in sys.modules:
        stand_in = types.ModuleType(LOADER, "No plugins: see layout.manifest.noplugins")
        stand_in.get_plugins = _none  # type: ignore[attr-defined]
        stand_in.__getattr__ = _real  # type: ignore[attr-defined]
        sys.modules[LOADER] = stand_in
    return was, stand_in


def _real(name: str) -> object:
    """Anything else a pydantic version asks of its loader: the real loader, imported in the stand-in's
    place (so a pydantic that reads more than `get_plugins` from it still works, only slower)."""
    if name.startswith("__"):
        raise AttributeError(name)
    sys.modules.pop(LOADER, None)
    return getattr(importlib.import_module(LOADER), name)


def back(token: tuple[str | None, types.ModuleType | None]) -> None:
    """The variable as `off` found it, and the stand-in loader gone (a later import gets the real one)."""
    was, stand_in = token
    if was is None:
        os.environ.pop(VARIABLE, None)
    else:
        os.environ[VARIABLE] = was
    if stand_in is not None and sys.modules.get(LOADER) is stand_in:
        del sys.modules[LOADER]
