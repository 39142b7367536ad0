"""Start-up: the manifest's models are defined without pydantic's plugin search, and the
environment is left as it was found (a user's own PYDANTIC_DISABLE_PLUGINS included)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import os, sys
import layout.manifest.model, layout.manifest.stylesheet
import pydantic.plugin._loader as loader
print(repr(os.environ.get("PYDANTIC_DISABLE_PLUGINS")), loader._plugins is None)
"""


def _probe(env_value: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if env_value is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = env_value
    r = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return r.stdout.strip()


def test_models_defined_without_plugin_search_and_environment_unchanged() -> None:
    # None: the variable is gone again; True: pydantic never scanned the installed distributions.
    assert _probe(None) == "None True"


def test_a_users_own_setting_is_kept() -> None:
    assert _probe("some-plugin") == "'some-plugin' True"


def test_plugins_off_and_back_restore_the_variable() -> None:
    from layout.manifest.model import PLUGINS_OFF, plugins_back, plugins_off

    saved = os.environ.get(PLUGINS_OFF)
    try:
        os.environ[PLUGINS_OFF] = "x"
        was = plugins_off()
        assert was == "x" and os.environ[PLUGINS_OFF] == "__all__"
        plugins_back(was)
        assert os.environ[PLUGINS_OFF] == "x"
        del os.environ[PLUGINS_OFF]
        plugins_back(plugins_off())
        assert PLUGINS_OFF not in os.environ
    finally:
        if saved is None:
            os.environ.pop(PLUGINS_OFF, None)
        else:
            os.environ[PLUGINS_OFF] = saved
