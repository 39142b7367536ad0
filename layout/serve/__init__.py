"""`issue serve`: a resident render server for one issue, and the client `issue render` asks first.

client.py (standard library only, so that asking costs a socket round trip and not the imports of a
render) decides whether a command can be answered by a running server and forwards it; server.py
keeps a build session warm and answers `issue render ISSUE` exactly as a fresh process would.
"""
