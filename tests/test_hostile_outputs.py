"""Hostile input to the output commands: proof, notes, diff, preview, preflight, render --print,
archive, verify, find, catalog rebuild, watch and the paragraph cache. Each class of bad input
gets a clear message and exit 2 (or 1 for problems found), never a traceback, and nothing that
existed is damaged. The issue is proofed, rendered and archived once for the whole module."""

from __future__ import annotations

import copy
import hashlib
import json
import marshal
import os
import shutil
import threading
import time
from pathlib import Path

import pikepdf
import pytest
from hostile import SAMPLE, cli, cli_subprocess, digest
from PIL import Image

from layout.proof.preview import MAX_PIXELS
from layout.proof.proofmap import MAP_NAME

PROOF = "the-lodestar-science-weekly-2026-12-03-proof.pdf"
RENDER = "the-lodestar-science-weekly-2026-12-03.pdf"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample issue with its render (and paragraph cache) and its proof."""
    root = tmp_path_factory.mktemp("hostile-outputs")
    issue = root / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    assert cli("render", issue).code == 0
    assert cli("proof", issue).code == 0
    return issue


@pytest.fixture(scope="module")
def proof(made: Path) -> Path:
    return made / "build" / PROOF


@pytest.fixture(scope="module")
def pmap(proof: Path) -> dict:
    with pikepdf.open(proof) as p:
        return json.loads(p.attachments[MAP_NAME].get_file().read_bytes())


def _broken(kind: str, proof: Path, out: Path) -> Path:
    data = proof.read_bytes()
    if kind == "truncated":
        out.write_bytes(data[: len(data) // 2])
    elif kind == "random":
        out.write_bytes(b"%PDF-1.7\n" + hashlib.sha512(b"noise").digest() * 200)
    elif kind == "no-pages":
        pikepdf.new().save(out)
    elif kind == "encrypted":
        with pikepdf.open(proof) as p:
            p.save(out, encryption=pikepdf.Encryption(owner="desk", user="secret"))
    elif kind == "empty":
        out.write_bytes(b"")
    return out


def _clean(r, code: int) -> None:  # type: ignore[no-untyped-def]
    assert r.code == code, (r.code, r.stdout, r.stderr)
    assert "Traceback" not in r.stdout + r.stderr


# ------------------------------------------------------------------ broken PDFs and wrong kinds of file


@pytest.mark.parametrize("kind", ["truncated", "random", "no-pages", "encrypted", "empty"])
def test_notes_diff_preview_refuse_a_broken_pdf(proof: Path, tmp_path: Path, kind: str) -> None:
    bad = _broken(kind, proof, tmp_path / f"{kind}.pdf")
    before = bad.read_bytes()
    for args in (("notes", bad), ("diff", bad, proof, "-o", tmp_path / "d"), ("preview", bad, "-o", tmp_path / "p")):
        r = cli(*args)
        _clean(r, 2)
        assert "error:" in r.stderr
    assert bad.read_bytes() == before


@pytest.mark.parametrize("kind", ["truncated", "random", "no-pages", "encrypted"])
def test_preflight_of_a_broken_pdf_is_a_finding(proof: Path, tmp_path: Path, kind: str) -> None:
    bad = _broken(kind, proof, tmp_path / f"{kind}.pdf")
    for extra in ((), ("--print",)):
        r = cli("preflight", bad, *extra, "--json")
        _clean(r, 1)
        checks = [f["check"] for f in json.loads(r.stdout)["findings"]]
        assert "missing-file" in checks


def test_a_folder_or_pipe_where_a_pdf_is_expected(tmp_path: Path, proof: Path) -> None:
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    for target, says in ((folder, "is a folder"), (fifo, "not a regular file")):
        r = cli("notes", target)
        _clean(r, 2)
        assert says in r.stderr
    _clean(cli("preflight", fifo), 2)
    r = cli("diff", proof, proof, "-o", fifo)  # the report folder is a pipe: refused, left alone
    _clean(r, 2)
    assert fifo.is_fifo()


# ------------------------------------------------------------------ the proof's embedded map


def _with_map(proof: Path, out: Path, data: object) -> Path:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pikepdf.open(proof) as p:
        p.attachments[MAP_NAME] = pikepdf.AttachedFileSpec(p, raw)
        p.save(out)
    return out


def _mutations(m: dict) -> dict[str, object]:
    def edit(f):  # type: ignore[no-untyped-def]
        c = copy.deepcopy(m)
        f(c)
        return c

    first = next(iter(m["stories"]))
    return {
        "not-json": b'{"format": "layout-proof-map/1", "pages": [',
        "not-utf8": b"\xff\xfe\x00",
        "deep": b'{"format": "layout-proof-map/1", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "pages-text": edit(lambda c: c.update(pages="three")),
        "stories-list": edit(lambda c: c.update(stories=[1])),
        "no-stories": edit(lambda c: c.pop("stories")),
        "text-number": edit(lambda c: c["stories"][first].update(text=5)),
        "box-short": edit(lambda c: c["pages"][0]["lines"][0].update(box=[1])),
        "word-text": edit(lambda c: c["pages"][0]["lines"][0].update(words=[["a", "b"]])),
        "line-unknown-story": edit(lambda c: c["pages"][0]["lines"][0].update(story="nobody")),
        "more-pages-than-map": edit(lambda c: c.update(edition_pages=99)),
        "edition-pages-text": edit(lambda c: c.update(edition_pages="3")),
        "inputs-null": edit(lambda c: c.update(inputs=None)),
        "source-absolute": edit(lambda c: c["stories"][first].update(source="/etc/passwd")),
        "source-up-and-out": edit(lambda c: c["stories"][first].update(source="../../../etc/hostname")),
    }


def test_a_damaged_or_hostile_proof_map_is_refused(proof: Path, pmap: dict, tmp_path: Path) -> None:
    for name, data in _mutations(pmap).items():
        bad = _with_map(proof, tmp_path / f"{name}.pdf", data)
        for args in (("notes", bad), ("notes", "--patch", bad), ("diff", bad, proof, "-o", tmp_path / f"d-{name}")):
            r = cli(*args)
            _clean(r, 2)
            assert "proof" in r.stderr, (name, r.stderr)


def test_a_map_that_is_not_ours_reads_as_no_map(proof: Path, tmp_path: Path) -> None:
    for i, data in enumerate((b"[1, 2]", b"null", b'"text"', b'{"format": "other/1"}')):
        r = cli("notes", _with_map(proof, tmp_path / f"other{i}.pdf", data))
        _clean(r, 2)
        assert "has no proof map" in r.stderr


# ------------------------------------------------------------------ annotations with garbage fields


def test_garbage_annotations_are_skipped_and_the_good_one_read(proof: Path, pmap: dict, tmp_path: Path) -> None:
    ln = next(x for x in pmap["pages"][0]["lines"] if x["role"] == "body" and len(x["words"]) > 3)
    word = ln["text"].split()[1]
    with pikepdf.open(proof) as p:
        h = float(p.pages[0].mediabox[3])
        a, b = ln["words"][1]
        top, bottom = ln["box"][1], ln["box"][3]
        rect = [a, h - bottom, b, h - top]
        quad = [a, h - top, b, h - top, a, h - bottom, b, h - bottom]

        def annot(**k):  # type: ignore[no-untyped-def]
            return p.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, **k))

        n = pikepdf.Name
        annots = [
            annot(Subtype=n.StrikeOut, Rect=pikepdf.Array(rect), QuadPoints=pikepdf.Array(quad)),
            annot(Subtype=n.Highlight, Rect=pikepdf.Array(rect), QuadPoints=pikepdf.Array(quad[:5])),
            annot(Subtype=n.Highlight, Rect=pikepdf.Array(rect), QuadPoints=pikepdf.Array([pikepdf.String("a")] * 8)),
            annot(Subtype=n.StrikeOut, Rect=pikepdf.Array([pikepdf.String("x"), 1, 2, 3])),
            annot(Subtype=n.StrikeOut, Rect=pikepdf.Array([1, 2])),
            annot(Subtype=n.StrikeOut, Rect=pikepdf.String("abc")),
            annot(Subtype=n.Caret, Rect=pikepdf.Array([])),
            annot(Rect=pikepdf.Array(rect), Contents=pikepdf.String("no subtype")),
            annot(Subtype=n.Text, Rect=pikepdf.Array(rect), Contents=pikepdf.String("Z" * 2_000_000)),
            annot(Subtype=n.Text, Rect=pikepdf.Array(rect), Contents=pikepdf.Array([1]), T=pikepdf.Dictionary()),
            annot(Subtype=n.Caret, Rect=pikepdf.Array(rect), Contents=pikepdf.String("ins"), IRT=n.Foo),
            p.make_indirect(pikepdf.Object.parse(b"42")),
            pikepdf.Object.parse(b"null"),
        ]
        p.pages[0].obj.Annots = p.make_indirect(pikepdf.Array(annots))
        p.save(tmp_path / "garbage.pdf")
    r = cli("notes", "--json", tmp_path / "garbage.pdf")
    _clean(r, 0)
    found = json.loads(r.stdout)
    assert any(c["kind"] in ("delete", "replace") and c["marked"] == word for c in found), found
    assert "too malformed to read was skipped" in r.stderr
    r = cli("notes", "--patch", tmp_path / "garbage.pdf")
    _clean(r, 0)


@pytest.mark.parametrize("value", [pikepdf.Dictionary(a=1), 5, pikepdf.Name.X])
def test_annots_that_are_not_an_array(proof: Path, tmp_path: Path, value: object) -> None:
    with pikepdf.open(proof) as p:
        p.pages[0].obj.Annots = value
        p.save(tmp_path / "a.pdf")
    _clean(cli("notes", tmp_path / "a.pdf"), 0)


# ------------------------------------------------------------------ outputs onto inputs, bounded images


def test_proof_onto_the_style_sheet_is_refused(made: Path) -> None:
    style = made / "styles" / "lodestar.yaml"
    before = style.read_bytes()
    r = cli("proof", made, "-o", style)
    _clean(r, 2)
    assert "never overwrites an input" in r.stderr
    assert style.read_bytes() == before


def test_default_outputs_through_a_symlinked_build_folder_are_refused(made: Path, tmp_path: Path) -> None:
    issue = tmp_path / "issue"
    shutil.copytree(made, issue, ignore=shutil.ignore_patterns("build"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (issue / "build").symlink_to(elsewhere)
    for args in (("proof", issue), ("render", issue, "--print"), ("preview", issue)):
        r = cli(*args)
        _clean(r, 2)
        assert "leads out of the issue folder" in r.stderr
    assert not list(elsewhere.rglob("*.pdf")) and not list(elsewhere.rglob("*.png"))


def test_a_build_folder_that_is_a_loop_of_symlinks_is_named_not_a_traceback(made: Path, tmp_path: Path) -> None:
    """build/ -> build/: every default output leads nowhere (exit 2, said as for a build/ symlinked
    away); with -o elsewhere the issue renders, no pack read or written; -o onto a loop is refused."""
    issue = tmp_path / "issue"
    shutil.copytree(made, issue, ignore=shutil.ignore_patterns("build"))
    (issue / "build").symlink_to("build")
    for args in (("render", issue), ("render", issue, "--print"), ("proof", issue), ("preview", issue)):
        r = cli(*args)
        _clean(r, 2)
        assert "leads out of the issue folder" in r.stderr, (args, r.stderr)
    for args in (("render", issue), ("render", issue, "--print")):
        _clean(cli(*args, "-o", tmp_path / "out.pdf"), 0)
    loop = tmp_path / "loop.pdf"
    loop.symlink_to("loop.pdf")
    r = cli("render", issue, "-o", loop)
    _clean(r, 2)
    assert "a loop of symbolic links" in r.stderr, r.stderr


def test_no_cache_pack_is_read_or_written_through_a_symlinked_build_folder(made: Path, tmp_path: Path) -> None:
    """With -o elsewhere the render goes on, but the issue's packs stay inside the issue folder: a
    build/ that leads out of it is neither read (a pack there could be anyone's) nor written."""
    issue = tmp_path / "issue"
    shutil.copytree(made, issue, ignore=shutil.ignore_patterns("build"))
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / ".cache").mkdir(parents=True)
    theirs = {name: f"someone's {name}".encode() for name in ("pages.bin", "paragraphs.bin", "fonts.bin", "photos.bin")}
    for name, data in theirs.items():
        (elsewhere / ".cache" / name).write_bytes(data)
    (issue / "build").symlink_to(elsewhere)
    ref = tmp_path / "ref.pdf"
    _clean(cli("render", issue, "--no-cache", "-o", ref), 0)
    for args in (("render", issue), ("render", issue, "--jobs", "2"), ("render", issue, "--print")):
        out = tmp_path / "out.pdf"
        _clean(cli(*args, "-o", out), 0)
        if "--print" not in args:
            assert out.read_bytes() == ref.read_bytes()
        assert sorted(p.relative_to(elsewhere).as_posix() for p in elsewhere.rglob("*")) == [
            ".cache",
            *(f".cache/{n}" for n in sorted(theirs)),
        ]
        assert {n: (elsewhere / ".cache" / n).read_bytes() for n in theirs} == theirs


