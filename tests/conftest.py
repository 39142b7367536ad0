from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2026-12-03"


@pytest.fixture(scope="session")
def sample_built():
    from layout.pipeline import build

    return build(SAMPLE)


@pytest.fixture(scope="session")
def sample_pdf(sample_built, tmp_path_factory) -> Path:
    from layout.pdf.draw import write_pdf

    out = tmp_path_factory.mktemp("sample") / "sample.pdf"
    write_pdf(sample_built.composed, out)
    return out


@pytest.fixture(autouse=True)
def _containment_after_every_composition(monkeypatch):
    """Every composition a test makes in this process is checked: nothing drawn outside its
    box or over anything else (unless a line is overfull, which is an error of its own)."""
    from layout.page import containment
    from layout.page.compose import Composer

    real = Composer.compose

    def checked(self):
        c = real(self)
        if c.overfull:
            return c  # a glyph wider than its column runs past its box by design, and is reported
        problems = containment.check(c)
        assert problems == [], [str(p) for p in problems]
        return c

    monkeypatch.setattr(Composer, "compose", checked)
    yield
