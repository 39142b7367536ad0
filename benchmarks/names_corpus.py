"""News copy full of proper names and long words, for measuring the house defaults on copy that
is hard to justify (capitalised words the hyphenator is told to leave alone).

    from names_corpus import make_names_issue   # with benchmarks/ on sys.path
    manifest = make_names_issue(Path(tmp), pages=4, seed=11, text={"hyphenate_capitalized": "fallback"})

writes `issue.yaml`, `articles/*.md` and `styles/house.yaml` (the `text:` settings to measure)
into the folder: five-column tabloid pages of court, council, sport and business reports in which
about one word in four is part of a name, an organisation or a place. Every name and sentence is
invented here from `random.Random(seed)`; nothing is read from outside the repository. Copy that
does not fit is simply overset: the benchmark measures the lines that are set.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

FIRST = """Aleksandra Bartholomew Cassiopeia Dagny Evangelos Florentyna Gwendolyn Hieronymus
    Ignatius Jadwiga Konstantinos Leopoldine Maximilian Nkechinyere Oyelaran Perpetua Quirinus
    Rosalind Sigismund Theodora Ulrike Valentina Wilhelmina Xiomara Yevgenia Zacharias""".split()
LAST = """Abernethy-Okonjo Brzezinska Castellammare Dimitriadou Echeverria Fitzwilliam Grzybowski
    Hollingsworth Ingebrigtsen Jaroszewicz Kapoor-Lindgren Llewellyn-Pryce Montgomerie
    Nakamura-Whitfield Oyelowo Papadimitriou Quatermaine Rautenbach Szczepanski
    Thorvaldsdottir Vanderhoeven Wojciechowska Xenakis Yevtushenko Zimmerhofer""".split()
PLACES = """Aberystwyth Kristiansund Castelnuovo Wolverhampton Szczecinek Thessaloniki
    Middlesbrough Pietermaritzburg Llandrindod Oberammergau Kirkcudbright Scarborough""".split()
ORGS = [
    "the Northumbrian Waterways Commission",
    "Hollingsworth Engineering",
    "the Interprovincial Arbitration Tribunal",
    "Castellammare Shipbuilders",
    "the Pembrokeshire Archaeological Trust",
    "Vanderhoeven Logistics",
    "the Metropolitan Transportation Authority",
    "Kristiansund Hydroelectric",
]
VERBS = """told confirmed disputed announced acknowledged questioned rejected welcomed
    criticised defended described explained""".split()
OBJECTS = [
    "the proposed redevelopment of the riverside warehouses",
    "an independent investigation into procurement irregularities",
    "the decommissioning timetable for the northern reactor",
    "a compensation settlement worth several million",
    "the reconstruction of the collapsed footbridge",
    "the electrification of the coastal railway",
    "a consultation on neighbourhood parking restrictions",
    "the disciplinary proceedings against two councillors",
]
LONG = """unprecedented disproportionately telecommunications counterproductive
    intergovernmental notwithstanding characteristically responsibilities
    internationally misrepresentation""".split()


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _sentence(rng: random.Random) -> str:
    forms = [
        lambda: (
            f"{_person(rng)}, who chairs {rng.choice(ORGS)}, {rng.choice(VERBS)} reporters in "
            f"{rng.choice(PLACES)} that {rng.choice(OBJECTS)} would go ahead."
        ),
        lambda: (
            f"According to {_person(rng)} of {rng.choice(ORGS)}, the decision was "
            f"{rng.choice(LONG)} and {rng.choice(LONG)}."
        ),
        lambda: (
            f"Lawyers for {_person(rng)} and {_person(rng)} {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)} at the tribunal in {rng.choice(PLACES)}."
        ),
        lambda: (
            f"{rng.choice(ORGS).capitalize()} said {_person(rng)} had {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS)} before leaving for {rng.choice(PLACES)}."
        ),
        lambda: (
            f"In {rng.choice(PLACES)}, {_person(rng)} {rng.choice(VERBS)} the figures, calling them {rng.choice(LONG)}."
        ),
    ]
    return rng.choice(forms)()


def _body(rng: random.Random, words: int) -> str:
    paras, n = [], 0
    while n < words:
        p = " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))
        paras.append(p)
        n += len(p.split())
    return "\n\n".join(paras) + "\n"


def make_names_issue(folder: Path, pages: int = 4, seed: int = 11, text: dict | None = None) -> Path:
    """Write the issue; `text` is laid over the house style's `text:` section."""
    folder = Path(folder)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "styles").mkdir(exist_ok=True)
    rng = random.Random(seed)
    layouts = [[("1-5", 700)], [("1-3", 900), ("4-5", 600)], [("1-2", 600), ("3-5", 900)]]
    manifest_pages, articles = [], {}
    for pn in range(1, pages + 1):
        stories = []
        for k, (cols, words) in enumerate(layouts[(pn - 1) % len(layouts)] + [("1-5", 900)]):
            aid = f"n{pn}-{k + 1}"
            (folder / "articles" / f"{aid}.md").write_text(_body(rng, words), encoding="utf-8")
            articles[aid] = {
                "headline": f"{_person(rng)} wins ruling against {rng.choice(ORGS)}",
                "byline": f"By {_person(rng)}",
                "body": f"articles/{aid}.md",
            }
            stories.append({"article": aid, "columns": cols})
        manifest_pages.append({"section": "News", "stories": stories})
    (folder / "styles" / "house.yaml").write_text(yaml.safe_dump({"text": text or {}}), encoding="utf-8")
    manifest = {
        "publication": "The Proper Noun Courier",
        "date": "2026-12-03",
        "number": 1,
        "style": "styles/house.yaml",
        "page": {"size": "tabloid", "columns": 5, "gutter": "4mm"},
        "pages": manifest_pages,
        "articles": articles,
    }
    path = folder / "issue.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
