"""Declared schemas of the YAML documents (designs, touchpoint models, targets, measure configs, suites).

Each error is one CxInputError naming the file, the key path, what was found and what was expected; unknown
keys come with the closest known key. Names are data: a stage called ``<script>`` is accepted and drawn as
written by the real Graphviz ``dot``.
"""

from __future__ import annotations

import html
import re
import shutil

import pytest
import yaml

import cxlib.journeys as cj
from cxlib import CxInputError
from cxlib import owners as co
from cxlib.report import owner_entries
from cxlib.report._suite import read_suite
from cxlib.scores import read_measure_config, read_targets

from .conftest import ROOT, make_log


def _error(func, path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CxInputError) as err:
        func(path)
    message = str(err.value)
    assert message.startswith(f"{path}: "), message  # the file is named
    return message


# ---------------------------------------------------------------- designs

DESIGN = """name: Test
stages:
  - {name: Start, activities: [a]}
  - {name: Work, activities: [b, c]}
  - {name: End, activities: 5}
"""


def test_design_wrong_type_names_key_path_found_and_expected(tmp_path):
    message = _error(cj.read_design, tmp_path / "d.yml", DESIGN)
    assert "stages[2].activities" in message
    assert "a non-empty list of activity names" in message and "got 5 (a number)" in message


@pytest.mark.parametrize("change, expected", [
    (("activities: [a]}", "activites: [a]}"),
     "stages[0] has unknown key(s) ['activites'] (did you mean 'activities'?)"),
    (("stages:", "stage:"),
     "unknown key(s) ['stage'] (did you mean 'stages'?)"),
    (("activities: [b, c]}", "activities: [b, c], optional: 'yes'}"),
     "stages[1].optional must be true or false"),
    (("activities: [b, c]}", "activities: [b, c], target_hours: '24'}"),
     "stages[1].target_hours must be a positive number of hours (or null), got '24' (text)"),
    (("activities: [b, c]}", "activities: [b, c], target_hours: 0}"),
     "stages[1].target_hours must be a positive"),
    (("{name: Work, activities: [b, c]}", "Work"),
     "stages[1] must be a mapping with the keys name, activities"),
    (("activities: [b, c]}", "activities: [b, a]}"),
     "activity 'a' is in stage 'Start' and in 'Work'"),
    (("name: Work", "name: Start"),
     "stage names must be unique; 'Start'"),
    (("  - {name: End, activities: 5}\n", "  - {name: End, activities: [d]}\nname: Again\n"),
     "the key 'name' appears twice in one mapping (line 1 and line 6)"),
])
def test_design_errors(tmp_path, change, expected):
    old, new = change
    assert old in DESIGN
    text = DESIGN.replace(old, new, 1).replace("activities: 5", "activities: [d]")
    assert expected in _error(cj.read_design, tmp_path / "d.yml", text)


def test_design_top_level_must_be_a_mapping(tmp_path):
    message = _error(cj.read_design, tmp_path / "d.yml", "- a\n- b\n")
    assert ("the design file must be a mapping with the keys name, description, stages, got ['a', 'b']"
            in message)


def test_design_names_are_data_and_numbers_are_names():
    d = cj.design_from_dict({"name": 2024, "stages": [
        {"name": "<script>alert(1)</script>", "activities": "a"}, {"name": 7, "activities": [1, "b"]}]})
    assert d.name == "2024" and d.stages[0].name == "<script>alert(1)</script>"
    assert d.stages[0].activities == ("a",) and d.stages[1] == cj.Stage("7", ("1", "b"))


def test_shipped_designs_load():
    for path in sorted((ROOT / "notebooks" / "designs").glob("*.yml")):
        design = cj.read_design(path)
        assert design.stages and design.path == str(path)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_hostile_stage_names_are_drawn_as_written_by_dot():
    names = ["<script>alert(1)</script>", 'say "hi"', "back\\", "a\\lb {x|y}", "<b>", "R&D", "\\N"]
    design = {"name": "<i>hostile</i>",
              "stages": [{"name": n, "activities": [f"t{i}"]} for i, n in enumerate(names)]}
    rows = [(f"c{c}", f"t{i}", f"2024-01-01 {i:02d}:00") for c in range(2) for i in range(len(names))]
    rows.append(("c2", "outside <tp>\\", "2024-01-01 00:00"))
    log = make_log(rows)
    stages = cj.design_stages(log, cj.design_from_dict(design))
    svg = cj.draw_design(stages, title='Title <b>"x"</b> \\').pipe(format="svg").decode()  # real dot
    assert "<script" not in svg and "<b>" not in svg  # nothing reaches the SVG as markup
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg)]
    for name in names:
        assert name in texts, name
    assert 'Title <b>"x"</b> \\' in texts
    assert any(t.startswith("outside <tp>\\") for t in texts)


