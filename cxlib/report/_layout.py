"""The layout of a report page: the header linking the other reports, the summary first, a table of contents,
the sections, and a folded appendix (load reports, run manifest) at the end.

Notebooks mark cells with tags: ``summary`` (its output opens the report, right under the title) and
``appendix`` (moved, with the run manifest, into a folded ``<details>`` at the end). Everything here works on
the executed notebook before the HTML export and on the exported page; the markup it adds is built from escaped
text only.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path

from ..display import describe_svg

__all__ = ["arrange_cells", "contents", "nav_html"]

_TEMPLATE = Path(__file__).parent / "templates" / "cx"
_TOC_MARK = "<!-- cx:toc -->"
_BOLD_LEAD = re.compile(r"^\*\*(?P<title>[^*\n]{2,80}?)\.\*\*[ \t]*|^\*\*(?P<title2>[^*\n]{2,80}?)\*\*\.[ \t]*")
_H2 = re.compile(r'<h2 id="(?P<id>[^"]+)">(?P<text>.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.DOTALL)

#: Notebook stem prefixes and the kind of report they make, in the order the header lists them.
KINDS = (("01_", "Journeys"), ("02_", "Voice of the customer"), ("03_", "Scores"), ("04_", "Dashboards"))


def static_files() -> dict:
    """The report's own style and script, inlined once per page."""
    return {"cx_css": (_TEMPLATE / "cx.css").read_text(encoding="utf-8"),
            "cx_js": (_TEMPLATE / "cx.js").read_text(encoding="utf-8")}


def _tags(cell) -> list:
    return list(cell.get("metadata", {}).get("tags", []))


def _markup_cell(source: str):
    """A raw cell the cx template writes as it is (built here from escaped text only)."""
    import nbformat

    cell = nbformat.v4.new_raw_cell(source)
    cell.metadata["cx_markup"] = True
    return cell


def _is_parameters(cell) -> bool:
    return bool({"parameters", "injected-parameters"} & set(_tags(cell)))


def _drop_empty_sections(cells: list) -> list:
    """A markdown cell (not the title) whose code cells up to the next markdown cell all show nothing (e.g. the
    owner links in an owner report) introduces nothing: it is left out."""
    keep = []
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown" and i > 0 and not cell.source.lstrip().startswith("# "):
            following = []
            for nxt in cells[i + 1:]:
                if nxt.cell_type == "markdown":
                    break
                if nxt.cell_type == "code" and not _is_parameters(nxt):
                    following.append(nxt)
            if following and not any(c.get("outputs") for c in following):
                continue
        keep.append(cell)
    return keep


def _headings(cells: list) -> list:
    """``**Process map.** Boxes are ...`` opens a section: it becomes the heading ``## Process map``."""
    for cell in cells:
        if cell.cell_type != "markdown":
            continue
        match = _BOLD_LEAD.match(cell.source)
        if match:
            title = match.group("title") or match.group("title2")
            rest = cell.source[match.end():].lstrip()
            cell.source = f"## {title}\n\n{rest}" if rest else f"## {title}"
    return cells


def _svg_alt_texts(cells: list) -> None:
    """Diagrams shown as SVG without a description get one from their boxes and arrows."""
    for cell in cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if "image/svg+xml" not in data:
                continue
            meta = out.setdefault("metadata", {}).setdefault("image/svg+xml", {})
            if not meta.get("alt"):
                svg = data["image/svg+xml"]
                if isinstance(svg, list):
                    svg = "".join(svg)
                what = "Process map" if re.search(r"start|▶", svg) else "Diagram"
                meta["alt"] = describe_svg(svg, what=what)


def arrange_cells(nb, *, manifest: str = ""):
    """The executed notebook in report order: title, summary, contents, sections, folded appendix.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook (stderr, widgets and scripts already stripped).
    manifest : str
        The run manifest's HTML, put into the appendix.

    Returns
    -------
    nbformat.NotebookNode
        A rearranged copy.
    """
    nb = copy.deepcopy(nb)
    cells = _headings(_drop_empty_sections(list(nb.cells)))
    _svg_alt_texts(cells)
    title, rest = [], cells
    if cells and cells[0].cell_type == "markdown":
        first = cells[0]
        lines = first.source.lstrip().split("\n", 1)
        if lines[0].startswith("# ") and len(lines) > 1 and lines[1].strip():
            head = copy.deepcopy(first)
            head.source = lines[0]
            intro = copy.deepcopy(first)
            intro.source = lines[1].strip()
            if "id" in intro:
                intro["id"] = f"{intro['id']}-intro"
            title, rest = [head], [intro, *cells[1:]]
        else:
            title, rest = [first], cells[1:]
    summary = [c for c in rest if "summary" in _tags(c)]
    appendix = [c for c in rest if "appendix" in _tags(c)]
    body = [c for c in rest if "summary" not in _tags(c) and "appendix" not in _tags(c)]
    tail = [_markup_cell('<details class="cx-appendix" id="appendix"><summary>Appendix: the data behind this '
                         "report (load reports, parameters, input files, versions)</summary>"),
            *appendix, *([_markup_cell(manifest)] if manifest else []), _markup_cell("</details>")]
    nb.cells = [*title, *summary, _markup_cell(_TOC_MARK), *body, *tail]
    return nb