def test_preview_of_a_huge_or_sliver_page_is_bounded(tmp_path: Path) -> None:
    for name, size in (("huge", (14400, 14400)), ("sliver", (3, 14400))):
        pdf = pikepdf.new()
        pdf.add_blank_page(page_size=size)
        pdf.save(tmp_path / f"{name}.pdf")
        r = cli("preview", tmp_path / f"{name}.pdf", "-o", tmp_path / name, "--dpi", 600)
        _clean(r, 0)
        with Image.open(tmp_path / name / "page-001.png") as im:
            assert im.width * im.height <= MAX_PIXELS
        with Image.open(tmp_path / name / "contact.png") as im:
            assert im.height < 2000  # the sliver's thumbnail is capped, not 280 x 1.3 million
    for dpi in (0, -5, 100_000):
        _clean(cli("preview", tmp_path / "huge.pdf", "--dpi", dpi), 2)


def test_split_onto_a_page_name_taken_by_a_folder_writes_nothing(made: Path, tmp_path: Path) -> None:
    (tmp_path / "the-lodestar-science-weekly-20261203-international-p02.pdf").mkdir()
    r = cli("render", made, "--print", "--split", "-o", tmp_path / "whole.pdf")
    _clean(r, 2)
    assert "is a folder" in r.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["the-lodestar-science-weekly-20261203-international-p02.pdf"]


