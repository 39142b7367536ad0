"""XML bytes from an ElementTree with a chosen default namespace, safely across threads.

ElementTree's prefix registry is global to the process: two documents with different default
namespaces written at once (a Dask worker's threads) would take each other's prefixes. Each
document is registered and written under one lock.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET

_LOCK = threading.Lock()


def serialize(root: ET.Element, default: str, prefixes: dict[str, str]) -> bytes:
    """The document, indented, with its XML declaration; `prefixes` maps prefix -> namespace."""
    ET.indent(root, space=" ")
    with _LOCK:
        ET.register_namespace("", default)
        for prefix, ns in prefixes.items():
            ET.register_namespace(prefix, ns)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
