"""The archive: one self-describing, verifiable BagIt bag per issue (METS, ALTO, PDF/A,
NewsML-G2/NITF, sources), a searchable catalogue beside the bags, and backfills of many issues.

Reads the composed frames of an issue (`layout.pipeline.build`); never re-parses its PDF.
"""
