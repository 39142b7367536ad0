"""The print rendition of the sample issue, read back with pikepdf independently of the engine:
boxes, output intent, PDF/X identification, colour operators and images walked in every content
stream, photo ink, crop marks and slug, split pages, reproducibility and bad print settings."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pdfcheck import extracted_words, missing_in_order
from typer.testing import CliRunner

from layout.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "issues" / "2026-12-03"
PROFILE = ROOT / "assets" / "icc" / "FOGRA39L_coated.icc"
MM = 72 / 25.4
PAGE_NAMES = [f"the-lodestar-science-weekly-20261203-international-p{n:02d}.pdf" for n in (1, 2, 3)]


def cli(*args: object):
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    return r


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("print") / "issue-print.pdf"
    r = cli("render", SAMPLE, "--print", "--split", "-o", out)
    assert r.exit_code == 0, r.output
    return out


def content_ops(pdf: pikepdf.Pdf):
    """(page, operands, operator, fill, stroke) for every operator of every page and form XObject;
    fill and stroke are the colour operators in force ('k', values)."""
    for n, page in enumerate(pdf.pages, 1):
        yield from _ops(page.obj, n, set())


def _ops(obj, n, seen):
    fill = stroke = ("g", (0.0,))
    stack = []
    for operands, op in pikepdf.parse_content_stream(obj):
        o = str(op)
        if o == "q":
            stack.append((fill, stroke))
        elif o == "Q":
            fill, stroke = stack.pop()
        elif o in ("rg", "k", "g", "sc", "scn"):
            fill = (o, tuple(float(v) for v in operands if not isinstance(v, pikepdf.Name)))
        elif o in ("RG", "K", "G", "SC", "SCN"):
            stroke = (o, tuple(float(v) for v in operands if not isinstance(v, pikepdf.Name)))
        yield n, operands, o, fill, stroke
        if o == "Do":
            res = obj.get("/Resources") if "/Resources" in obj else None
            x = res.XObject[operands[0]] if res is not None else None
            if x is not None and x.get("/Subtype") == pikepdf.Name.Form and x.objgen not in seen:
                yield from _ops(x, n, seen | {x.objgen})


def images(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        for _, x in page.obj.Resources.get("/XObject", {}).items():
            if x.get("/Subtype") == pikepdf.Name.Image:
                yield x


def test_every_page_has_trim_and_bleed_boxes(printed: Path) -> None:
    with pikepdf.open(printed) as pdf:
        assert len(pdf.pages) == 3
        for page in pdf.pages:
            media = [float(v) for v in page.obj.MediaBox]
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            # The trim is the composed page (tabloid, 280 x 430 mm) ...
            assert trim[2] - trim[0] == pytest.approx(280 * MM, abs=0.01)
            assert trim[3] - trim[1] == pytest.approx(430 * MM, abs=0.01)
            # ... inside the bleed, inside the sheet with room for the marks.
            assert media[0] <= bleed[0] <= trim[0] and trim[2] <= bleed[2] <= media[2]
            assert media[1] <= bleed[1] <= trim[1] and trim[3] <= bleed[3] <= media[3]
            assert trim[0] - media[0] > 15


def test_output_intent_and_pdfx_identification(printed: Path) -> None:
    with pikepdf.open(printed) as pdf:
        assert pdf.pdf_version == "1.4"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        prof = intent.DestOutputProfile
        assert int(prof.N) == 4
        assert prof.read_bytes() == PROFILE.read_bytes()
        info = pdf.docinfo
        assert str(info.GTS_PDFXVersion) == "PDF/X-1:2003"
        assert str(info.GTS_PDFXConformance) == "PDF/X-1a:2003"
        assert info.Trapped == pikepdf.Name("/False")
        assert str(info.Title)
        assert len(pdf.trailer.ID) == 2
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfx:GTS_PDFXVersion>PDF/X-1:2003</pdfx:GTS_PDFXVersion>" in xmp
        assert "<pdf:Trapped>False</pdf:Trapped>" in xmp


def test_no_rgb_operator_or_image_anywhere(printed: Path) -> None:
    with pikepdf.open(printed) as pdf:
        ops = {o for _, _, o, _, _ in content_ops(pdf)}
        assert not ops & {"rg", "RG", "sc", "SC", "scn", "SCN", "cs", "CS"}, ops
        assert {"k", "K"} <= ops
        spaces = {str(x.ColorSpace) for x in images(pdf)}
        assert spaces == {"/DeviceCMYK"}, spaces


def test_text_and_rules_black_plate_only_except_the_accent(printed: Path) -> None:
    """Black and grey text and rules print on the black plate alone; the only four-colour ink
    is the house accent (kicker, pull-quote rule), converted through the profile."""
    text_fills, strokes = set(), set()
    with pikepdf.open(printed) as pdf:
        for _, _, o, fill, stroke in content_ops(pdf):
            if o in ("Tj", "TJ", "'", '"'):
                text_fills.add(fill)
            elif o == "S":
                strokes.add(stroke)
    colours = text_fills | strokes
    assert all(op in ("k", "K") for op, _ in colours), colours
    chromatic = {v for _, v in colours if any(v[:3])}
    assert len(chromatic) == 1, chromatic  # the accent red, and only it
    (accent,) = chromatic
    assert accent[1] > 0.8 and accent[2] > 0.6  # magenta and yellow: a red
    assert sum(accent) <= 2.4
    assert any(v == (0.0, 0.0, 0.0, 1.0) for _, v in text_fills)  # body text: 100 % K


def test_every_photo_within_the_ink_limit(printed: Path) -> None:
    with pikepdf.open(printed) as pdf:
        xs = list(images(pdf))
        assert len(xs) == 2
        for x in xs:
            px = np.asarray(pikepdf.PdfImage(x).as_pil_image().convert("CMYK")).astype(int)
            total = px.sum(axis=-1).max() * 100 / 255
            assert 200 < total <= 240, total  # capped, not flattened


def test_words_as_on_screen(printed: Path, sample_pdf: Path) -> None:
    screen = extracted_words(sample_pdf)
    assert missing_in_order(screen, extracted_words(printed)) == []


def test_crop_marks_and_slug_outside_the_bleed(printed: Path) -> None:
    with pikepdf.open(printed) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.obj.TrimBox]
        ctm_shift = trim[0]
        marks = []
        for _, operands, o, _, stroke in content_ops(pdf):
            if o in ("m", "l"):
                marks.append((float(operands[0]), float(operands[1]), stroke))
    # crop-mark end points lie outside the trim (coordinates are from the trim corner, shifted by cm)
    outside = [(x, y) for x, y, s in marks if x < 0 or y < 0]
    assert len(outside) >= 16, "eight crop marks per page"
    assert all(s == ("K", (0.0, 0.0, 0.0, 1.0)) for x, y, s in marks if x < 0 or y < 0)
    assert ctm_shift > 0
    words = " ".join(extracted_words(printed))
    assert "The Lodestar Science Weekly | 20261203 | International | page 1 of 3 (Front)" in words


def test_split_writes_one_named_pdf_per_page(printed: Path) -> None:
    folder = printed.parent
    pages = sorted(p.name for p in folder.glob("*.pdf") if p != printed)
    assert pages == PAGE_NAMES
    whole = extracted_words(printed)
    rejoined = []
    for name in PAGE_NAMES:
        with pikepdf.open(folder / name) as pdf:
            assert len(pdf.pages) == 1
            assert "/TrimBox" in pdf.pages[0].obj
            assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFX
            assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1:2003"
            assert pdf.pdf_version == "1.4"
        rejoined += extracted_words(folder / name)
    assert rejoined == whole
    assert not list(folder.glob(".*tmp")), "temporary files left behind"


def test_print_output_is_reproducible(printed: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.pdf"
    assert cli("render", SAMPLE, "--print", "-o", again).exit_code == 0
    assert again.read_bytes() == printed.read_bytes()


# --------------------------------------------------------------------------- bad settings

BAD = [
    ("ink-limit-too-high", "  ink_limit: 240", "  ink_limit: 500", r"print\.ink_limit: .*400"),
    ("unknown-target", "  target: x1a", "  target: x3", r"print\.target: .*'x1a'.*'x4'"),
    ("misspelt-key", "  bleed: 0mm", "  bled: 0mm", r"unknown field 'bled' in print; did you mean 'bleed'"),
    ("bleed-not-a-length", "  bleed: 0mm", "  bleed: wide", r"print\.bleed: expected a length"),
    ("profile-missing", "  profile: FOGRA39L_coated.icc", "  profile: plant/news.icc", r"print\.profile: .*news\.icc"),
    ("profile-not-icc", "  profile: FOGRA39L_coated.icc", "  profile: issue.yaml", r"print\.profile: .*not an ICC"),
    ("pattern-no-page", "  target: x1a", "  target: x1a\n  file_name: <publication>.pdf", r"<NN> or <N>"),
    ("pattern-bad-field", "  target: x1a", "  target: x1a\n  file_name: p<page>.pdf", r"unknown field <page>"),
    ("ppi-order", "  target: x1a", "  target: x1a\n  ppi_error: 200", r"ppi_error: 200 is above ppi_warn 170"),
]


@pytest.mark.parametrize("old,new,expect", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_print_settings_are_located_errors(tmp_path: Path, old: str, new: str, expect: str) -> None:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    manifest = folder / "issue.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert text.count(old) == 1
    manifest.write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "out" / "p.pdf"
    r = cli("render", folder, "--print", "--split", "-o", out)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    line = text[: text.index(old)].count("\n") + 1
    located = re.findall(r"issue\.yaml:(\d+):\d+: (.*)", r.stderr)
    hits = [int(n) for n, msg in located if re.search(expect, msg)]
    assert hits, r.stderr
    assert any(abs(n - line) <= 1 for n in hits), (hits, line, r.stderr)
    assert not out.parent.exists() or not list(out.parent.iterdir()), "something was written"


def test_rgb_profile_refused(tmp_path: Path) -> None:
    from PIL import ImageCms

    srgb = tmp_path / "srgb.icc"
    srgb.write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    r = cli("render", SAMPLE, "--print", "--icc", srgb, "-o", tmp_path / "x.pdf")
    assert r.exit_code == 2
    assert "expected a CMYK output profile" in r.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_icc_option_overrides_the_manifest(tmp_path: Path) -> None:
    r = cli("render", SAMPLE, "--print", "--icc", tmp_path / "nowhere.icc", "-o", tmp_path / "x.pdf")
    assert r.exit_code == 2
    assert "nowhere.icc" in r.stderr and "cannot read" in r.stderr


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    return folder


def test_x4_with_bleed_and_no_marks(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    m = folder / "issue.yaml"
    text = m.read_text(encoding="utf-8")
    m.write_text(
        text.replace("  bleed: 0mm\n  target: x1a", "  bleed: 5mm\n  target: x4\n  crop_marks: false\n  slug: false"),
        encoding="utf-8",
    )
    out = tmp_path / "x4.pdf"
    r = cli("render", folder, "--print", "-o", out)
    assert r.exit_code == 0, r.output
    with pikepdf.open(out) as pdf:
        assert pdf.pdf_version == "1.6"
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert "/GTS_PDFXConformance" not in pdf.docinfo
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in pdf.Root.Metadata.read_bytes().decode()
        for page in pdf.pages:
            media = [float(v) for v in page.obj.MediaBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            trim = [float(v) for v in page.obj.TrimBox]
            assert media == pytest.approx(bleed, abs=0.01)  # no room for marks: the sheet is the bleed
            assert trim[0] - bleed[0] == pytest.approx(5 * MM, abs=0.01)


def test_no_profile_anywhere_is_a_located_error(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    m = folder / "issue.yaml"
    m.write_text(re.sub(r"print:\n(  .*\n)+", "", m.read_text(encoding="utf-8")), encoding="utf-8")
    r = cli("render", folder, "--print", "-o", tmp_path / "x.pdf")
    assert r.exit_code == 2
    assert re.search(r"issue\.yaml:1:1: print\.profile: no output profile: .*--icc", r.stderr), r.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_print_never_writes_over_an_input(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    photo = folder / "photos" / "qinglan-turbine-hall.jpg"
    before = photo.read_bytes()
    r = cli("render", folder, "--print", "-o", photo)
    assert r.exit_code == 2 and "never overwrites an input" in r.stderr
    assert photo.read_bytes() == before


def _decoded(ph) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(ph.data)).convert("CMYK")).astype(int)


def test_photo_separation_cases(tmp_path: Path) -> None:
    """Saturated colour is capped after encoding; an embedded profile is used; a greyscale photo
    goes to the black plate alone; a photo far above the plate's resolution is resampled."""
    from PIL import Image, ImageCms

    from layout.print.photos import prepare

    prof = ImageCms.getOpenProfile(str(PROFILE))
    dark = Image.new("RGB", (400, 300), (20, 10, 40))
    dark.paste((0, 0, 0), (0, 0, 200, 300))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    dark.save(tmp_path / "dark.jpg", quality=95, icc_profile=srgb)
    ph = prepare(tmp_path / "dark.jpg", prof, 220)
    assert ph.source_profile == "embedded"
    assert ph.ink_before > 280 and ph.ink_after <= 220
    assert _decoded(ph).sum(axis=-1).max() * 100 / 255 <= 220

    Image.new("L", (300, 200), 60).save(tmp_path / "grey.png")
    px = _decoded(prepare(tmp_path / "grey.png", prof, 240))
    assert px[..., :3].max() <= 2 and px[..., 3].min() > 150  # black plate only

    Image.new("RGB", (3000, 2000), (120, 140, 160)).save(tmp_path / "big.jpg")
    ph = prepare(tmp_path / "big.jpg", prof, 240, width_pt=144.0)  # 1500 ppi over 2 inches
    with Image.open(io.BytesIO(ph.data)) as im:
        assert im.size == (600, 400)  # 300 ppi


