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
and every overset story is cut back by the words that did not fit, until nothing is
overset (three or so layout passes: a few seconds for 16 pages). The result depends only
on `pages`, `seed` and the layout engine, so it is the same on every run of the same code,
and it follows the engine: copy set tighter or looser still fills the pages exactly.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import yaml
from photos import photo
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["make_issue", "page_fill", "PHOTOS"]

# -- vocabulary -----------------------------------------------------------------------------
# Word lists are whitespace-separated strings; lists whose entries hold spaces use "|".
# Everyday words carry most of the copy, so that a line holds about as many words as real
# news copy does (5-6 in a column); one noun, adjective or verb in ten or so is a long one
# that the hyphenator has to break.


def _bar(text: str) -> list[str]:
    return [x.strip() for x in text.split("|")]


DETS = "the the the the a a this that each its their our his her one no".split()
ADJS = """new old local public small large early late quiet busy bold cheap open wet dry rare full
    main last next first young poor rich safe hard slow fast low high long short best regional
    national private careful modest costly closed northern southern coastal rural urban steady
    sudden well-known long-term""".split()
LONG_ADJS = """unprecedented extraordinary controversial comprehensive environmental international
    constitutional intergovernmental disproportionate experimental agricultural archaeological
    straightforward uncompromising cross-border so-called high-speed""".split()
NOUNS = """council harbour bridge school market budget river station museum hospital library
    railway village factory festival garden ferry court report study survey plan vote tax road
    tunnel team season match crowd price wage rent storm flood winter summer engine week year day
    town city port farm mill shop club job law deal bill case fund site plant line bus car house
    land sea coast wall dam lake park board panel mayor group union firm bank police judge crew
    staff pupils voters""".split()
LONG_NOUNS = """infrastructure administration responsibilities telecommunications reconstruction
    representatives neighbourhoods accountability transportation biodiversity electrification
    municipalities manufacturers recommendations consultation investigation implementation
    circumstances archaeologists hydroelectricity refurbishment apprenticeships semiconductors
    photovoltaics reservoir laboratory committee programme turbine orchard""".split()
VERBS = """opened closed approved rejected delayed announced measured cut expanded reduced rebuilt
    reviewed funded welcomed studied won doubled restored replaced published backed sold bought
    built lost found made left took gave kept met saw told asked said raised moved hit led ran
    set paid held sent drew""".split()
LONG_VERBS = """questioned challenged criticised supported examined underestimated reconsidered
    commissioned overhauled strengthened decommissioned redistributed misunderstood
    characterised institutionalised""".split()
AUX = _bar(
    "has | had | has | had | has now | had already | was said to have | may have | would have"
    " | has not yet | could have"
)
PREPS = """in in of of on at for to by with from near over under after before during without
    across despite towards""".split()
ADVS = """quietly quickly finally already reluctantly unexpectedly formally eventually
    provisionally simultaneously comparatively nevertheless""".split()
TIMES = _bar(
    "on Monday | on Tuesday | last week | last year | this month | in March | at dawn | by noon"
    " | so far | for now | in the end | at the time | since then | in 2019"
)
CONJS = _bar("and | and | but | while | as | because | so | yet | though | and then")
UNITS = """households tonnes kilometres visitors euros passengers hectares megawatts signatures
    jobs homes seats trees pupils""".split()
FIRST = """Amara Henrik Helena José Ingrid Wenjing Tomasz Priya Kwame Sadia Paulo Mireille
    Oluwaseun Ruairí Astrid Dmitri Yusuf Elena""".split()
