"""Newspaper publishing pipeline: issue manifest in, multi-column newspaper PDF out."""

__version__ = "0.1.0"
