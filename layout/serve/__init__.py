"""`issue serve`: a resident render server for one issue, and the client `issue render` asks first.

client.py (standard library only, so that asking costs a socket round trip and not the imports of a
render) decides whether a command can be answered by a running server and forwards it; server.py
keeps a build session warm and answers `issue render ISSUE` exactly as a fresh process would;
place.py says where it listens (and locks it); changes.py tells it when an input changed, and
ahead.py then draws the next PDF before it is asked for; job.py is one render's heartbeat and
messages; libraries.py notices code it loaded changing under it.
"""
