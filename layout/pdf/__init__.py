"""The PDF layer: drawing the composed frames with ReportLab, and reading a PDF back for measurement."""