# ---------------------------------------------------------------- touchpoint models

MODEL = """project: shop
touchpoints:
  - name: Ordering
    owner: Sales
    activities: [Order]
    measures: [{measure: nps, target: 5}]
    seed_words: [order]
  - name: Delivery
    owner: Logistics
    activities: [Deliver]
    measures:
      - {measure: nps, target: 0, tolerance: 10}
"""


@pytest.mark.parametrize("change, expected", [
    (("activities: [Order]", "activities: 5"),
     "touchpoints[0].activities must be a list of event-log activities, got 5 (a number)"),
    (("seed_words: [order]", "seed_word: [order]"),
     "touchpoints[0] has unknown key(s) ['seed_word'] (did you mean 'seed_words'?)"),
    (("touchpoints:", "touchpoint:"),
     "unknown key(s) ['touchpoint'] (did you mean 'touchpoints'?)"),
    (("tolerance: 10}", "tolerence: 10}"),
     "touchpoints[1].measures[0] has unknown key(s) ['tolerence'] (did you mean 'tolerance'?)"),
    (("measure: nps, target: 0", "measure: nsp, target: 0"),
     "touchpoints[1].measures[0].measure is 'nsp'; expected one of"),
    (("tolerance: 10}", "tolerance: -1}"),
     "touchpoints[1].measures[0].tolerance must be a number of at least 0, got -1"),
    (("target: 0,", "target: high,"),
     "touchpoints[1].measures[0].target must be a number, got 'high' (text)"),
    (("measures: [{measure: nps, target: 5}]", "measures: nps"),
     "touchpoints[0].measures must be a list of measures"),
    (("    owner: Logistics\n", "    owner: Logistics\n    owner: Care\n"),
     "the key 'owner' appears twice in one mapping (line 9 and line 10)"),
])
def test_model_errors(tmp_path, change, expected):
    old, new = change
    assert old in MODEL
    assert expected in _error(co.read_touchpoint_model, tmp_path / "model.yml", MODEL.replace(old, new, 1))


def test_model_unknown_measure_is_suggested(tmp_path):
    message = _error(co.read_touchpoint_model, tmp_path / "m.yml", MODEL.replace("measure: nps, target: 5",
                                                                                 "measure: csta, target: 5"))
    assert "did you mean 'csat'?" in message


def test_shipped_models_load():
    for path in sorted((ROOT / "notebooks" / "touchpoints").glob("*.yml")):
        model = co.read_touchpoint_model(path)
        assert model.touchpoints and all(tp.owner for tp in model.touchpoints)


# ---------------------------------------------------------------- targets and measure configs

TARGETS = """min_n: 30
targets:
  nps:
    "*": {target: -20, tolerance: 10}
    Order: {target: 0, tolerance: 5, min_n: 50}
"""


@pytest.mark.parametrize("change, expected", [
    (("target: 0,", "target: high,"),
     "targets.nps.Order.target must be a number (the target, on the measure's own scale), got 'high' (text)"),
    (("tolerance: 5,", "tolerence: 5,"),
     "targets.nps.Order has unknown key(s) ['tolerence'] (did you mean 'tolerance'?)"),
    (("{target: -20, tolerance: 10}", "{tolerance: 10}"),
     "targets.nps['*'] needs the key 'target'"),
    (("min_n: 30", "min_n: many"),
     "min_n must be a whole number of at least 0, got 'many' (text)"),
    (("targets:", "target:"),
     "unknown key(s) ['target'] (did you mean 'targets'?)"),
    (("  nps:\n", "  nps: 5\n  csat:\n"),
     "targets.nps must be a mapping"),
    (("    Order: {target: 0, tolerance: 5, min_n: 50}\n",
      "    Order: {target: 0, tolerance: 5, min_n: 50}\n    Order: {target: 1}\n"),
     "the key 'Order' appears twice in one mapping (line 5 and line 6)"),
])
def test_targets_errors(tmp_path, change, expected):
    old, new = change
    assert old in TARGETS
    assert expected in _error(read_targets, tmp_path / "t.yml", TARGETS.replace(old, new, 1))