def contents(body: str) -> str:
    """The exported page with its table of contents (every section heading, linked by its anchor)."""
    main, sep, _ = body.partition('<details class="cx-appendix"')
    entries = []
    for match in _H2.finditer(main):
        text = re.sub(r"<[^>]+>", "", match.group("text")).strip()
        if not text or 'class="cx-summary-title"' in match.group(0):
            continue
        entries.append(f'<li><a href="#{html.escape(match.group("id"), quote=True)}">{text}</a></li>')
    if sep:
        entries.append('<li><a href="#appendix">Appendix: the data behind this report</a></li>')
    toc = (f'<nav class="cx-toc" aria-label="Contents"><h2>Contents</h2><ol>{"".join(entries)}</ol></nav>'
           if entries else "")
    return body.replace(_TOC_MARK, toc, 1)


def _short(title: str, kind: str) -> str:
    """"Journeys: help-desk tickets" -> "help-desk tickets" under the kind's label."""
    for prefix in (f"{kind}:", "CX dashboard:", "Voice of the customer:", "Journeys:", "Scores:"):
        if title.startswith(prefix):
            return title[len(prefix):].strip()
    return title


def nav_html(name: str, entries: list | None, outdir) -> str:
    """The header of a report: the index, the related reports by kind, and the owner reports of its dashboard.

    An owner report lists only itself among the owner reports: it goes to one owner, who sees no other owner's
    name or report from it.

    Parameters
    ----------
    name : str
        This report's name (file stem).
    entries : list of dict, optional
        The suite's entries (``name``, ``notebook``, ``title``, ``overrides``); without them (a single
        ``cx run``) the header links the index and the dashboard overview when they exist in ``outdir``.
    outdir : Path
        The report folder.

    Returns
    -------
    str
        Escaped HTML (``<header class="cx-nav">``).
    """
    esc = html.escape
    outdir = Path(outdir)

    def link(target: str, label: str) -> str:
        if target == name:
            return f'<span aria-current="page">{esc(label)}</span>'
        return f'<a href="{esc(target, quote=True)}.html">{esc(label)}</a>'

    groups = ['<span class="cx-nav-group"><a href="index.html">All reports</a></span>']
    if entries is None:
        entries = []
        base = name.split("__", 1)[0]
        if base != name and (outdir / f"{base}.html").exists():
            groups.append(f'<span class="cx-nav-group"><span class="cx-nav-label">Dashboard:</span>'
                          f"{link(base, base)}</span>")
        return f'<header class="cx-nav" aria-label="Reports">{"".join(groups)}</header>'
    own_base = name.split("__", 1)[0]
    for prefix, kind in KINDS:
        items = []
        for entry in entries:
            stem = Path(str(entry.get("notebook", ""))).stem
            entry_name = entry.get("name") or stem + (f"__{Path(entry['params']).stem}" if entry.get("params") else "")
            if not stem.startswith(prefix) or (entry.get("overrides") or {}).get("owner"):
                continue
            items.append(link(entry_name, _short(str(entry.get("title") or entry_name), kind)))
        if items:
            groups.append(f'<span class="cx-nav-group"><span class="cx-nav-label">{esc(kind)}:</span>'
                          f'{"".join(items)}</span>')
    owners = [e for e in entries if (e.get("overrides") or {}).get("owner")
              and str(e.get("name", "")).split("__", 1)[0] == own_base]
    if any(e["name"] == name for e in owners):  # an owner report names no other owner: it is sent to one
        owners = [e for e in owners if e["name"] == name]
    if owners:
        items = "".join(link(e["name"], str(e["overrides"]["owner"])) for e in owners)
        groups.append(f'<span class="cx-nav-group"><span class="cx-nav-label">Owner reports:</span>{items}</span>')
    return f'<header class="cx-nav" aria-label="Reports">{"".join(groups)}</header>'
