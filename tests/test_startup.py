"""Start-up: the manifest's and style sheet's models are defined without pydantic's plugin search
(no importlib.metadata, no scan of installed distributions), and the process is left as it was
found: the environment (a user's own PYDANTIC_DISABLE_PLUGINS included) and pydantic's real loader
for whatever defines a model later."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import os, sys
import layout.manifest.schema, layout.manifest.styleschema
print(repr(os.environ.get("PYDANTIC_DISABLE_PLUGINS")), "importlib.metadata" in sys.modules,
      "pydantic.plugin._loader" in sys.modules)
import pydantic
class Later(pydantic.BaseModel):  # a model defined afterwards gets pydantic's own loader
    x: int
import pydantic.plugin._loader as loader
print(loader.__file__ is not None, Later(x="3").x)
"""


def _probe(env_value: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if env_value is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = env_value
    r = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return r.stdout.splitlines()


def test_models_defined_without_plugin_search_and_process_unchanged() -> None:
    assert _probe(None) == ["None False False", "True 3"]


def test_a_users_own_setting_is_kept() -> None:
    assert _probe("some-plugin") == ["'some-plugin' False False", "True 3"]


def test_off_and_back_restore_what_they_found() -> None:
    from layout.manifest import noplugins

    saved = os.environ.get(noplugins.VARIABLE)
    try:
        os.environ[noplugins.VARIABLE] = "x"
        token = noplugins.off()
        assert os.environ[noplugins.VARIABLE] == "__all__"
        noplugins.back(token)
        assert os.environ[noplugins.VARIABLE] == "x"
        assert sys.modules.get(noplugins.LOADER) is not token[1] or token[1] is None
        del os.environ[noplugins.VARIABLE]
        noplugins.back(noplugins.off())
        assert noplugins.VARIABLE not in os.environ
    finally:
        if saved is None:
            os.environ.pop(noplugins.VARIABLE, None)
        else:
            os.environ[noplugins.VARIABLE] = saved


def test_a_pydantic_that_asks_its_loader_for_more_gets_the_real_one() -> None:
    """The stand-in loader answers `get_plugins` only; any other name (a later pydantic's) imports
    pydantic's own loader in its place."""
    import sys

    from layout.manifest import noplugins

    saved = sys.modules.pop(noplugins.LOADER, None)
    token = noplugins.off()
    try:
        stand_in = sys.modules[noplugins.LOADER]
        assert stand_in.get_plugins() == ()
        assert stand_in.PYDANTIC_ENTRY_POINT_GROUP == "pydantic"  # from the real loader
        assert sys.modules[noplugins.LOADER] is not stand_in
    finally:
        noplugins.back(token)
        if saved is not None:
            sys.modules[noplugins.LOADER] = saved
