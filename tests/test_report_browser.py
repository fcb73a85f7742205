"""The demo suite as a stakeholder opens it: every report in headless Chromium at 1280 x 800, no network.

The suite (notebooks/suite.yml, what `make report` runs) is run once for the module, every report of it; only the
airline feedback report reads a random sample of 3,000 of its 14,640 tweets (its `sample` parameter: the same
report, minutes faster). Each report must open with its summary in the first screen, fit the page (an element
wider than the page must sit in its own scroll box), log no console error, request nothing but itself, sort and
filter its tables, and keep its content with JavaScript off.
"""

from __future__ import annotations

import json
import os
import struct

import pytest
import yaml

from cxlib.report import run_suite, write_screenshots
from cxlib.report._browser import Chromium, chromium_path
from cxlib.report._suite import read_suite

from .conftest import ROOT

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 1280, 800
SAMPLED = {"feedback_airline": 3000}  # report name -> tweets sampled (the full report takes ~7 min alone)

# What the page shows: the summary's place, tables, images, and every element that sticks out of the page with
# no scroll box of its own around it.
PROBE = """JSON.stringify((() => {
  const width = document.documentElement.clientWidth;
  const summary = document.querySelector('#summary');
  const tiles = summary && summary.querySelector('.cx-tiles');
  const box = e => e ? e.getBoundingClientRect() : null;
  const outside = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.right <= width + 1) continue;
    let held = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      if ((overflow === 'auto' || overflow === 'scroll') && p.getBoundingClientRect().right <= width + 1) {
        held = true; break;
      }
    }
    if (!held) outside.push(el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40) + ' right=' + Math.round(r.right));
  }
  return {
    summaryTop: summary ? box(summary).top : null,
    tilesBottom: tiles ? box(tiles).bottom : null,
    tiles: tiles ? tiles.children.length : 0,
    summaryText: summary ? summary.innerText : '',
    pageWidth: document.documentElement.scrollWidth, width: width,
    outside: outside.slice(0, 10),
    tables: document.querySelectorAll('table.cx-table').length,
    rows: document.querySelectorAll('table.cx-table tbody tr').length,
    sortable: document.querySelectorAll('table.cx-table th button.cx-sort').length,
    headers: document.querySelectorAll('table.cx-table thead th').length,
    filters: document.querySelectorAll('.cx-filter input').length,
    long: Array.from(document.querySelectorAll('table.cx-table')).filter(t => t.tBodies[0] && t.tBodies[0].rows.length > 5).length,
    images: Array.from(document.querySelectorAll('img')).map(i => i.getAttribute('alt') || ''),
    header: Array.from(document.querySelectorAll('header.cx-nav a')).map(a => a.getAttribute('href')),
    toc: Array.from(document.querySelectorAll('nav.cx-toc a')).map(a => a.getAttribute('href')),
    anchors: Array.from(document.querySelectorAll('nav.cx-toc a')).every(a => document.getElementById(a.getAttribute('href').slice(1))),
    appendixOpen: Array.from(document.querySelectorAll('details.cx-appendix')).map(d => d.open),
    text: document.body.innerText.length,
    js: document.documentElement.classList.contains('cx-js'),
  };
})())"""