LAST = _bar(
    "Nwosu | Lundqvist | Marsh | Ortega | Müller | Chen | Kowalczyk | Raghunathan | Mensah"
    " | Rahimova | Antunes | Delacroix | Adeyemi | Ó Súilleabháin | Bergström | Volkov | Demir"
    " | Castellanos"
)
ROLES = _bar(
    "the council's chief engineer | a spokeswoman for the ministry | the harbour master"
    " | a local shopkeeper | the committee's chair | an independent economist"
    " | a historian at the University of Westmoor | the union's regional secretary"
    " | a resident of Eastbrook | the opposition's transport spokesman"
)
PLACES = _bar(
    "Westmoor | Eastbrook | Kingsferry | Qinglan | Port Avery | Halvorsen | Lindqvist Bay"
    " | Marrowdale | St Oswin's | Fennick Cross"
)
ORGS = _bar(
    "the Coastal Infrastructure Council | the Open Methods Trust | the Regional Assembly"
    " | the Kestrel News Agency | the Harbour Board | the Westmoor Institute"
)
SUBHEADS = _bar(
    "Questions downstream | Tighter tolerances | A long winter | What happens next"
    " | Counting the cost | Old quarrels | The view from the harbour | Second thoughts"
    " | A matter of trust | Lessons from abroad | By the numbers | Still waiting"
)
SECTIONS = """News Region Nation World Business Science Opinion Culture Sport Weather Letters
    Features Environment Education Health Transport""".split()
BANNERS = _bar("Election special | The great flood | Harbour in crisis | Budget day | Cup final | Year in review")

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
    if rng.random() < 0.45:
        adj = rng.choice(LONG_ADJS if rng.random() < 0.1 else ADJS)
        if rng.random() < 0.07:
            adj = f"*{adj}*"
        elif rng.random() < 0.05:
            adj = f"**{adj}**"
        out.append(adj)
    out.append(rng.choice(LONG_NOUNS if rng.random() < 0.08 else NOUNS))
    if rng.random() < 0.2:
        out += [rng.choice(PREPS), rng.choice(PLACES)]
    elif rng.random() < 0.15:
        out += ["of", rng.choice(DETS), rng.choice(NOUNS)]
    return out


def _clause(rng: random.Random) -> list[str]:
    out = _noun_phrase(rng)
    if rng.random() < 0.3:
        out += rng.choice(AUX).split()
    if rng.random() < 0.12:
        out.append(rng.choice(ADVS))
    out.append(rng.choice(LONG_VERBS if rng.random() < 0.08 else VERBS))
    out += _noun_phrase(rng)
    if rng.random() < 0.5:
        out.append(rng.choice(PREPS))
        out += _noun_phrase(rng)
    if rng.random() < 0.3:
        out += rng.choice(TIMES).split()
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
    """A body as paragraphs of sentences, cut to at most `limit` words."""

    paras: list[tuple[str, list[str]]]  # (kind: "para" | "subhead", sentences)
    limit: int = 0

    def markdown(self) -> str:
        out: list[str] = []
        n = 0
        for kind, ss in self.paras:
            if kind == "subhead":
                out.append(f"### {ss[0]}")
                continue
            keep = []
            cut = False
            for s in ss:
                w = s.split()
                if n + len(w) > self.limit:
                    cut = True
                    room = self.limit - n
                    # A plain sentence may be cut short (it stays well formed); one with a
                    # quotation or a parenthesis is dropped whole.
                    if room >= 4 and "\u201c" not in s and "(" not in s:
                        keep.append(" ".join(w[:room]).rstrip(",;:\u2014 ") + ".")
                        n += room
                    break
                keep.append(s)
                n += len(w)
            if keep:
                out.append(" ".join(keep))
            if cut:
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
    """Subject, verb, object: as many words as a headline of that width usually has."""
    lo, hi = {1: (3, 5), 2: (4, 7), 3: (5, 8)}.get(cols, (6, 10))
    for _ in range(50):
        words = _noun_phrase(rng) + [rng.choice(VERBS + LONG_VERBS)] + _noun_phrase(rng)
        if rng.random() < 0.4:
            words += [rng.choice(PREPS), rng.choice(PLACES)]
        if lo <= len(words) <= hi:
            break
    text = " ".join(w.replace("*", "") for w in words)
    return text[0].upper() + text[1:]


