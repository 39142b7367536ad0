"""The print rendition for the plant and its preflight: `issue render --print` (settings.py, colour.py,
photos.py, marks.py, render.py drawing through pdf/draw.py with a print mode, pdfx.py stamping with
pikepdf, split.py one file per page) and `issue preflight` (preflight.py on the frames, pdfwalk.py and
preflight_pdf.py on any PDF's content streams; findings.py). Reads the composed frames through the
pipeline; never imports proof/ or archive/."""
