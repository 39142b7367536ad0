"""The strict check (no pydantic) against the pydantic schema, on every manifest and style sheet the
repo has and on thousands of mutations of them: the strict check either gives up or gives exactly
pydantic's records (values, types, the fields given, the JSON the caches are keyed by); what pydantic
refuses the strict check never accepts, so invalid input always gets pydantic's located messages.
A plain render of a valid issue never imports pydantic; an invalid one still names file:line:col."""

from __future__ import annotations

import copy
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from awkward import _cases
from generator import synthetic
from pydantic import ValidationError

from layout.manifest import model, schema, strict, styleschema, yamlsource
from layout.manifest.record import Record, from_model
from layout.manifest.stylesheet import DEFAULT, _merge

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "issues" / "2026-12-03"
# Spellings of a scalar: the YAML layer gives strings (or None); the Python values check that a
# caller handing the strict check anything else still gets pydantic's answer.
SCALARS: list[Any] = [
    *("", " 5", "5 ", "05", "010", "+5", "-5", "5", "0", "1", "2", "3", "12", "100", "240", "400", "401"),
    *("5.0", "5.5", "0.5", "0.03", "0.031", "1e3", "1_000", "inf", "-inf", "nan", "-0", "-0.0", "0.0", ".5"),
    *("true", "false", "True", "FALSE", "yes", "no", "on", "off", "y", "n", "t", "f", "fallback"),
    *("12mm", "-3mm", "0mm", "4 mm", "1.5cm", "0.5in", "30pt", "20mm", "21mm", "1e2mm", "tabloid", "A4"),
    *("289x380mm", "10x10mm", "3000x380mm", "1-3", "2-1", "0-2", "3", "٣", "1–2", "top", "inline", "x1a"),
    *("x4", "left", "justify", "#b3261e", "#zzzzzz", "rule", "2026-12-03", " 2026-12-03 ", "2026-02-30"),
    *("2026-13-01", "1899-01-01", "03/12/2026", "x" * 2000, "x" * 2001, "😀" * 2000, "😀" * 2001, "en-US", "a/x.md"),
    *(None, [], {}, ["1", "2"], ["0.98", "1.02"], {"x": "1"}, True, False, 5, 5.0, 0, -1, 2.5, 10**20),
]