def test_solid_black_overprints_and_nothing_else_does(printed: Path) -> None:
    seen = set()
    with pikepdf.open(printed) as pdf:
        for page in pdf.pages:
            states = page.obj.Resources.ExtGState
            op = opm = False
            for operands, o in pikepdf.parse_content_stream(page):
                o = str(o)
                if o == "gs":
                    st = states[operands[0]]
                    op = bool(st.get("/op", op))
                    opm = int(st.get("/OPM", opm))
                elif o == "k":
                    solid = [float(v) for v in operands] == [0, 0, 0, 1]
                    assert op == solid, (operands, op)
                    seen.add(solid)
            assert opm == 1
    assert seen == {True, False}  # solid black text, and the accent


def _style_print(folder: Path, block: str, drop_manifest_print: bool) -> None:
    if drop_manifest_print:
        m = folder / "issue.yaml"
        m.write_text(re.sub(r"print:\n(  .*\n)+", "", m.read_text(encoding="utf-8")), encoding="utf-8")
    s = folder / "styles" / "lodestar.yaml"
    s.write_text(s.read_text(encoding="utf-8") + "\n" + block, encoding="utf-8")


def test_print_settings_from_the_style_sheet_under_the_manifest(tmp_path: Path) -> None:
    """The house's plant settings in the style sheet (profile relative to the style's folder);
    the manifest's own keys win."""
    folder = _copy(tmp_path)
    shutil.copy(PROFILE, folder / "styles" / "plant.icc")
    _style_print(folder, "print:\n  profile: plant.icc\n  ink_limit: 220\n  target: x4\n", True)
    m = folder / "issue.yaml"
    m.write_text(m.read_text(encoding="utf-8").replace("pages:\n", "print:\n  target: x1a\npages:\n", 1), "utf-8")
    out = tmp_path / "style.pdf"
    r = cli("render", folder, "--print", "-o", out)
    assert r.exit_code == 0, r.output
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-1:2003"  # the manifest's target
        assert pdf.Root.OutputIntents[0].DestOutputProfile.read_bytes() == PROFILE.read_bytes()
        for x in images(pdf):
            px = np.asarray(pikepdf.PdfImage(x).as_pil_image().convert("CMYK")).astype(int)
            assert px.sum(axis=-1).max() * 100 / 255 <= 220  # the style's ink limit


