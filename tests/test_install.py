"""The tool installs like any other: a wheel built from the repository, installed into a fresh
virtual environment (not the editable checkout), renders the sample issue with its fonts found
inside the package; the PDF gets the umask's mode; `issue --version` prints the version.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from layout import __version__

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH: the venv must import the installed wheel, not this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the wheel built from a copy of the repository (the checkout stays clean)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", ".*_cache", "out", "*.so"),
    )
    wheels = tmp / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "-w", str(wheels), "--no-deps", "--no-build-isolation", "-q"],
        check=True,
        capture_output=True,
        env=_clean_env(),
        timeout=300,
    )
    (whl,) = wheels.glob("layout-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)  # dependencies from the system
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--no-deps", "-q", str(whl)],
        check=True,
        capture_output=True,
        env=_clean_env(),
        timeout=300,
    )
    return env_dir


def _run(env_dir: Path, *args: str, cwd: Path, umask: int = 0o022) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(env_dir / "bin" / "issue"), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_clean_env(),
        timeout=300,
        preexec_fn=lambda: os.umask(umask),
    )


def test_wheel_imports_its_own_package_and_fonts(installed: Path, tmp_path: Path) -> None:
    code = (
        "import layout.manifest.stylesheet as s, layout; print(layout.__file__); print(s.FONT_DIR); print(s.ASSETS_DIR)"
    )
    r = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(),
        check=True,
    )
    pkg, fonts, assets = (Path(x) for x in r.stdout.split())
    site = installed / "lib"
    assert site in pkg.parents, f"the venv imported {pkg}, not the wheel"
    assert fonts == pkg.parent / "fonts" and any(fonts.rglob("*.ttf")), fonts
    assert assets == pkg.parent / "assets" and (assets / "README.md").is_file(), assets


@pytest.mark.parametrize("module", ["text._breaker", "text._setlines", "pdf._textops", "pdf._pagekey"])
def test_wheel_compiles_the_c_extensions(installed: Path, tmp_path: Path, module: str) -> None:
    """The wheel build compiles each optional C extension (the copy had no .so) where there is a
    compiler: the breaker, the line filling and cache entries, the text operators, the page keys."""
    if not shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]):
        pytest.skip("no C compiler: the wheel is pure Python and every kernel runs its Python code")
    code = f"import layout.{module} as b; print(b.__file__)"
    r = subprocess.run(
        [str(installed / "bin" / "python"), "-c", code],
        capture_output=True, text=True, cwd=tmp_path, env=_clean_env(), check=True,
    )  # fmt: skip
    for built in r.stdout.split():
        assert installed / "lib" in Path(built).parents, r.stdout


def test_wheel_renders_the_sample_with_umask_permissions(installed: Path, tmp_path: Path) -> None:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    out = tmp_path / "paper.pdf"
    r = _run(installed, "render", str(folder), "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    private = tmp_path / "private.pdf"
    r = _run(installed, "render", str(folder), "-o", str(private), cwd=tmp_path, umask=0o077)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_wheel_renders_for_print_with_the_house_profile(installed: Path, tmp_path: Path) -> None:
    """The print rendition finds the house ICC profile (assets/icc) inside the installed package."""
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    out = tmp_path / "plate.pdf"
    r = _run(installed, "render", str(folder), "--print", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert b"GTS_PDFX" in out.read_bytes()


def test_wheel_archives_with_the_house_profile(installed: Path, tmp_path: Path) -> None:
    """The archive's PDF/A output intent (assets/icc/sRGB.icc) is found inside the installed package."""
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    r = _run(installed, "archive", str(folder), "--to", str(tmp_path / "archive"), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert any((tmp_path / "archive").rglob("bagit.txt"))


def test_version(installed: Path, tmp_path: Path) -> None:
    r = _run(installed, "--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.strip() == f"issue (layout) {__version__}", r.stdout + r.stderr


def test_issue_new_respects_umask(installed: Path, tmp_path: Path) -> None:
    r = _run(installed, "new", str(tmp_path / "fresh"), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE((tmp_path / "fresh").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "fresh" / "issue.yaml").stat().st_mode) == 0o644


def test_wheel_render_is_answered_by_issue_serve(installed: Path, tmp_path: Path) -> None:
    """The installed `issue` script asks a running `issue serve` first: the same PDF bytes as a render
    in its own process (`--jobs 1` is never forwarded), and SIGTERM stops the server."""
    import signal
    import tempfile

    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    run = tempfile.mkdtemp(prefix="lsi", dir="/tmp")  # short: a socket path has at most 108 bytes
    env = dict(_clean_env(), XDG_RUNTIME_DIR=run)
    srv = subprocess.Popen(
        [str(installed / "bin" / "issue"), "serve", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        assert srv.stdout is not None
        said = [srv.stdout.readline() for _ in range(3)]
        assert said[-1].startswith("ready:"), said
        env_run = {"env": env, "cwd": tmp_path, "capture_output": True, "text": True, "timeout": 300}
        served = subprocess.run([str(installed / "bin" / "issue"), "render", str(folder), "-o", "a.pdf"], **env_run)
        assert served.returncode == 0, served.stderr
        assert srv.stdout.readline().split()[1:3] == ["rendered", "(exit"]
        own = subprocess.run(
            [str(installed / "bin" / "issue"), "render", str(folder), "-o", "b.pdf", "-j", "1"], **env_run
        )
        assert own.returncode == 0, own.stderr
        assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    finally:
        srv.send_signal(signal.SIGTERM)
        assert srv.wait(timeout=60) == 0
        shutil.rmtree(run, ignore_errors=True)