def _pull_quote(rng: random.Random, art: _Article) -> str:
    cands = [
        s
        for k, ss in art.paras[:6]
        if k == "para"
        for s in ss
        if 8 <= len(s.split()) <= 20 and "\u201c" not in s and "*" not in s
    ]
    if not cands:
        return " ".join(_clause(rng)).capitalize() + "."
    return rng.choice(cands)


# -- photos ---------------------------------------------------------------------------------


def _photo(
    path: Path, size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int], rng: random.Random
) -> None:
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

# Page templates: (columns, role, words) per story in manifest order, and the width of the
# lead's photo in columns. The "lead" carries the photo and a pull quote; a "fill" story
# reaches the foot of the page and is written too long (words per column), then cut to fit;
# a "mid" story sits above another story and keeps the length it is written with.
TEMPLATES = [
    ([("1-5", "lead", (450, 600)), ("1-3", "fill", 650), ("4-5", "fill", 650)], 3),
    ([("1-3", "lead", (420, 540)), ("4-5", "fill", 650), ("1-3", "fill", 650)], 2),
    ([("1-5", "lead", (300, 380)), ("1-2", "fill", 650), ("3-5", "mid", (140, 200)), ("3-5", "fill", 650)], 2),
    ([("3-5", "lead", (420, 540)), ("1-2", "fill", 650), ("3-5", "fill", 650)], 3),
    ([("1-5", "lead", (300, 380)), ("1-3", "mid", (140, 200)), ("4-5", "fill", 650), ("1-3", "fill", 650)], 2),
]


MIN_WORDS = 80  # fewer than this left for a fill story: shorten the story above it instead
MAX_ROUNDS = 12


def _span(cols: str) -> int:
    a, _, b = cols.partition("-")
    return int(b or a) - int(a) + 1