def _records_equal(a: Any, b: Any, where: str = "") -> None:
    """Equal values of the very same types (float vs int, tuple vs list), same fields given."""
    assert type(a) is type(b), (where, a, b)
    if isinstance(a, Record):
        assert a._set == b._set, where
        for n in a._fields:
            _records_equal(a.__dict__[n], b.__dict__[n], f"{where}.{n}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _records_equal(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert [(type(k), k) for k in a] == [(type(k), k) for k in b], where
        for k in a:
            _records_equal(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, float):
        assert repr(a) == repr(b), where  # -0.0 is not 0.0
    else:
        assert a == b, where


def _compare(data: Any, fast: Any, schema_cls: Any, kinds: dict) -> str:
    """The strict check's answer for `data` against pydantic's: 'fast', 'slow' or 'invalid'."""
    try:
        pm = schema_cls.model_validate(copy.deepcopy(data))
    except ValidationError:
        assert fast is None, f"the strict check accepted what pydantic refuses: {data!r:.300}"
        return "invalid"
    slow = from_model(pm, kinds)
    assert slow.model_dump_json() == pm.model_dump_json()  # the records write pydantic's very JSON
    assert repr(slow) == repr(pm)  # (a cache key holds the punctuation settings' repr)
    if fast is None:
        return "slow"
    _records_equal(fast, slow)
    assert fast.model_dump_json() == pm.model_dump_json() and repr(fast) == repr(pm)
    assert fast.model_dump() == pm.model_dump()
    return "fast"


def check_issue(data: Any) -> str:
    before = copy.deepcopy(data)
    fast = strict.issue(data)
    assert data == before  # the input is left as it was
    return _compare(data, fast, schema.Issue, schema.RECORDS)


def check_sheet(data: Any) -> str:
    fast = strict.style_sheet(data)
    return _compare(data, fast, styleschema.StyleSheet, styleschema.RECORDS)


def _yaml(text: str) -> Any:
    return yamlsource.load(text, Path("x.yaml"))[0]


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every manifest the repo has: the sample, the benchmark generator's issues, the awkward ones."""
    out = {"sample": _yaml((SAMPLE / "issue.yaml").read_text(encoding="utf-8"))}
    gen = synthetic()
    for pages, seed, own in ((16, 7, None), (5, 11, None)):
        folder = tmp_path_factory.mktemp(f"gen{pages}")
        out[f"generator-{pages}"] = _yaml(gen.make_issue(folder, pages, seed, own).read_text(encoding="utf-8"))
    for name, data in _cases().items():
        out[f"awkward-{name}"] = _yaml(yaml.safe_dump(data, sort_keys=False))
    return out


@pytest.fixture(scope="module")
def sheets() -> dict[str, Any]:
    house = _yaml(DEFAULT.read_text(encoding="utf-8"))
    own = _yaml((SAMPLE / "styles" / "lodestar.yaml").read_text(encoding="utf-8"))
    return {"house": house, "lodestar": _merge(house, own)}


def test_every_document_of_the_repo_is_proved_valid_without_pydantic(manifests: dict, sheets: dict) -> None:
    for name, data in manifests.items():  # (an awkward case may be invalid on purpose)
        assert check_issue(data) == ("invalid" if name == "awkward-page-foot" else "fast"), name
    for name, data in sheets.items():
        assert check_sheet(data) == "fast", name


def _nodes(data: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _nodes(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _nodes(v, (*path, i))
    return out


def _get(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data


def _mutants(data: Any, rng: random.Random, n: int) -> list[Any]:
    """`n` copies of `data` with one change each: a value respelt, a key added, dropped or renamed,
    a list emptied or grown."""
    nodes = _nodes(data)
    out = []
    for _ in range(n):
        d = copy.deepcopy(data)
        path = rng.choice(nodes)
        node = _get(d, path)
        kind = rng.random()
        if path and kind < 0.7:
            _get(d, path[:-1])[path[-1]] = copy.deepcopy(rng.choice(SCALARS))
        elif isinstance(node, dict) and kind < 0.8:
            node[rng.choice(["colour", "print", "print_", "size", "columns", "1", "01"])] = rng.choice(SCALARS[:20])
        elif isinstance(node, dict) and node:
            key = rng.choice(list(node))
            value = node.pop(key)
            if key == "print":
                node["print_"] = value
        elif isinstance(node, list) and node:
            node.append(copy.deepcopy(node[0])) if kind < 0.9 else node.clear()
        out.append(d)
    return out


def test_mutated_manifests_get_pydantics_answer(manifests: dict) -> None:
    rng = random.Random(12)
    seen: dict[str, int] = {}
    for name in ("sample", "generator-5", "awkward-" + next(k for k in _cases())):
        for d in _mutants(manifests[name], rng, 900):
            r = check_issue(d)
            seen[r] = seen.get(r, 0) + 1
    assert min(seen.get(k, 0) for k in ("fast", "slow", "invalid")) > 20, seen  # every route taken


def test_mutated_style_sheets_get_pydantics_answer(sheets: dict) -> None:
    rng = random.Random(3)
    seen: dict[str, int] = {}
    for d in _mutants(sheets["lodestar"], rng, 1500):
        r = check_sheet(d)
        seen[r] = seen.get(r, 0) + 1
    assert min(seen.get(k, 0) for k in ("fast", "slow", "invalid")) > 20, seen


def test_every_field_with_every_spelling(manifests: dict, sheets: dict) -> None:
    """Each scalar of the sample manifest and of the house style respelt many ways in turn."""
    rng = random.Random(5)
    for data, check in ((manifests["sample"], check_issue), (sheets["house"], check_sheet)):
        leaves = [p for p in _nodes(data) if p and not isinstance(_get(data, p), dict | list)]
        for path in leaves:
            parent = _get(data, path[:-1])
            was = parent[path[-1]]
            for v in rng.sample(SCALARS, 24):
                parent[path[-1]] = copy.deepcopy(v)
                check(data)
            parent[path[-1]] = was


def test_plain_numbers_are_read_as_pydantic_reads_them(manifests: dict, sheets: dict) -> None:
    """Random decimals of every length the strict check takes (to 17 places): the same float,
    correctly rounded; and whole numbers up to its 18 digits, in range or not."""
    rng = random.Random(8)
    sheet, issue = copy.deepcopy(sheets["house"]), copy.deepcopy(manifests["sample"])
    routes = []
    for _ in range(300):
        k = rng.randint(1, 17)
        sheet["grid"] = f"{rng.randint(3, 72)}.{rng.randrange(10**k):0{k}d}"
        sheet["rules"] = {"x": f"{rng.randint(0, 21)}.{rng.randrange(10**k):0{k}d}", "y": str(rng.randint(0, 20))}
        routes.append(check_sheet(sheet))
        issue["number"] = str(rng.randrange(10 ** rng.randint(1, 18)))
        issue["volume"] = rng.choice([str(rng.randint(0, 10**6 + 1)), "-" + str(rng.randint(0, 9))])
        routes.append(check_issue(issue))
    assert routes.count("fast") > 300 and routes.count("invalid") > 30, routes


def test_the_records_mirror_the_schema_field_by_field() -> None:
    for kinds in (schema.RECORDS, styleschema.RECORDS):
        for name, cls in kinds.items():
            if name == "Record":
                continue
            pyd = getattr(schema, name, None) or getattr(styleschema, name)
            if not hasattr(pyd, "model_fields"):
                continue
            assert cls._fields == tuple(pyd.model_fields), name
            required = {k: None for k in cls._fields if k not in cls._defaults}
            for f, info in pyd.model_fields.items():
                if f in cls._defaults:
                    made = getattr(cls(**required), f)
                    if info.default_factory is not None or isinstance(made, Record):  # never shared
                        assert made is not getattr(cls(**required), f), (name, f)
                    if info.default_factory is not None:
                        assert made == info.default_factory(), (name, f)
                    elif isinstance(made, Record):
                        assert made.model_dump_json() == info.default.model_dump_json(), (name, f)
                    else:
                        assert type(made) is type(info.default) and made == info.default, (name, f)
                else:
                    assert info.is_required(), (name, f)


def test_the_methods_the_later_phases_use_behave_as_pydantics() -> None:
    fast, slow = model.PrintSpec(), schema.PrintSpec()
    assert fast.model_dump() == slow.model_dump() and fast.model_dump_json() == slow.model_dump_json()
    f2 = strict.issue({**_minimal(), "print": {"ink_limit": "300", "slug": "false"}})
    s2 = schema.validate({**_minimal(), "print": {"ink_limit": "300", "slug": "false"}})
    assert f2 is not None and f2.print_.model_fields_set == s2.print_.model_fields_set == {"ink_limit", "slug"}
    c = f2.print_.model_copy(update={"bleed": 3.0})
    assert c.bleed == 3.0 and f2.print_.bleed == 0.0 and c.model_fields_set == {"ink_limit", "slug", "bleed"}
    built = model.PrintSpec.model_construct(**model.PrintSpec().model_dump())
    assert built.model_dump_json() == schema.PrintSpec.model_construct(**slow.model_dump()).model_dump_json()


def _minimal() -> dict:
    return {"publication": "P", "date": "2026-01-02", "number": "1", "pages": [{"stories": []}]}


PROBE_ENV = {"PYTHONPROFILEIMPORTTIME": "1"}


def test_a_plain_render_never_imports_pydantic_and_bad_input_still_names_the_line(tmp_path: Path) -> None:
    folder = tmp_path / "issue"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("build"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_RUNTIME_DIR": str(tmp_path), **PROBE_ENV}
    entry = [sys.executable, "-c", "from layout.serve.client import main; main()", "render"]
    r = subprocess.run([*entry, folder, "-o", tmp_path / "out.pdf"], env=env, capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr[-2000:]
    imported = [line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")]
    assert "layout.manifest.strict" in imported and (tmp_path / "out.pdf").is_file()
    heavy = ("pydantic", "pydantic_core", "annotated_types", "typing_extensions")
    assert not [m for m in imported if m.split(".")[0] in heavy]

    text = (folder / "issue.yaml").read_text(encoding="utf-8")
    (folder / "issue.yaml").write_text(text.replace("  columns: 4\n", "  columns: true\n"), encoding="utf-8")
    r = subprocess.run([*entry, folder, "-o", tmp_path / "bad.pdf"], env=env, capture_output=True, text=True)
    line = 1 + text.splitlines().index("  columns: 4")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"issue.yaml:{line}:12: page.columns: expected a whole number, got 'true'" in r.stderr
    assert not (tmp_path / "bad.pdf").exists()
