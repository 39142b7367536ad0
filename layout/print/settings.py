"""Print settings: the manifest's `print:` section (and `--icc`) resolved and checked.

Reads the validated `PrintSpec` of a loaded issue, the profile file it names and the command line's
overrides; produces `PrintSettings` (the profile loaded, sizes in points, the file-name pattern checked)
or raises `InvalidInput` with problems located at the manifest's lines.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageCms

from ..manifest.errors import InvalidInput, Location, Problem
from ..manifest.load import LoadedIssue
from ..manifest.model import PrintSpec
from ..manifest.units import MM

ICC_DIR = Path(__file__).resolve().parents[2] / "assets" / "icc"
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


def resolve(li: LoadedIssue, icc: Path | None = None) -> PrintSettings:
    """The issue's print settings, with `icc` (from the command line) over the manifest's profile."""
    spec = li.issue.print_ or PrintSpec()
    smap = li.smap
    problems: list[Problem] = []

    def where(*key: str) -> Location | None:
        return smap.value(("print", *key)) if li.issue.print_ is not None else smap.value(())

    if spec.ppi_error > spec.ppi_warn:
        problems.append(
            Problem(f"print.ppi_error: {spec.ppi_error:g} is above ppi_warn {spec.ppi_warn:g}", where("ppi_error"))
        )
    problems += _check_pattern(spec.file_name, where("file_name"))
    profile_path, loc = _profile_path(li, spec, icc)
    prof = None
    data = b""
    if profile_path is None:
        problems.append(
            Problem(
                "print.profile: no output profile: give the plant's CMYK profile with --icc PROFILE.icc or "
                "under print: as profile: PATH (profile: FOGRA39L_coated.icc names the vendored test profile)",
                loc or where(),
            )
        )
    else:
        prof, data, err = _read_profile(profile_path)
        if err:
            problems.append(Problem(f"print.profile: {profile_path}: {err}", loc))
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


def _profile_path(li: LoadedIssue, spec: PrintSpec, icc: Path | None) -> tuple[Path | None, Location | None]:
    if icc is not None:
        return icc, None
    if spec.profile is None:
        return None, None
    loc = li.smap.value(("print", "profile"))
    p = li.folder / spec.profile
    if not p.exists() and (ICC_DIR / spec.profile).is_file():
        p = ICC_DIR / spec.profile  # a vendored profile by name
    return p, loc


def _read_profile(path: Path) -> tuple[ImageCms.ImageCmsProfile | None, bytes, str | None]:
    try:
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