# Sort a table by a numeric column twice (ascending, then descending) and filter it by a word of its second row.
INTERACT = """JSON.stringify((() => {
  const tables = Array.from(document.querySelectorAll('table.cx-table')).filter(t => t.tHead && t.tBodies[0]);
  const numbers = (t, i) => Array.from(t.tBodies[0].rows).map(r => r.cells[i] && r.cells[i].getAttribute('data-v'))
    .filter(v => v !== null && v !== '').map(Number);
  let sorted = null;
  for (const t of tables) {
    const heads = t.tHead.rows[t.tHead.rows.length - 1].cells;
    for (let i = 0; i < heads.length && !sorted; i++) {
      const before = numbers(t, i);
      if (before.length < 3 || new Set(before).size < 2) continue;
      heads[i].querySelector('button').click();
      const up = numbers(t, i);
      heads[i].querySelector('button').click();
      const down = numbers(t, i);
      sorted = {ascending: up.every((v, k) => k === 0 || up[k - 1] <= v),
                descending: down.every((v, k) => k === 0 || down[k - 1] >= v),
                aria: heads[i].getAttribute('aria-sort'), n: up.length};
    }
    if (sorted) break;
  }
  let filtered = null;
  const long = tables.find(t => t.tBodies[0].rows.length > 5 && t.closest('.cx-table-block'));
  if (long) {
    const input = long.closest('.cx-table-block').querySelector('.cx-filter input');
    const rows = Array.from(long.tBodies[0].rows);
    const word = rows[1].cells[0].textContent.trim().split(/\\s+/)[0].toLowerCase();
    input.value = word;
    input.dispatchEvent(new Event('input'));
    const shown = rows.filter(r => !r.hidden);
    filtered = {word: word, total: rows.length, shown: shown.length,
                match: shown.every(r => r.textContent.toLowerCase().includes(word)),
                count: long.closest('.cx-table-block').querySelector('.cx-count').textContent};
    input.value = '';
    input.dispatchEvent(new Event('input'));
    filtered.restored = rows.every(r => !r.hidden);
  }
  let zoomed = null;
  const figure = document.querySelector('figure.cx-zoom');
  if (figure) {
    const image = figure.querySelector('img'), view = figure.querySelector('.cx-zoom-view');
    const buttons = figure.querySelectorAll('.cx-zoom-bar button');
    const fit = image.getBoundingClientRect().width;
    buttons[1].click(); buttons[1].click();
    const large = image.getBoundingClientRect().width;
    const scrolls = view.scrollWidth > view.clientWidth;
    buttons[2].click();
    zoomed = {fit: fit, large: large, scrolls: scrolls, back: image.getBoundingClientRect().width,
              viewRight: view.getBoundingClientRect().right, page: document.documentElement.clientWidth};
  }
  return {sorted: sorted, filtered: filtered, zoomed: zoomed};
})())"""


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    if chromium_path() is None:
        pytest.skip("chromium is not installed (make test installs the Debian package 'chromium')")
    outdir = tmp_path_factory.mktemp("demo-suite")
    title, entries = read_suite(ROOT / "notebooks" / "suite.yml", expand=False)
    for entry in entries:
        if entry.get("name") in SAMPLED:
            entry["overrides"] = {**(entry.get("overrides") or {}), "sample": SAMPLED[entry["name"]]}
    suite_file = outdir.parent / "suite.yml"
    suite_file.write_text(yaml.safe_dump({"title": title, "reports": entries}), encoding="utf-8")
    old = os.getcwd()
    os.chdir(ROOT)  # the suite's paths are relative to the repository root
    try:
        results = run_suite(suite_file, outdir=outdir, progress=False)
    finally:
        os.chdir(old)
    return outdir, results


@pytest.fixture(scope="module")
def pages(suite):
    """Every report opened twice in one browser: with JavaScript (probed, then sorted and filtered) and without."""
    _, results = suite
    seen = {}
    with Chromium(width=WIDTH, height=HEIGHT) as browser:
        for result in results:
            if result.status != "ok":
                continue
            tab = browser.open(result.html)
            state = json.loads(tab.evaluate(PROBE))
            state["interact"] = json.loads(tab.evaluate(INTERACT))
            state["errors"] = tab.errors()
            state["requests"] = tab.requests()
            state["page"] = result.html.resolve().as_uri()
            tab.close()
            tab = browser.open(result.html, javascript=False)
            state["nojs"] = json.loads(tab.evaluate(PROBE))
            state["nojs_errors"] = tab.errors()
            tab.close()
            seen[result.name] = state
    return seen


def test_every_report_of_the_demo_suite_runs(suite):
    outdir, results = suite
    assert len(results) >= 5
    assert [r.name for r in results if r.status != "ok"] == [], [r.error for r in results if r.status != "ok"]
    assert (outdir / "index.html").exists()


def test_the_summary_is_in_the_first_screen(pages):
    for name, page in pages.items():
        assert page["summaryTop"] is not None, f"{name}: no summary"
        assert 0 <= page["summaryTop"] < HEIGHT / 2, f"{name}: the summary starts at {page['summaryTop']:.0f} px"
        assert page["tiles"] >= 1 and page["tilesBottom"] <= HEIGHT, f"{name}: the headline tiles end below the screen"
        assert "What to do next" in page["summaryText"], f"{name}: the summary says nothing about what to do next"


