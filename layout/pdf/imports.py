"""The drawing modules imported a step at a time, for the moments composition waits for the body helper.

Reads nothing; imports ReportLab's modules and this package's drawing modules. Typesetting never
imports ReportLab (text.fonts), so a render forks its body helper before these 80 modules (15-20 ms)
are loaded; this process then loads them while it would otherwise wait for one of the helper's
stories. Each step imports one module (with whatever it needs that is not loaded yet), leaves
first, so that a step takes a millisecond or two and a story that comes in is not kept waiting
long. A step that fails is passed over: the module that needs it raises as it would have when
drawing imports it.
"""

from __future__ import annotations

import importlib

STEPS = (
    "pickle",
    "platform",
    "reportlab.lib.rl_safe_eval",
    "reportlab.lib.utils",
    "reportlab.rl_config",
    "reportlab.lib.rl_accel",
    "reportlab.pdfbase.pdfutils",
    *(
        f"reportlab.pdfbase._fontdata_{kind}_{name}"
        for kind, names in (
            ("enc", ("winansi", "macroman", "standard", "symbol", "zapfdingbats", "pdfdoc", "macexpert")),
            ("widths", ("courier", "courierbold", "courieroblique", "courierboldoblique")),
            ("widths", ("helvetica", "helveticabold", "helveticaoblique", "helveticaboldoblique")),
            ("widths", ("timesroman", "timesbold", "timesitalic", "timesbolditalic", "symbol", "zapfdingbats")),
        )
        for name in names
    ),
    "reportlab.pdfbase._fontdata",
    "reportlab.pdfbase.pdfmetrics",
    "reportlab.pdfbase.pdfdoc",
    "reportlab.pdfbase.ttfonts",
    "reportlab.lib.colors",
    "reportlab.pdfgen.pathobject",
    "reportlab.pdfgen.textobject",
    "reportlab.pdfgen.canvas",
    "layout.pdf.stream",
    "layout.pdf.images",
    "layout.pdf.subsets",
    "layout.pdf.textops",
    "layout.pdf.draw",
    "layout.pdf.pardraw",
)


class Stepwise:
    """A job for page.parallel.Helper.meanwhile: each call imports the next of STEPS; False once
    they are all done."""

    def __init__(self, steps: tuple[str, ...] = STEPS) -> None:
        self.steps = iter(steps)

    def __call__(self) -> bool:
        name = next(self.steps, None)
        if name is None:
            return False
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S110 (a module of another ReportLab version: drawing's own imports will say)
            pass
        return True
