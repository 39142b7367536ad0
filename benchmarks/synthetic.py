"""A synthetic newspaper issue for benchmarks and tests.

    from synthetic import make_issue        # with benchmarks/ on sys.path
    manifest = make_issue(Path(tmp), pages=16, seed=7)

writes `issue.yaml`, `articles/*.md` and `photos/*.jpg` into the folder: a tabloid issue of
five-column pages, each with a lead story (photo and pull quote) and two or three more
stories, about 2,000 words of body per page. Everything comes from `random.Random(seed)`
over the vocabulary below and from Pillow drawings; nothing is read from the network or
from outside the repository.

The pages are filled to the foot but never overset: the stories that reach the foot of the
page are first written too long, then the issue is laid out with `layout.pipeline.build`
and every overset story is cut back by the words that did not fit, sentence by sentence,
until nothing is overset. The result depends only on `pages`, `seed` and the layout
engine, so it is the same on every run with the same code.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["make_issue", "page_fill", "PHOTOS"]

# -- vocabulary -----------------------------------------------------------------------------

DETS = ["the", "the", "the", "a", "this", "that", "every", "each", "another", "its", "their", "our"]
ADJS = [
    "new", "old", "local", "regional", "national", "public", "private", "small", "large", "early",
    "late", "quiet", "busy", "careful", "modest", "bold", "cheap", "costly", "open", "closed",
    "northern", "southern", "coastal", "rural", "urban", "wet", "dry", "steady", "sudden", "rare",
    "unprecedented", "extraordinary", "controversial", "comprehensive", "environmental",
    "international", "constitutional", "intergovernmental", "disproportionate", "experimental",
    "agricultural", "archaeological", "characteristically", "straightforward", "uncompromising",
    "well-known", "long-term", "cross-border", "so-called", "high-speed",
]
NOUNS = [
    "council", "harbour", "bridge", "school", "market", "budget", "river", "station", "museum",
    "hospital", "library", "railway", "village", "factory", "festival", "garden", "ferry",
    "court", "report", "study", "survey", "plan", "vote", "tax", "road", "tunnel", "orchard",
    "team", "season", "match", "crowd", "price", "wage", "rent", "storm", "flood", "winter",
    "summer", "engine", "turbine", "reservoir", "laboratory", "committee", "programme",
    "infrastructure", "administration", "responsibilities", "telecommunications",
    "reconstruction", "representatives", "neighbourhoods", "accountability", "transportation",
    "biodiversity", "electrification", "municipalities", "manufacturers", "recommendations",
    "consultation", "investigation", "implementation", "circumstances", "archaeologists",
    "hydroelectricity", "refurbishment", "apprenticeships", "semiconductors", "photovoltaics",
]
VERBS = [
    "opened", "closed", "approved", "rejected", "delayed", "announced", "questioned", "measured",
    "expanded", "reduced", "rebuilt", "reviewed", "funded", "challenged", "welcomed", "studied",
    "doubled", "restored", "replaced", "examined", "published", "criticised", "supported",
    "underestimated", "reconsidered", "commissioned", "overhauled", "strengthened",
    "decommissioned", "redistributed", "misunderstood", "characterised", "institutionalised",
]
PREPS = ["in", "near", "across", "beyond", "under", "after", "before", "during", "without",
         "despite", "alongside", "throughout", "towards", "against", "between"]
ADVS = ["quietly", "quickly", "finally", "already", "reluctantly", "unexpectedly", "formally",
        "eventually", "provisionally", "simultaneously", "comparatively", "nevertheless"]
CONJS = ["and", "but", "while", "although", "because", "so", "yet", "whereas"]
UNITS = ["households", "tonnes", "kilometres", "visitors", "euros", "passengers", "hectares",
         "megawatts", "signatures", "jobs", "homes", "seats", "trees", "pupils"]
FIRST = ["Amara", "Henrik", "Helena", "José", "Ingrid", "Wenjing", "Tomasz", "Priya", "Kwame",
         "Sadia", "Paulo", "Mireille", "Oluwaseun", "Ruairí", "Astrid", "Dmitri", "Yusuf", "Elena"]
LAST = ["Nwosu", "Lundqvist", "Marsh", "Ortega", "Müller", "Chen", "Kowalczyk", "Raghunathan",
        "Mensah", "Rahimova", "Antunes", "Delacroix", "Adeyemi", "Ó Súilleabháin", "Bergström",
        "Volkov", "Demir", "Castellanos"]
ROLES = ["the council's chief engineer", "a spokeswoman for the ministry", "the harbour master",
         "a local shopkeeper", "the committee's chair", "an independent economist",
         "a historian at the University of Westmoor", "the union's regional secretary",
         "a resident of Eastbrook", "the opposition's transport spokesman"]
PLACES = ["Westmoor", "Eastbrook", "Kingsferry", "Qinglan", "Port Avery", "Halvorsen",
          "Lindqvist Bay", "Marrowdale", "St Oswin's", "Fennick Cross"]
ORGS = ["the Coastal Infrastructure Council", "the Open Methods Trust", "the Regional Assembly",
        "the Kestrel News Agency", "the Harbour Board", "the Westmoor Institute"]
SUBHEADS = ["Questions downstream", "Tighter tolerances", "A long winter", "What happens next",
            "Counting the cost", "Old quarrels", "The view from the harbour", "Second thoughts",
            "A matter of trust", "Lessons from abroad", "By the numbers", "Still waiting"]
SECTIONS = ["News", "Region", "Nation", "World", "Business", "Science", "Opinion", "Culture",
            "Sport", "Weather", "Letters", "Features", "Environment", "Education", "Health",
            "Transport"]
BANNERS = ["Election special", "The great flood", "Harbour in crisis", "Budget day",
           "Cup final", "Year in review"]

# Pictures: (file, size, colour at the top, colour at the bottom).
PHOTOS = [
    ("harbour.jpg", (1200, 800), (32, 64, 128), (210, 180, 120)),
    ("turbine-hall.jpg", (1200, 800), (60, 60, 70), (200, 120, 40)),
    ("orchard.jpg", (1200, 780), (120, 170, 230), (40, 110, 40)),
    ("council-chamber.jpg", (1200, 820), (90, 20, 30), (230, 210, 190)),
    ("stadium.jpg", (1200, 800), (20, 20, 60), (40, 150, 70)),
]


# -- text -----------------------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _number(rng: random.Random) -> str:
    k = rng.random()
    if k < 0.4:
        return f"{rng.randint(1000, 99999):,}"  # 7,439
    if k < 0.6:
        return f"{rng.randint(2, 99)}.{rng.randint(1, 9)} per cent"
    if k < 0.8:
        return str(rng.randint(12, 999))
    return str(rng.randint(1990, 2030))


def _noun_phrase(rng: random.Random) -> list[str]:
    k = rng.random()
    if k < 0.12:
        return [_name(rng)]
    if k < 0.2:
        return rng.choice(ORGS).split()
    if k < 0.3:
        return [_number(rng), rng.choice(UNITS)]
    out = [rng.choice(DETS)]
    if rng.random() < 0.55:
        adj = rng.choice(ADJS)
        if rng.random() < 0.07:
            adj = f"*{adj}*"
        elif rng.random() < 0.05:
            adj = f"**{adj}**"
        out.append(adj)
    out.append(rng.choice(NOUNS))
    if rng.random() < 0.2:
        out += [rng.choice(PREPS), rng.choice(PLACES)]
    return out


def _clause(rng: random.Random) -> list[str]:
    out = _noun_phrase(rng)
    if rng.random() < 0.25:
        out.append(rng.choice(ADVS))
    out.append(rng.choice(VERBS))
    out += _noun_phrase(rng)
    if rng.random() < 0.5:
        out.append(rng.choice(PREPS))
        out += _noun_phrase(rng)
    return out


def _sentence(rng: random.Random) -> str:
    words = _clause(rng)
    while len(words) < 9 or (len(words) < 26 and rng.random() < 0.45):
        sep = rng.choice([",", ",", ";", " \u2014", ":"]) if rng.random() < 0.8 else ""
        words[-1] += sep
        words.append(rng.choice(CONJS))
        words += _clause(rng)
    text = " ".join(words)
    text = text[0].upper() + text[1:]
    k = rng.random()
    if k < 0.14:  # a quotation
        return f"\u201c{text},\u201d said {_name(rng)}, {rng.choice(ROLES)}."
    if k < 0.18:
        return f"{text}?"
    if k < 0.22:
        return f"{text} ({_number(rng)} in all)."
    return f"{text}."


@dataclass
class _Article:
    """A body as paragraphs of sentences, cut at a sentence boundary to `limit` words."""

    paras: list[tuple[str, list[str]]]  # (kind: "para" | "subhead", sentences)
    limit: int = 0
    sentences_used: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(s.split()) for k, ss in self.paras if k == "para" for s in ss)

    def markdown(self) -> str:
        out: list[str] = []
        n = 0
        for kind, ss in self.paras:
            if kind == "subhead":
                out.append(f"### {ss[0]}")
                continue
            keep = []
            for s in ss:
                w = len(s.split())
                if n + w > self.limit and (n or keep):
                    break
                keep.append(s)
                n += w
            if keep:
                out.append(" ".join(keep))
            if len(keep) < len(ss):
                break
        while out and out[-1].startswith("###"):
            out.pop()
        return "\n\n".join(out) + "\n"

    def words(self) -> int:
        return sum(len(p.split()) for p in self.markdown().split("\n\n") if not p.startswith("###"))


def _article(rng: random.Random, words: int) -> _Article:
    paras: list[tuple[str, list[str]]] = []
    n = 0
    since = 0
    while n < words:
        if since >= 5 and rng.random() < 0.3:
            paras.append(("subhead", [rng.choice(SUBHEADS)]))
            since = 0
        ss = [_sentence(rng) for _ in range(rng.randint(1, 4))]
        n += sum(len(s.split()) for s in ss)
        paras.append(("para", ss))
        since += 1
    return _Article(paras, words)


def _headline(rng: random.Random, cols: int) -> str:
    lo, hi = {1: (4, 6), 2: (5, 7), 3: (6, 9)}.get(cols, (7, 10))
    words = _clause(rng)
    while len(words) < lo:
        words += [rng.choice(PREPS)] + _noun_phrase(rng)
    words = [w.strip("*,;:") for w in words[:rng.randint(lo, hi)]]
    words = [w for w in words if w and w not in ("\u2014",)]
    while words[-1] in DETS or words[-1] in PREPS or words[-1] in CONJS:
        words.pop()
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _pull_quote(rng: random.Random, art: _Article) -> str:
    cands = [s for k, ss in art.paras[:6] if k == "para" for s in ss
             if 8 <= len(s.split()) <= 20 and "\u201c" not in s and "*" not in s]
    if not cands:
        return " ".join(_clause(rng)).capitalize() + "."
    return rng.choice(cands)


# -- photos ---------------------------------------------------------------------------------


def _photo(path: Path, size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int],
           rng: random.Random) -> None:
    w, h = size
    # A vertical sky-to-ground gradient, then a horizontal light falloff on top of it.
    grad = Image.linear_gradient("L").resize((w, h))
    im = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), grad)
    side = Image.linear_gradient("L").rotate(90).resize((w, h))
    im = Image.blend(im, Image.merge("RGB", (side, side, side)), 0.18)
    d = ImageDraw.Draw(im)
    horizon = int(h * rng.uniform(0.45, 0.65))
    pts = [(0, horizon)]
    for x in range(0, w + 60, 60):
        pts.append((x, horizon - rng.randint(0, h // 6)))
    pts += [(w, h), (0, h)]
    d.polygon(pts, fill=tuple(max(0, c - 50) for c in bottom))
    for _ in range(12):
        x, y = rng.randint(0, w), rng.randint(0, horizon)
        r = rng.randint(10, 90)
        c = tuple(min(255, v + rng.randint(20, 80)) for v in top)
        d.ellipse((x - r, y - r, x + r, y + r), fill=c)
    for _ in range(8):
        x = rng.randint(0, w - 120)
        bw, bh = rng.randint(40, 160), rng.randint(60, h // 3)
        d.rectangle((x, h - bh, x + bw, h), fill=tuple(rng.randint(20, 90) for _ in range(3)))
    im = im.filter(ImageFilter.GaussianBlur(1.2))
    im.save(path, "JPEG", quality=85, optimize=False)


# -- the issue ------------------------------------------------------------------------------

# Page templates: (columns, role) per story in manifest order. "lead" carries a photo and a
# pull quote; "fill" stories reach the foot of the page and are cut to fit; "mid" stories
# sit above another story and keep their written length.
TEMPLATES = [
    [("1-5", "lead"), ("1-3", "fill"), ("4-5", "fill")],
    [("1-3", "lead"), ("4-5", "fill"), ("1-3", "fill")],
    [("1-5", "lead"), ("1-2", "fill"), ("3-5", "mid"), ("3-5", "fill")],
    [("3-5", "lead"), ("1-2", "fill"), ("3-5", "fill")],
    [("1-5", "lead"), ("1-3", "mid"), ("4-5", "fill"), ("1-3", "fill")],
]
LEAD_WORDS = {5: (520, 680), 3: (420, 560), 2: (300, 400)}
MID_WORDS = (220, 320)
FILL_START = 500  # words per column a fill story starts with (more than a column holds)


def _span(cols: str) -> int:
    a, _, b = cols.partition("-")
    return int(b or a) - int(a) + 1


def make_issue(folder: Path, pages: int = 16, seed: int = 7) -> Path:
    """Write a synthetic issue into `folder`; return the path of its issue.yaml.

    Raises RuntimeError if the copy cannot be cut to fit (which would be a layout bug)."""
    from layout.pipeline import build

    folder = Path(folder)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for name, size, top, bottom in PHOTOS:
        _photo(folder / "photos" / name, size, top, bottom, random.Random(f"{seed}:{name}"))

    banner_pages = {p for p in range(2, pages + 1) if rng.random() < 0.25} or {min(3, pages)}
    manifest_pages = []
    articles: dict[str, dict] = {}
    bodies: dict[str, _Article] = {}
    for pn in range(1, pages + 1):
        tpl = TEMPLATES[0] if pn == 1 else TEMPLATES[(pn - 1) % len(TEMPLATES)]
        pdef: dict = {"section": "Front" if pn == 1 else SECTIONS[(pn - 2) % len(SECTIONS)]}
        if pn == 1:
            pdef["masthead"] = True
        if pn in banner_pages:
            pdef["banner"] = rng.choice(BANNERS)
        stories = []
        for k, (cols, role) in enumerate(tpl):
            aid = f"p{pn:02d}-{k + 1}"
            arng = random.Random(f"{seed}:{aid}")
            span = _span(cols)
            if role == "lead":
                words = arng.randint(*LEAD_WORDS[min(span, 5) if span != 4 else 3])
            elif role == "mid":
                words = arng.randint(*MID_WORDS)
            else:
                words = FILL_START * span
            body = _article(arng, words)
            bodies[aid] = body
            art: dict = {
                "headline": _headline(arng, span),
            }
            if role == "lead" or arng.random() < 0.3:
                art["deck"] = _headline(arng, 2) + " as " + " ".join(_noun_phrase(arng)).replace("*", "")
            art["byline"] = f"By {_name(arng)}" if arng.random() < 0.8 else "By Staff Reporters"
            art["body"] = f"articles/{aid}.md"
            if role == "lead":
                pfile, *_ = PHOTOS[(pn - 1) % len(PHOTOS)]
                art["photos"] = [{
                    "file": f"photos/{pfile}",
                    "caption": _sentence(arng).replace("*", ""),
                    "credit": arng.choice(ORGS).removeprefix("the ") if arng.random() < 0.5 else _name(arng),
                    "columns": 3 if span >= 4 else min(span, arng.choice([2, 3])),
                }]
                art["pull_quotes"] = [{"text": _pull_quote(arng, body).rstrip(".").replace("*", ""),
                                       "attribution": f"{_name(arng)}, {arng.choice(ROLES)}"}]
            if arng.random() < 0.25:
                art["source"] = f"{arng.choice(ORGS).removeprefix('the ')}; {arng.choice(PLACES)} records office"
            articles[aid] = art
            stories.append({"article": aid, "columns": cols})
        pdef["stories"] = stories
        manifest_pages.append(pdef)

    manifest = {
        "publication": "The Benchmark Times",
        "date": dt.date(2026, 12, 1),
        "number": 1,
        "page": {"size": "tabloid",
                 "margins": {"top": "14mm", "bottom": "16mm", "inside": "13mm", "outside": "11mm"},
                 "columns": 5, "gutter": "4mm"},
        "pages": manifest_pages,
        "articles": articles,
    }
    path = folder / "issue.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")

    def write_bodies() -> None:
        for aid, body in bodies.items():
            (folder / "articles" / f"{aid}.md").write_text(body.markdown(), encoding="utf-8")

    # Cut every overset story back by what did not fit, until nothing is overset.
    for _ in range(20):
        write_bodies()
        composed = build(path).composed
        over = {f.story: f.overset_words for f in composed.overset}
        if not over:
            return path
        for aid, lost in over.items():
            body = bodies[aid]
            have = body.words()
            body.limit = have - lost - 2
            if body.limit < 30:
                raise RuntimeError(f"synthetic issue: story {aid} cannot be cut to fit "
                                   f"({lost} of {have} words overset)")
    raise RuntimeError("synthetic issue: copy still overset after 20 rounds of cutting")


def page_fill(composed) -> list[float]:
    """For each page, the share of its column space (from the top of the text area to the
    row above the folio) that lies above the lowest item in each column, averaged over
    the columns: 1.0 means every column is filled to the foot."""
    from layout.frames import ImageItem, TextItem

    out = []
    for page in composed.pages:
        top = page.area.top
        foot = page.area.bottom - 2 * page.grid  # folio row and its row of air
        lows = [top] * len(page.columns)
        for it in page.items:
            if isinstance(it, TextItem) and it.role == "folio":
                continue
            if isinstance(it, TextItem | ImageItem):
                x0 = it.x0 if isinstance(it, TextItem) else it.x
                x1 = it.x1 if isinstance(it, TextItem) else it.x + it.width
                bottom = it.bottom
                for c, (cx, cw) in enumerate(page.columns):
                    if x0 < cx + cw - 1 and x1 > cx + 1:
                        lows[c] = max(lows[c], bottom)
        out.append(sum(min(1.0, (lo - top) / (foot - top)) for lo in lows) / len(lows))
    return out