def test_nothing_is_wider_than_the_page_without_its_own_scroll(pages):
    for name, page in pages.items():
        for state in (page, page["nojs"]):
            assert state["pageWidth"] <= state["width"], f"{name}: the page scrolls sideways ({state['pageWidth']} px)"
            assert state["outside"] == [], f"{name}: cut off at the right edge: {state['outside']}"


def test_no_console_errors_and_no_request_leaves_the_file(pages):
    for name, page in pages.items():
        assert page["errors"] == [] and page["nojs_errors"] == [], f"{name}: {page['errors'] + page['nojs_errors']}"
        assert page["requests"] and page["requests"][0] == page["page"], name
        assert [u for u in page["requests"] if not u.startswith("data:")] == [page["page"]], \
            f"{name} asked for {page['requests']}"


def test_tables_sort_and_filter(pages):
    filtered_somewhere = False
    for name, page in pages.items():
        assert page["tables"] >= 1 and page["js"], name
        assert page["sortable"] == page["headers"], f"{name}: headers without a sort button"
        assert page["filters"] == page["long"], f"{name}: tables of more than 5 rows without a filter"
        sorted_, filtered = page["interact"]["sorted"], page["interact"]["filtered"]
        assert sorted_ is not None, f"{name}: no table with a numeric column to sort"
        assert sorted_["ascending"] and sorted_["descending"] and sorted_["aria"] == "descending", (name, sorted_)
        if filtered is not None:
            filtered_somewhere = True
            assert filtered["match"] and 1 <= filtered["shown"] <= filtered["total"], (name, filtered)
            assert filtered["count"].startswith(f"{filtered['shown']} of {filtered['total']}"), (name, filtered)
            assert filtered["restored"], name
    assert filtered_somewhere


def test_process_maps_zoom_inside_the_page(pages):
    zoomed = {name: page["interact"]["zoomed"] for name, page in pages.items() if page["interact"]["zoomed"]}
    assert any(name.startswith("journeys") for name in zoomed), "the journeys report has no zoomable map"
    for name, zoom in zoomed.items():
        assert zoom["large"] > 2 * zoom["fit"] and zoom["scrolls"], (name, zoom)  # zoomed in, panned by scrolling
        assert abs(zoom["back"] - zoom["fit"]) < 1 and zoom["viewRight"] <= zoom["page"], (name, zoom)


def test_with_javascript_off_the_content_is_still_there(pages):
    for name, page in pages.items():
        off = page["nojs"]
        assert not off["js"] and off["filters"] == 0 and off["sortable"] == 0, name  # the script did not run
        assert off["summaryTop"] is not None and off["summaryTop"] < HEIGHT / 2, name
        assert (off["tables"], off["rows"], len(off["images"])) == (page["tables"], page["rows"], len(page["images"]))
        assert off["text"] >= 0.9 * page["text"], f"{name}: {off['text']} characters without the script, " \
                                                  f"{page['text']} with it"


def test_navigation_charts_and_appendix(suite, pages):
    names = {r.name for r in suite[1] if r.html is not None}  # a failed report has its page too: it says so
    for name, page in pages.items():
        assert "index.html" in page["header"], f"{name}: no link to the index"
        linked = {h[:-5] for h in page["header"] if h.endswith(".html")} - {"index"}
        assert linked and linked <= names, f"{name}: the header links {linked - names}"
        assert len(page["toc"]) >= 3 and page["anchors"], f"{name}: table of contents {page['toc']}"
        assert page["appendixOpen"] == [False], f"{name}: the appendix is not one folded section"
        for alt in page["images"]:
            assert alt and "without a description" not in alt and "No description" not in alt, (name, alt)
    owner_reports = [n for n in pages if "__" in n]
    for name in owner_reports:
        assert f"{name.split('__')[0]}.html" in pages[name]["header"], f"{name}: no link to its dashboard"
        others = [o for o in owner_reports if o != name and f"{o}.html" in pages[name]["header"]]
        assert not others, f"{name}: an owner report links other owners' reports {others}"


def test_screenshots_of_the_first_screen(suite):
    outdir, results = suite
    written = write_screenshots(outdir, names=[r.name for r in results if r.status == "ok"][:2])
    for png in written:
        head = png.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == (WIDTH, HEIGHT)