def test_targets_read_as_before(tmp_path):
    path = tmp_path / "t.yml"
    path.write_text(TARGETS, encoding="utf-8")
    assert read_targets(path).to_dict("records") == [
        {"measure": "nps", "touchpoint": "*", "target": -20.0, "tolerance": 10.0, "min_n": 30},
        {"measure": "nps", "touchpoint": "Order", "target": 0.0, "tolerance": 5.0, "min_n": 50}]
    for path in sorted((ROOT / "notebooks" / "targets").glob("*_demo.yml")):
        if "measures" not in path.name:
            assert len(read_targets(path))


def test_measure_config_errors(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text("measures:\n  csat: {kind: csat, scale: [1, 5], stats: mean}\n", encoding="utf-8")
    with pytest.raises(CxInputError,
                       match=r"measures\.csat.*unknown keys \['stats'\] \(did you mean 'stat'\?\)"):
        read_measure_config(path)
    path.write_text("measures:\n  csat: {kind: csat, scale: [1, 5], stat: median}\n", encoding="utf-8")
    with pytest.raises(CxInputError, match=r"measures\.csat\.stat must be 'top2box' or 'mean', got 'median'"):
        read_measure_config(path)
    path.write_text("measures:\n  nps: {kind: nsp}\n", encoding="utf-8")
    with pytest.raises(CxInputError, match="did you mean 'nps'"):
        read_measure_config(path)
    path.write_text("measure:\n  nps: {kind: nps}\n", encoding="utf-8")
    with pytest.raises(CxInputError):
        read_measure_config(path)
    assert read_measure_config(ROOT / "notebooks" / "targets" / "measures_demo.yml")["ces"]["scale"] == [1, 7]


# ---------------------------------------------------------------- suites

SUITE = """title: Demo
reports:
  - notebook: notebooks/01_journeys.ipynb
    params: notebooks/params/journeys_helpdesk.yml
    name: journeys
  - notebook: notebooks/03_scores.ipynb
    params: notebooks/params/scores_airline.yml
    overrides: {n_boot: 200}
"""


@pytest.mark.parametrize("change, expected", [
    (("    params: notebooks/params/journeys_helpdesk.yml\n",
      "    param: notebooks/params/journeys_helpdesk.yml\n"),
     "reports[0] has unknown key(s) ['param'] (did you mean 'params'?)"),
    (("  - notebook: notebooks/03_scores.ipynb\n", "  - notebok: notebooks/03_scores.ipynb\n"),
     "reports[1] has unknown key(s) ['notebok'] (did you mean 'notebook'?)"),
    (("overrides: {n_boot: 200}", "overrides: [n_boot, 200]"),
     "reports[1].overrides must be a mapping of parameter names to values, got ['n_boot', 200] (a list)"),
    (("overrides: {n_boot: 200}", "per_owner: yes please"),
     "reports[1].per_owner must be true or false"),
    (("overrides: {n_boot: 200}", "per_owner: true\n  - {notebook: x.ipynb, per_owner: true}"),
     "reports[2] has 'per_owner: true' but no 'params:'"),
    (("reports:", "report:"),
     "unknown key(s) ['report'] (did you mean 'reports'?)"),
    (("title: Demo\n", "title: Demo\ntitle: Again\n"),
     "the key 'title' appears twice"),
])
def test_suite_errors(tmp_path, change, expected):
    old, new = change
    assert old in SUITE
    assert expected in _error(read_suite, tmp_path / "suite.yml", SUITE.replace(old, new, 1))


def test_suite_entries_as_written(tmp_path):
    path = tmp_path / "suite.yml"
    path.write_text(SUITE, encoding="utf-8")
    title, entries = read_suite(path)
    assert title == "Demo" and entries == yaml.safe_load(SUITE)["reports"]
    path.write_text("- {notebook: a.ipynb}\n", encoding="utf-8")  # a bare list is the list of reports
    assert read_suite(path) == ("cx-workbench reports", [{"notebook": "a.ipynb"}])


def test_shipped_suite_expands_per_owner_entries():
    raw = yaml.safe_load((ROOT / "notebooks" / "suite.yml").read_text(encoding="utf-8"))
    title, entries = read_suite(ROOT / "notebooks" / "suite.yml")
    assert title == raw["title"]
    plain = [e for e in raw["reports"] if not e.get("per_owner")]
    assert entries[: len(plain)] == plain
    expanded = [e for r in raw["reports"] if r.get("per_owner") for e in owner_entries(r["params"])]
    assert entries[len(plain):] == expanded
    _, unexpanded = read_suite(ROOT / "notebooks" / "suite.yml", expand=False)
    assert unexpanded == raw["reports"]