def test_print_profile_that_is_a_pipe_folder_or_huge(made: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "plant.icc"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.icc"
    folder.mkdir()
    huge = tmp_path / "huge.icc"
    with open(huge, "wb") as f:
        f.truncate(40 * 1024 * 1024)  # sparse: nothing is really written
    for icc in (fifo, folder, huge):
        # in a subprocess with a timeout: reading a pipe would block for ever
        r = cli_subprocess("render", made, "--print", "--icc", icc, "-o", tmp_path / "x.pdf", timeout=60)
        _clean(r, 2)
        assert "print.profile" in r.stderr
    assert not (tmp_path / "x.pdf").exists()


# ------------------------------------------------------------------ the archive


@pytest.fixture(scope="module")
def archive(made: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("archive")
    assert cli("archive", made, "--to", root).code == 0
    return root, next(p.parent for p in root.rglob("bagit.txt"))


@pytest.mark.parametrize(
    "damage",
    ["tagmanifest-sha256.txt", "manifest-sha256.txt", "bagit.txt", "bag-info.txt"],
)
def test_verify_a_bag_whose_own_files_are_not_text(archive, tmp_path: Path, damage: str) -> None:  # type: ignore[no-untyped-def]
    bag = tmp_path / "bag"
    shutil.copytree(archive[1], bag)
    (bag / damage).write_bytes(b"\xff\xfe\xa5 not UTF-8 " + bytes(range(128, 256)))
    r = cli("verify", bag)
    _clean(r, 1)
    assert "does not verify" in r.stderr


def test_verify_names_a_file_whose_name_is_not_utf8(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bag = tmp_path / "bag"
    shutil.copytree(archive[1], bag)
    (bag / "data" / os.fsdecode(b"caf\xe9.txt")).write_text("x")
    r = cli("verify", bag)
    _clean(r, 1)
    assert "appeared: data/caf\\xe9.txt" in r.stdout


def test_catalog_rebuild_onto_a_folder_or_pipe(archive, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for make in (Path.mkdir, os.mkfifo):
        root = tmp_path / make.__name__
        shutil.copytree(archive[0], root)
        (root / "catalog.sqlite").unlink()
        make(root / "catalog.sqlite")
        before = digest(root)
        r = cli("catalog", "rebuild", root)
        _clean(r, 2)
        assert "nothing was changed" in r.stderr
        assert digest(root) == before and not (root / "catalog.sqlite").is_file()
        assert not list(root.glob(".catalog.sqlite.*"))
        _clean(cli("find", "turbine", "--archive", root), 2)


# ------------------------------------------------------------------ the paragraph cache


def _forge(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    """Rewrite the cache file with `change` applied to every line (every paragraph left without
    lines if `change` is None), and a valid checksum."""
    from layout.manifest.packs import first_payload, signed_pack
    from layout.text.cache import MAGIC

    data = path.read_bytes()
    fp, entries = marshal.loads(first_payload(data, MAGIC))

    def forged(k: str, v: tuple) -> tuple:
        if k.startswith("md:"):  # parsed Markdown and punctuated text, kept in the same pack
            return v
        return tuple(change(spans, rest) for spans, rest in v) if change else ()

    entries = {k: forged(k, v) for k, v in entries.items()}
    payload = marshal.dumps((fp, entries))
    path.write_bytes(signed_pack(MAGIC, payload))  # signed with this machine's key: the shape checks


def _span(i: int, value: object):  # type: ignore[no-untyped-def]
    return lambda spans, rest: (tuple(s[:i] + (value,) + s[i + 1 :] for s in spans), rest)


FORGERIES = {
    "size-text": _span(1, "x"),
    "size-nan": _span(1, float("nan")),
    "words-changed": _span(2, "WRONG"),
    "kerns-text": _span(3, "abc"),
    "span-fields-short": _span(6, ()),
    "scale-zero": lambda spans, rest: (spans, rest[:2] + (0.0,) + rest[3:]),
    "flag-text": lambda spans, rest: (spans, rest[:3] + ("yes",) + rest[4:]),
    "no-spans": lambda spans, rest: ((), rest),
    "no-lines": None,  # the shape of a real empty paragraph's entry, for every paragraph
}


def test_a_forged_paragraph_cache_is_set_afresh(made: Path, tmp_path: Path) -> None:
    ref = tmp_path / "ref.pdf"
    _clean(cli("render", made, "--no-cache", "-o", ref), 0)
    cache = made / "build" / ".cache" / "paragraphs.bin"
    _clean(cli("render", made, "-o", tmp_path / "warm.pdf"), 0)  # a cache of this code's fingerprint
    good = cache.read_bytes()
    for name, change in FORGERIES.items():
        cache.write_bytes(good)
        _forge(cache, change)
        out = tmp_path / f"{name}.pdf"
        _clean(cli("render", made, "-o", out), 0)
        assert out.read_bytes() == ref.read_bytes(), name
    cache.write_bytes(good)  # and with the bodies set in two processes, each reading the forged file
    _forge(cache, FORGERIES["words-changed"])
    _clean(cli("render", made, "--jobs", 2, "-o", tmp_path / "jobs.pdf"), 0)
    assert (tmp_path / "jobs.pdf").read_bytes() == ref.read_bytes()
    cache.write_bytes(good)


# ------------------------------------------------------------------ watch


def test_a_pack_from_elsewhere_cannot_change_the_words(made: Path, tmp_path: Path) -> None:
    """A pack summed without this machine's key (as anyone could forge one and ship it in an
    issue's build/) is rebuilt: the parsed Markdown it carries cannot change what prints."""
    import struct

    from layout.manifest.packs import first_payload
    from layout.text.cache import MAGIC

    ref = tmp_path / "ref.pdf"
    _clean(cli("render", made, "--no-cache", "-o", ref), 0)
    _clean(cli("render", made, "-o", tmp_path / "warm.pdf"), 0)
    cache = made / "build" / ".cache" / "paragraphs.bin"
    good = cache.read_bytes()
    fp, entries = marshal.loads(first_payload(good, MAGIC))

    def swap(x):  # type: ignore[no-untyped-def]
        if isinstance(x, str):
            return x.replace("turbine", "TURBOT")
        return tuple(swap(y) for y in x) if isinstance(x, tuple) else x

    payload = marshal.dumps((fp, {k: swap(v) if k.startswith("md:") else v for k, v in entries.items()}))
    unkeyed = hashlib.blake2b(payload, digest_size=32).digest()
    cache.write_bytes(MAGIC + struct.pack("<Q", len(payload)) + unkeyed + payload)
    _clean(cli("render", made, "-o", tmp_path / "forged.pdf"), 0)
    assert (tmp_path / "forged.pdf").read_bytes() == ref.read_bytes()
    cache.write_bytes(good)


def test_watch_never_writes_over_an_input(made: Path) -> None:
    from layout.watch import render_once

    manifest = made / "issue.yaml"
    before = manifest.read_bytes()
    said: list[str] = []
    assert not render_once(made, manifest, say=said.append)
    assert manifest.read_bytes() == before
    assert any("never overwrites an input" in s for s in said)


def test_watch_survives_a_file_name_that_is_not_utf8(made: Path, tmp_path: Path) -> None:
    from layout.watch import watch

    said: list[str] = []
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(made, tmp_path / "w.pdf"), kwargs={"say": said.append, "stop": stop})
    t.start()
    odd = made / os.fsdecode(b"note-caf\xe9.md")
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "w.pdf").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        odd.write_text("an editor's stray file\n")
        while not any("not UTF-8" in s for s in said) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # a watcher failing on the name again and again would render in a loop
        assert t.is_alive(), said
        assert sum("not UTF-8" in s for s in said) <= 2, said[-6:]
    finally:
        stop.set()
        t.join(20)
        odd.unlink(missing_ok=True)
    assert any("not UTF-8" in s for s in said), said
    assert said[-1] == "stopped"


# ------------------------------------------------------------------ names that are not UTF-8


def test_paths_that_are_not_utf8(made: Path, tmp_path: Path) -> None:
    odd = tmp_path / os.fsdecode(b"caf\xe9")
    shutil.copytree(made, odd, ignore=shutil.ignore_patterns("build"))
    commands = [("render", odd), ("proof", odd), ("check", odd), ("preflight", odd), ("archive", odd, "--to", tmp_path)]
    for args in commands:
        r = cli(*args)
        _clean(r, 2)
        assert "caf\\xe9" in r.stderr and "not valid UTF-8" in r.stderr
    r = cli("render", made, "--print", "-o", tmp_path / os.fsdecode(b"print\xe9.pdf"))
    _clean(r, 2)
    assert "not valid UTF-8" in r.stderr
    pdf = tmp_path / os.fsdecode(b"screen\xe9.pdf")
    _clean(cli("render", made, "-o", pdf), 0)  # ReportLab writes to any name
    _clean(cli("preflight", pdf), 0)  # read through a handle: qpdf takes only UTF-8 names


def test_printable_never_fails() -> None:
    from layout.manifest.files import printable

    assert printable("caf\udce9.txt") == "caf\\xe9.txt"  # a file name's byte that is not UTF-8
    assert printable("x\ud800y") == "x\\ud800y"  # a lone surrogate from a PDF string
    assert printable("Zürich") == "Zürich"


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rename_that_fails_in_its_thread_is_said_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """The PDF is renamed into place by a thread while the helper's packs come (files.Renaming):
    when that rename fails, the render says it cannot write (exit 2), the earlier PDF is as it was,
    no temporary is left and no cache pack is written, as when the rename ran in line."""
    import errno

    from layout.manifest import files

    issue = tmp_path / "issue"
    shutil.copytree(SAMPLE, issue, ignore=shutil.ignore_patterns("build"))
    out = tmp_path / "out" / "issue.pdf"
    out.parent.mkdir()
    out.write_bytes(b"%PDF-1.4 an earlier good PDF")

    def refuse(self: files.Renaming) -> None:
        self.error = OSError(errno.EACCES, "Permission denied", str(self.out))

    monkeypatch.setattr(files.Renaming, "_run", refuse)
    run = cli("render", issue, "-o", out, "--jobs", jobs)
    assert run.code == 2 and f"error: cannot write {out}" in run.stderr, run.stderr
    assert out.read_bytes() == b"%PDF-1.4 an earlier good PDF"
    assert sorted(p.name for p in out.parent.iterdir()) == ["issue.pdf"]
    assert not (issue / "build" / ".cache" / "paragraphs.bin").exists()
    monkeypatch.undo()
    run = cli("render", issue, "-o", out, "--jobs", jobs)
    assert run.code in (0, 1) and out.read_bytes().startswith(b"%PDF-1.") and out.stat().st_size > 100_000
    assert (issue / "build" / ".cache" / "paragraphs.bin").exists()