@pytest.mark.parametrize(
    "block,expect",
    [
        ("print:\n  profile: FOGRA39L_coated.icc\n  ink_limit: 999\n", r"style print\.ink_limit: "),
        ("print:\n  profile: plant/missing.icc\n", r"print\.profile: .*missing\.icc: cannot read"),
    ],
    ids=["style-ink-limit", "style-profile-missing"],
)
def test_bad_print_settings_in_the_style_sheet_are_located_there(tmp_path: Path, block: str, expect: str) -> None:
    folder = _copy(tmp_path)
    _style_print(folder, block, True)
    style = folder / "styles" / "lodestar.yaml"
    line = style.read_text(encoding="utf-8").splitlines().index(block.splitlines()[-1]) + 1
    r = cli("render", folder, "--print", "-o", tmp_path / "x.pdf")
    assert r.exit_code == 2, r.output
    hits = re.findall(r"lodestar\.yaml:(\d+):\d+: (.*)", r.stderr)
    assert any(int(n) == line and re.search(expect, msg) for n, msg in hits), (line, r.stderr)
    assert not (tmp_path / "x.pdf").exists()


def test_whole_issue_cannot_take_a_page_file_name(tmp_path: Path) -> None:
    out = tmp_path / PAGE_NAMES[0]
    r = cli("render", SAMPLE, "--print", "--split", "-o", out)
    assert r.exit_code == 2 and "would share this name" in r.stderr
    assert not list(tmp_path.iterdir())


