"""Many issues at once: `--jobs 1`, a local process pool and a Dask LocalCluster make the same
bags byte for byte; the catalogue holds them all; a second archive is refused, `--new-version`
keeps both; a bad issue among good ones is reported and the rest archived."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import bagit
import pytest
from archivecheck import cli, payload_hashes, schema

from layout.archive import archive as archive_mod
from layout.archive.archive import NotArchived, archive_issue

SAMPLE = Path(__file__).resolve().parents[1] / "issues" / "2026-12-03"
DATES = ("2026-12-10", "2026-12-17", "2026-12-24")
PUB = "the-lodestar-science-weekly"


def copy_issue(dest: Path, date: str, edit=None) -> Path:
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("build"))
    m = dest / "issue.yaml"
    text = m.read_text(encoding="utf-8").replace("date: 2026-12-03", f"date: {date}")
    m.write_text(edit(text) if edit else text, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def issues(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("issues")
    return [copy_issue(root / d, d) for d in DATES]


def bag_of(archive: Path, date: str, suffix: str = "") -> Path:
    return archive / PUB / date[:4] / f"{date}-international{suffix}"


@pytest.fixture(scope="module")
def serial(issues, tmp_path_factory) -> Path:
    """The three issues archived one after another (`--jobs 1`), and a broken one among them."""
    out = tmp_path_factory.mktemp("serial")
    broken = copy_issue(out.parent / "broken-issue", "2026-12-31", lambda t: t.replace("number: 412", "number: -4"))
    r = cli("archive", *issues, broken, "--to", out, "--jobs", "1")
    assert r.code == 2
    assert re.search(r"broken-issue/issue\.yaml:\d+:\d+: .*number", r.stderr), r.stderr
    assert "1 of 4 issues not archived" in r.stderr
    assert r.stdout.count("archived as") == 3
    return out


def test_dask_local_cluster_makes_the_same_bags_as_jobs_1(issues, serial, tmp_path):
    from dask.distributed import LocalCluster

    out = tmp_path / "dask"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        r = cli("archive", *issues, "--to", out, "--scheduler", cluster.scheduler_address)
    assert r.code == 0, r.stderr
    for d in DATES:
        a, b = payload_hashes(bag_of(serial, d)), payload_hashes(bag_of(out, d))
        assert len(a) >= 37 and a == b, d
        bagit.Bag(str(bag_of(out, d))).validate()
    hits = json.loads(cli("find", "bacterial", "--archive", out, "--json").stdout)
    assert sorted({h["date"] for h in hits}) == list(DATES)  # the client catalogued every result


def test_a_process_pool_makes_the_same_bags(issues, serial, tmp_path):
    out = tmp_path / "pool"
    r = cli("archive", *issues[:2], "--to", out, "--jobs", "2")
    assert r.code == 0, r.stderr
    for d in DATES[:2]:
        assert payload_hashes(bag_of(serial, d)) == payload_hashes(bag_of(out, d))


def test_an_unreachable_scheduler_is_reported(issues, tmp_path):
    r = cli("archive", issues[0], "--to", tmp_path, "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1")
    assert r.code == 2 and "cannot reach the Dask scheduler" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / PUB).exists()


def test_a_second_archive_is_refused_and_new_version_keeps_both(issues, serial):
    first = bag_of(serial, DATES[0])
    info_before = (first / "bag-info.txt").read_bytes()
    r = cli("archive", issues[0], "--to", serial)
    assert r.code == 2 and "already holds an archive" in r.stderr
    assert not bag_of(serial, DATES[0], "-v2").exists()
    r = cli("archive", issues[0], "--to", serial, "--new-version")
    assert r.code == 0, r.stderr
    second = bag_of(serial, DATES[0], "-v2")
    assert second.is_dir() and (first / "bag-info.txt").read_bytes() == info_before
    assert bagit.Bag(str(second)).info["Issue-Version"] == "2"
    assert payload_hashes(first) == payload_hashes(second)  # same issue, same payload
    assert cli("verify", first).code == 0 and cli("verify", second).code == 0
    hits = json.loads(cli("find", "bacterial", "--archive", serial, "--json").stdout)
    mine = [h for h in hits if h["date"] == DATES[0] and h["article"] == "self-healing-concrete"]
    assert sorted(h["version"] for h in mine) == [1, 2]


def test_overset_copy_is_not_archived(tmp_path):
    def squeeze(text: str) -> str:
        placed = "      - article: geminids\n        columns: 4\n"
        return text.replace(placed, placed + "        height: 30mm\n")

    issue = copy_issue(tmp_path / "overset", "2026-12-03", squeeze)
    r = cli("archive", issue, "--to", tmp_path / "a")
    assert r.code == 1 and "overset: story 'geminids'" in r.stderr
    assert not (tmp_path / "a" / PUB / "2026").exists() or not list((tmp_path / "a" / PUB / "2026").iterdir())


def test_a_failed_archive_leaves_no_half_bag(issues, tmp_path, monkeypatch):
    def die(*_a, **_k):
        raise RuntimeError("killed while bagging")

    monkeypatch.setattr(archive_mod, "make_bag", die)
    with pytest.raises(RuntimeError):
        archive_issue(issues[1], tmp_path)
    year = tmp_path / PUB / "2026"
    assert list(year.iterdir()) == []  # neither the bag nor its staging folder


def test_an_invalid_archive_folder_is_reported(issues, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = cli("archive", issues[0], "--to", f)
    assert r.code == 2 and "Traceback" not in r.stderr


def test_page_images_are_jpeg2000_at_300_dpi_in_the_mets(tmp_path):
    from PIL import Image

    def one_page(text: str) -> str:
        start = text.index("  - section: Honours")
        return text[:start] + text[text.index("articles:") :]

    issue = copy_issue(tmp_path / "one", "2026-12-03", one_page)
    r = cli("archive", issue, "--to", tmp_path / "a", "--page-images")
    assert r.code == 0, r.stderr
    bag = bag_of(tmp_path / "a", "2026-12-03")
    bagit.Bag(str(bag)).validate()
    jp2 = bag / "data" / "pages" / "0001.jp2"
    with Image.open(jp2) as im:
        assert im.format == "JPEG2000"
        # tabloid, 280 x 430 mm, at 300 dpi
        assert abs(im.size[0] - 280 / 25.4 * 300) <= 1 and abs(im.size[1] - 430 / 25.4 * 300) <= 1
    mets = (bag / "data" / "mets.xml").read_text()
    assert 'USE="service" MIMETYPE="image/jp2"' in mets and "pages/0001.jp2" in mets
    schema("mets.xsd").validate(str(bag / "data" / "mets.xml"))


def test_not_archived_carries_its_exit_code():
    e = NotArchived(["x"], 2)
    assert e.code == 2 and e.messages == ["x"]
