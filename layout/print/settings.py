"""Print settings: the style sheet's and the manifest's `print:` sections (and `--icc`) resolved and checked.

Reads the validated `PrintSpec`s of a laid-out issue (style sheet first, the manifest's keys over it),
the profile file they name and the command line's override; produces `PrintSettings` (the profile
loaded, sizes in points, the file-name pattern checked) or raises `InvalidInput` with problems
located at the line of the file that gave the setting.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageCms

from ..manifest import yamlsource
from ..manifest.errors import InvalidInput, Location, Problem
from ..manifest.files import house_dir
from ..manifest.load import LoadedIssue
from ..manifest.model import PrintSpec
from ..manifest.units import MM
from ..pipeline import Built

ICC_DIR = house_dir("assets") / "icc"  # the checkout's assets/, or the package's when installed
SLUG = 9 * MM  # room outside the bleed for crop marks and the slug line
# Placeholders a page file name may use; <NN> or <N> (the page number) is required so pages differ.
FIELDS = ("publication", "yyyymmdd", "yyyy", "mm", "dd", "edition", "number", "section", "NN", "N")
_FIELD = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True)
class PrintSettings:
    profile_path: Path
    profile_bytes: bytes
    profile: ImageCms.ImageCmsProfile
    output_condition: str
    ink_limit: float  # per cent
    ppi_warn: float
    ppi_error: float
    bleed: float  # points
    crop_marks: bool
    slug: bool
    target: str  # "x1a" or "x4"
    file_name: str

    @property
    def margin(self) -> float:
        """Points from the sheet's edge to the trim: bleed, plus room for marks and slug."""
        return self.bleed + (SLUG if self.crop_marks or self.slug else 0.0)

    @property
    def pdf_version(self) -> str:
        return "1.4" if self.target == "x1a" else "1.6"

    @property
    def pdfx_version(self) -> str:
        return "PDF/X-1:2003" if self.target == "x1a" else "PDF/X-4"


@dataclass(frozen=True)
class _Layer:
    """One place print settings are given: the style sheet, then the manifest over it."""

    spec: PrintSpec
    folder: Path  # a relative profile path is read from here
    smap: yamlsource.SourceMap | None


def _layers(b: Built) -> list[_Layer]:
    li = b.loaded
    out = []
    sheet = b.style.sheet.print_
    if sheet is not None:
        style = li.folder / li.issue.style if li.issue.style else None
        smap = None
        if style is not None:
            try:
                smap = yamlsource.load(style.read_text(encoding="utf-8"), style)[1]
            except (OSError, UnicodeDecodeError, InvalidInput):
                smap = None  # already read once to lay the issue out; positions are a courtesy
        out.append(_Layer(sheet, style.parent if style else li.folder, smap))
    if li.issue.print_ is not None:
        out.append(_Layer(li.issue.print_, li.folder, li.smap))
    return out


def _merged(layers: list[_Layer]) -> tuple[PrintSpec, dict[str, _Layer]]:
    """The settings key by key from the last layer that gives each, and where each came from."""
    values = PrintSpec().model_dump()
    source: dict[str, _Layer] = {}
    for layer in layers:
        for k in layer.spec.model_fields_set:
            values[k] = getattr(layer.spec, k)
            source[k] = layer
    return PrintSpec.model_construct(**values), source


def print_spec(b: Built) -> PrintSpec:
    """The merged settings without loading a profile (for checks that need only the limits)."""
    return _merged(_layers(b))[0]