def test_separated_photos_pass_through_from_files_that_are_then_removed(tmp_path: Path, monkeypatch) -> None:
    """Each separated photo goes into the PDF as the CMYK JPEG the separation made, byte for byte,
    drawn from a file (ReportLab given a reader decodes every photo and holds it until the save);
    the folder of those files is gone afterwards, and after a render that fails while drawing."""
    from layout.print import render as print_render
    from layout.print import separate
    from layout.print.photos import PrintPhoto

    out = tmp_path / "out" / "print.pdf"
    assert cli("render", SAMPLE, "--print", "-o", out).exit_code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["print.pdf"]
    with pikepdf.open(out) as pdf:
        streams = {bytes(x.read_raw_bytes()) for x in images(pdf)}
        filters = [list(x.Filter) if isinstance(x.Filter, pikepdf.Array) else [x.Filter] for x in images(pdf)]
        assert streams and all(f == [pikepdf.Name.DCTDecode] for f in filters), filters
        assert all(x.ColorSpace == pikepdf.Name.DeviceCMYK for x in images(pdf))
    seen: list[bytes] = []
    real = separate.prepare

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        ph = real(*a, **k)
        seen.append(ph.data)
        return ph

    monkeypatch.setattr(separate, "prepare", spy)
    readers: list[object] = []  # a reader would have ReportLab decode the photo
    monkeypatch.setattr(PrintPhoto, "reader", lambda self: readers.append(self))
    again = tmp_path / "again" / "print.pdf"
    assert cli("render", SAMPLE, "--print", "--jobs", "1", "--no-cache", "-o", again).exit_code == 0  # spied on here
    assert set(seen) == streams and not readers  # the separation's own bytes, passed through from files

    def fail(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError("disk gone")

    monkeypatch.setattr(print_render.pdfx, "stamp", fail)  # after drawing, before the file is in place
    failed = tmp_path / "failed" / "print.pdf"
    r = cli("render", SAMPLE, "--print", "-o", failed)
    assert r.exit_code == 2 and "disk gone" in r.output, r.output
    assert list(failed.parent.iterdir()) == []
    monkeypatch.undo()

    def fail_drawing(composed, raw, **k):  # type: ignore[no-untyped-def]
        photo = next(it.path for p in composed.pages for it in p.items if hasattr(it, "path"))
        assert isinstance(k["mode"].image(photo), Path)  # one separated photo waits in its file
        raise OSError("disk gone while drawing")

    monkeypatch.setattr(print_render, "draw", fail_drawing)
    failed = tmp_path / "failed2" / "print.pdf"
    r = cli("render", SAMPLE, "--print", "-o", failed)
    assert r.exit_code == 2 and "disk gone while drawing" in r.output, r.output
    assert list(failed.parent.iterdir()) == []


@pytest.mark.parametrize("child", ["works", "fails", "sends junk", "sends this one's photo"])
def test_photos_separated_in_two_processes_give_the_serial_bytes(tmp_path: Path, monkeypatch, child: str) -> None:
    """Photos separated by a second process (forced with --jobs 2) give the bytes and the report of
    one process (--jobs 1); a second process that fails or sends junk leaves its photos to this one,
    as does one that sends, well formed and with its file in place, a photo this process separates."""
    from layout.print import separate

    serial = tmp_path / "serial.pdf"
    r1 = cli("render", SAMPLE, "--print", "--jobs", "1", "--no-cache", "-o", serial)
    assert r1.exit_code == 0, r1.output
    real_fork = separate.fork_streaming
    forked: list[int] = []

    def spy(works):  # type: ignore[no-untyped-def]
        forked.append(len(works))
        return real_fork(works)

    def dies(*a):  # type: ignore[no-untyped-def]
        raise RuntimeError("the child dies")

    def junk(i, *a):  # type: ignore[no-untyped-def]
        return (i, "sRGB", 1.0, 2.0, b"", "jpeg", "../../elsewhere.jpg")

    real_child = separate._in_child

    def ours(i, *a):  # type: ignore[no-untyped-def]
        got = real_child(i, *a)  # its own photo, claimed as the first (whose file this process wrote)
        return (0, *got[1:6], "0.jpg")

    monkeypatch.setattr(separate, "fork_streaming", spy)
    if child != "works":
        monkeypatch.setattr(separate, "_in_child", {"fails": dies, "sends junk": junk}.get(child, ours))
    par = tmp_path / "par.pdf"
    r2 = cli("render", SAMPLE, "--print", "--jobs", "2", "--no-cache", "-o", par)
    assert r2.exit_code == 0, r2.output
    assert forked and forked[0] >= 1  # the second process had photos to separate
    assert par.read_bytes() == serial.read_bytes()
    assert r2.output.replace(str(par), "OUT") == r1.output.replace(str(serial), "OUT")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["par.pdf", "serial.pdf"]
