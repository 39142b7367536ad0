"""The same issue as a Typst document, to time Typst on the same content.

    from typst_issue import write_typst
    typ = write_typst(issue_folder)        # writes ISSUE/issue.typ; returns its path

Reads the manifest and the Markdown bodies with `layout`'s own loader and parser, and writes a
Typst source: the same page size, margins, five columns and gutter, the same fonts, body text
justified and hyphenated at the same size and leading with a first-line indent, and per story its
headline (a lead story's across the page, sized as `layout` sizes it), deck, byline, its photo
with caption and credit, pull quote, subheads, emphasis, source line, and a page break where the
manifest starts a new page. Typst flows each page's stories through its columns in order rather than
in `layout`'s column ranges, so the placement differs (and long pages may run onto an extra page);
the text, photos and typographic work are the same.
"""

from __future__ import annotations

from pathlib import Path

from layout.manifest.load import load_issue
from layout.text import markdown

FONT_DIRS = [Path(__file__).resolve().parent.parent / "fonts"]


def _s(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _runs(runs: list[markdown.Run]) -> str:
    out = []
    for r in runs:
        lit = _s(r.text)
        if r.variant == "italic":
            out.append(f"#emph({lit})")
        elif r.variant == "bold":
            out.append(f"#strong({lit})")
        elif r.variant == "bold_italic":
            out.append(f"#strong(emph({lit}))")
        else:
            out.append(f"#{lit}")
    return "".join(out)


HEAD = (Path(__file__).resolve().parent / "typst_head.typ").read_text(encoding="utf-8")


def write_typst(folder: Path) -> Path:
    """Write `folder/issue.typ` for the issue in `folder`; return its path."""
    li = load_issue(folder)
    iss = li.issue
    spec = iss.page
    w, h = spec.size
    m = spec.margins
    head = HEAD.format(
        w=w, h=h, cols=spec.columns, mt=m.top, mb=m.bottom, mi=m.inside, mo=m.outside,
        gutter=spec.gutter, pub=_s(iss.publication),
    )  # fmt: skip
    out = [head]
    sizes = {1: 17, 2: 22, 3: 28, 4: 34, 5: 40}
    for pi, page in enumerate(iss.pages):
        if pi:
            out.append("#pagebreak()")
        top = []
        if page.masthead:
            top.append(f"#align(center, nameplate({_s(iss.publication)}))")
        if page.banner:
            top.append(f"#banner({_s(page.banner)})")
        for si, st in enumerate(page.stories):
            art = iss.articles[st.article]
            c0, c1 = st.columns or (1, spec.columns)
            span = c1 - c0 + 1
            header = [f"#hl({sizes.get(span, 40) if si == 0 else 17}pt, {_s(art.headline)})"]
            if art.deck:
                header.append(f"#deck({_s(art.deck)})")
            if art.byline:
                header.append(f"#byline({_s(art.byline)})")
            photos = []
            for ph in art.photos:
                cap = ph.caption + (f" (PHOTO: {ph.credit.upper()})" if ph.credit else "")
                pw = f"{min(ph.columns, span) * 100 // spec.columns}%" if si == 0 else "100%"
                photos.append(f"#photo({_s(ph.file)}, {pw}, {_s(cap)})")
            if si == 0 and span > 1:
                # A lead story's header and photo across the page, above the columns.
                block = "\n".join(top + header + photos)
                out.append(f'#place(top, scope: "parent", float: true, clearance: 10pt)[\n{block}\n]')
                top = []
            else:
                out.extend(header + photos)
            for q in art.pull_quotes:
                out.append(f"#quote({_s(q.text)}, {_s(chr(0x2014) + ' ' + (q.attribution or ''))})")
            for b in markdown.parse(li.bodies[st.article]):
                out.append((f"#subhead({_s(b.text)})" if b.kind == "subhead" else _runs(b.runs)) + "\n")
            if art.source:
                out.append(f'#text(font: "Source Sans 3", size: 7.8pt, [*Source:* #{_s(art.source)}])')
        out.extend(top)
    path = folder / "issue.typ"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def compile_typst(typ: Path, out: Path) -> None:
    import typst

    typst.compile(str(typ), output=str(out), root=str(typ.parent), font_paths=[str(d) for d in FONT_DIRS])