def make_issue(folder: Path, pages: int = 16, seed: int = 7, own_photos: tuple[int, int] | None = None) -> Path:
    """Write a synthetic issue into `folder`; return the path of its issue.yaml.

    With `own_photos` (a pixel size), every story carries its own photo-like JPEG of that
    size, a deck and a pull quote, as news pages do (the benchmarks of scale); otherwise
    the lead stories share five small drawings.
    Raises RuntimeError if the copy cannot be cut to fit (which would be a layout bug)."""
    from layout.pipeline import build

    folder = Path(folder)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for name, size, top, bottom in [] if own_photos else PHOTOS:
        _photo(folder / "photos" / name, size, top, bottom, random.Random(f"{seed}:{name}"))

    banner_pages = {p for p in range(2, pages + 1) if rng.random() < 0.25} or {min(3, pages)}
    manifest_pages = []
    articles: dict[str, dict] = {}
    bodies: dict[str, _Article] = {}
    above: dict[str, str] = {}  # story -> the story placed just above it on its page
    fills: set[str] = set()  # stories that reach the foot of their page
    for pn in range(1, pages + 1):
        # Own photos: three stories a page (the four-story templates have no room for four photos).
        templates = [t for t in TEMPLATES if len(t[0]) == 3] if own_photos else TEMPLATES
        tpl, photo_cols = templates[(pn - 1) % len(templates)]
        pdef: dict = {"section": "Front" if pn == 1 else SECTIONS[(pn - 2) % len(SECTIONS)]}
        if pn == 1:
            pdef["masthead"] = True
        if pn in banner_pages:
            pdef["banner"] = rng.choice(BANNERS)
        stories = []
        spans: list[tuple[str, range]] = []
        for k, (cols, role, size) in enumerate(tpl):
            aid = f"p{pn:02d}-{k + 1}"
            arng = random.Random(f"{seed}:{aid}")
            span = _span(cols)
            if role == "fill":
                # Written to twice the length it starts with, to grow into if it fits at once.
                body = _article(arng, 2 * size * span)
                body.limit = size * span
                fills.add(aid)
            else:
                body = _article(arng, arng.randint(*size))
            bodies[aid] = body
            art: dict = {
                "headline": _headline(arng, span),
            }
            if role == "lead" or own_photos:
                art["deck"] = _headline(arng, 3) + " as " + " ".join(_noun_phrase(arng)).replace("*", "")
            art["byline"] = f"By {_name(arng)}" if arng.random() < 0.8 else "By Staff Reporters"
            art["body"] = f"articles/{aid}.md"
            if role == "lead" or own_photos:
                if own_photos:
                    pfile = f"{aid}.jpg"
                    photo(folder / "photos" / pfile, own_photos, random.Random(f"{seed}:{aid}:photo"))
                else:
                    pfile, *_ = PHOTOS[(pn - 1) % len(PHOTOS)]
                art["photos"] = [
                    {
                        "file": f"photos/{pfile}",
                        "caption": _sentence(arng).replace("*", ""),
                        "credit": arng.choice(ORGS).removeprefix("the ") if arng.random() < 0.5 else _name(arng),
                        "columns": (photo_cols + 1 if own_photos else photo_cols) if role == "lead" else span,
                    }
                ]
                art["pull_quotes"] = [
                    {
                        "text": _pull_quote(arng, body).rstrip(".").replace("*", ""),
                        "attribution": f"{_name(arng)}, {arng.choice(ROLES)}",
                    }
                ]
            if arng.random() < 0.25:
                art["source"] = f"{arng.choice(ORGS).removeprefix('the ')}; {arng.choice(PLACES)} records office"
            articles[aid] = art
            stories.append({"article": aid, "columns": cols})
            a, _, b = cols.partition("-")
            colset = range(int(a), int(b or a) + 1)
            for other, oset in reversed(spans):
                if set(colset) & set(oset):
                    above[aid] = other
                    break
            spans.append((aid, colset))
        pdef["stories"] = stories
        manifest_pages.append(pdef)

    manifest = {
        "publication": "The Benchmark Times",
        "date": dt.date(2026, 12, 1),
        "number": 1,
        "page": {
            "size": "broadsheet" if own_photos else "tabloid",  # room for a photo a story
            "margins": {"top": "14mm", "bottom": "16mm", "inside": "13mm", "outside": "11mm"},
            "columns": 5,
            "gutter": "4mm",
        },
        "pages": manifest_pages,
        "articles": articles,
    }
    path = folder / "issue.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")

    def write_bodies() -> None:
        for aid, body in bodies.items():
            (folder / "articles" / f"{aid}.md").write_text(body.markdown(), encoding="utf-8")

    # Cut every overset story back by what did not fit, until nothing is overset. A story
    # left with almost no room (a banner, a tall lead) instead shortens the story above it.
    # A fill story that fits at its first length (an engine that sets copy tighter) is let
    # grow to its whole text once, so that it still reaches the foot of the page.
    unfilled = set(fills)
    for _ in range(MAX_ROUNDS):
        write_bodies()
        composed = build(path).composed
        over = {f.story: f.overset_words for f in composed.overset}
        unfilled -= set(over)
        if not over and not unfilled:
            return path
        for aid in unfilled:
            bodies[aid].limit = 10**9
        unfilled.clear()
        for aid, lost in over.items():
            body = bodies[aid]
            fit = body.words() - lost
            if fit >= MIN_WORDS:
                body.limit = fit - 2
                continue
            donor = above.get(aid)
            if donor is None or bodies[donor].words() * 0.7 < MIN_WORDS:
                raise RuntimeError(
                    f"synthetic issue: story {aid} cannot be cut to fit ({lost} words overset, {max(fit, 0)} set)"
                )
            bodies[donor].limit = int(bodies[donor].words() * 0.7)
    raise RuntimeError(f"synthetic issue: copy still overset after {MAX_ROUNDS} rounds of cutting")


def page_fill(composed) -> list[float]:
    """For each page, the share of its column space (from the top of the text area to the
    row above the folio) that lies above the lowest item in each column, averaged over
    the columns: 1.0 means every column is filled to the foot."""
    from layout.page.frames import ImageItem, TextItem

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