def resolve(b: Built, icc: Path | None = None) -> PrintSettings:
    """The issue's print settings: the style sheet's `print:`, the manifest's over it key by key,
    and `icc` (from the command line) over both for the profile."""
    li = b.loaded
    layers = _layers(b)
    spec, source = _merged(layers)

    def where(key: str | None = None) -> Location | None:
        layer = source.get(key) if key else None
        if layer is None:
            layer = layers[-1] if layers else None
            key = None
        if layer is None or layer.smap is None:
            return li.smap.value(())
        return layer.smap.value(("print", key) if key else ("print",))

    problems: list[Problem] = []
    if spec.ppi_error > spec.ppi_warn:
        problems.append(
            Problem(f"print.ppi_error: {spec.ppi_error:g} is above ppi_warn {spec.ppi_warn:g}", where("ppi_error"))
        )
    problems += _check_pattern(spec.file_name, where("file_name"))
    profile_path = icc
    if icc is None and spec.profile is not None:
        profile_path = _find_profile(spec.profile, source["profile"].folder)
    prof = None
    data = b""
    if profile_path is None:
        problems.append(
            Problem(
                "print.profile: no output profile: give the plant's CMYK profile with --icc PROFILE.icc or "
                "under print: as profile: PATH (profile: FOGRA39L_coated.icc names the vendored test profile)",
                where(),
            )
        )
    else:
        prof, data, err = _read_profile(profile_path)
        if err:
            problems.append(Problem(f"print.profile: {profile_path}: {err}", None if icc else where("profile")))
    if problems:
        raise InvalidInput(problems)
    assert prof is not None and profile_path is not None
    ident = spec.output_condition or prof.profile.profile_description.strip() or profile_path.stem
    return PrintSettings(
        profile_path=profile_path,
        profile_bytes=data,
        profile=prof,
        output_condition=ident,
        ink_limit=spec.ink_limit,
        ppi_warn=spec.ppi_warn,
        ppi_error=spec.ppi_error,
        bleed=spec.bleed,
        crop_marks=spec.crop_marks,
        slug=spec.slug,
        target=spec.target,
        file_name=spec.file_name,
    )


def _find_profile(name: str, folder: Path) -> Path:
    p = folder / name
    if not p.exists() and (ICC_DIR / name).is_file():
        return ICC_DIR / name  # a vendored profile by name
    return p


MAX_PROFILE = 32 * 1024 * 1024  # the largest CMYK output profiles are a few MB


def _read_profile(path: Path) -> tuple[ImageCms.ImageCmsProfile | None, bytes, str | None]:
    try:
        if path.exists() and not path.is_file():  # a pipe would block the read; a folder cannot be read
            return None, b"", "not a regular file (a folder, a device or a pipe)"
        if path.stat().st_size > MAX_PROFILE:
            return None, b"", f"not an ICC profile ({path.stat().st_size:,} bytes, far more than any profile)"
        data = path.read_bytes()
    except OSError as e:
        return None, b"", f"cannot read the profile ({e.strerror or e})"
    try:
        prof = ImageCms.ImageCmsProfile(io.BytesIO(data))
    except (OSError, ImageCms.PyCMSError) as e:
        return None, data, f"not an ICC profile ({e})"
    p = prof.profile
    if p.xcolor_space.strip() != "CMYK":
        return None, data, f"expected a CMYK output profile, got a {p.xcolor_space.strip()} profile"
    if p.device_class != "prtr":
        return None, data, f"expected an output (printer) profile, got device class '{p.device_class}'"
    return prof, data, None


def _check_pattern(pattern: str, loc: Location | None) -> list[Problem]:
    names = _FIELD.findall(pattern)
    bad = [n for n in names if n not in FIELDS]
    if bad:
        return [
            Problem(
                f"print.file_name: unknown field <{bad[0]}> (expected {', '.join(f'<{f}>' for f in FIELDS)})",
                loc,
            )
        ]
    if "NN" not in names and "N" not in names:
        return [Problem("print.file_name: the pattern needs the page number, <NN> or <N>, so pages differ", loc)]
    if "/" in pattern or "\\" in pattern or not pattern.lower().endswith(".pdf"):
        return [Problem(f"print.file_name: expected a file name ending in .pdf without folders, got {pattern!r}", loc)]
    return []


def page_file_name(pattern: str, li: LoadedIssue, number: int, section: str) -> str:
    """A page's file name from the pattern: names made safe for any file system."""
    iss = li.issue
    d = iss.date
    values = {
        "publication": _safe(iss.publication),
        "yyyymmdd": d.strftime("%Y%m%d"),
        "yyyy": f"{d.year:04d}",
        "mm": f"{d.month:02d}",
        "dd": f"{d.day:02d}",
        "edition": _safe(iss.edition or "main"),
        "number": str(iss.number),
        "section": _safe(section or "page"),
        "NN": f"{number:02d}",
        "N": str(number),
    }
    name = _FIELD.sub(lambda m: values[m.group(1)], pattern)
    return re.sub(r"-{2,}", "-", name)


def _safe(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()
