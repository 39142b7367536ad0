"""Editors' proofs: `issue proof` (make.py: the printed pages with marks on their own layer,
proof sheets with the problems and the overset copy, a JSON map attached), `issue fit`
(fit.py), `issue preview` (preview.py), `issue diff` (diff.py, report.py) and `issue
notes` (notes.py, patch.py). Findings (findings.py) are the plug-in point for checks.
Reads the composed frames through the pipeline; never imports archive/ or print/."""
