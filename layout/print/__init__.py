"""The print rendition for the plant and its preflight: settings, CMYK colour and photos, marks, PDF/X
stamping with pikepdf, per-page files, and checks of an issue's frames or of any PDF's content streams."""
