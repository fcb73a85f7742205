"""The one YAML loader (cxlib.io.read_yaml / load_yaml_text): safe data only, limits checked first.

No timers: each hostile document must end in a CxInputError. Without the limits the alias bombs load (as
shared references that blow up in whatever walks them next: pydantic, json, papermill) and the deep nestings
raise RecursionError from PyYAML's recursive composer, so every test here fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cxlib import CxInputError
from cxlib.io import (
    YAML_MAX_ALIASES,
    YAML_MAX_BYTES,
    YAML_MAX_DEPTH,
    YAML_MAX_NODES,
    load_yaml_text,
    read_yaml,
)

ROOT = Path(__file__).resolve().parent.parent


def _refused(text, *, what="test file") -> str:
    with pytest.raises(CxInputError) as err:
        load_yaml_text(text, what=what)
    return str(err.value)


# ---------------------------------------------------------------- alias bombs

def test_billion_laughs_is_refused_by_the_alias_count():
    lol = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
    message = _refused(lol)
    assert f"more than {YAML_MAX_ALIASES} aliases" in message and "alias bomb" in message


def test_doubling_bomb_under_the_alias_count_is_refused_by_its_expanded_size():
    # 24 levels x 2 aliases = 48 aliases (under the limit) but 2**25 values once expanded
    bomb = "a0: &a0 [x, x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 25))
    assert bomb.count("*") < YAML_MAX_ALIASES
    message = _refused(bomb)
    assert f"more than {YAML_MAX_NODES:,} values once its aliases are expanded" in message


def test_a_few_aliases_and_merge_keys_still_work():
    doc = load_yaml_text("base: &b {top: 5, seed: 0}\nrun: {<<: *b, top: 7}\nagain: *b\n")
    assert doc == {"base": {"top": 5, "seed": 0}, "run": {"top": 7, "seed": 0},
                   "again": {"top": 5, "seed": 0}}


def test_recursive_alias_is_refused():
    assert "recursive" in _refused("a: &a [1, *a]\n")


# ---------------------------------------------------------------- nesting depth

@pytest.mark.parametrize("text", [
    "[" * 20_000 + "]" * 20_000,                        # flow sequences
    "{a: " * 20_000 + "1" + "}" * 20_000,               # flow mappings
    "- " * 20_000 + "x\n",                              # block sequences, one line
    "".join(" " * i + "k:\n" for i in range(400)) + " " * 400 + "x\n",  # block mappings
], ids=["flow-list", "flow-map", "block-list", "block-map"])
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(text):
    message = _refused(text)
    assert f"nests deeper than {YAML_MAX_DEPTH} levels" in message


def test_nesting_up_to_the_limit_loads():
    doc = load_yaml_text("[" * YAML_MAX_DEPTH + "x" + "]" * YAML_MAX_DEPTH)
    for _ in range(YAML_MAX_DEPTH - 1):
        doc = doc[0]
    assert doc == ["x"]
    assert "nests deeper" in _refused("[" * (YAML_MAX_DEPTH + 1) + "x" + "]" * (YAML_MAX_DEPTH + 1))


def test_depth_through_aliases_is_counted():
    deep = "[" * 40 + "x" + "]" * 40
    text = f"a: &a {deep}\nb: " + "[" * 20 + "*a" + "]" * 20 + "\n"
    assert "once its aliases are expanded" in _refused(text)


# ---------------------------------------------------------------- duplicate keys

def test_duplicate_key_names_the_key_and_both_lines(tmp_path):
    path = tmp_path / "params.yml"
    path.write_text("title: A\ntop: 5\nseed: 0\ntop: 7\n", encoding="utf-8")
    with pytest.raises(CxInputError) as err:
        read_yaml(path, what="parameter file")
    message = str(err.value)
    assert str(path) in message and "parameter file" in message
    assert "the key 'top' appears twice" in message and "line 2 and line 4" in message


def test_duplicate_keys_nested_and_in_flow_style():
    assert "'Order'" in _refused("targets:\n  nps:\n    Order: {target: 0}\n    Order: {target: 5}\n")
    assert "'a' appears twice" in _refused("{a: 1, b: 2, a: 3}")
    assert "appears twice" in _refused("true: 1\nyes: 2\n")  # both are the boolean true


def test_same_key_in_different_mappings_is_fine():
    assert load_yaml_text("- {name: A}\n- {name: B}\n") == [{"name": "A"}, {"name": "B"}]


# ---------------------------------------------------------------- size, syntax, encoding, tags

def test_file_size_limit(tmp_path):
    path = tmp_path / "big.yml"
    path.write_bytes(b"# " + b"x" * YAML_MAX_BYTES + b"\na: 1\n")
    with pytest.raises(CxInputError) as err:
        read_yaml(path, what="suite file")
    assert str(path) in str(err.value) and f"{YAML_MAX_BYTES:,} bytes" in str(err.value)
    assert "larger than" in _refused("a: " + "x" * YAML_MAX_BYTES)


def test_syntax_error_names_line_and_column(tmp_path):
    path = tmp_path / "design.yml"
    path.write_text("name: x\nstages: [a, b\nother: 1\n", encoding="utf-8")
    with pytest.raises(CxInputError) as err:
        read_yaml(path, what="design file")
    message = str(err.value)
    assert str(path) in message and "design file is not valid YAML at line 3, column" in message
    assert "line 2" in message  # where the unclosed list started
    assert "line 2, column 1" in _refused("a:\n\tb: 1\n")  # a tab cannot indent
    assert "line 2" in _refused("a: 1\n---\nb: 2\n")  # one document only


def test_non_utf8_file_is_named(tmp_path):
    path = tmp_path / "latin1.yml"
    path.write_bytes("title: Dashboard\nowner: Caf\xe9 team\n".encode("latin-1"))
    with pytest.raises(CxInputError) as err:
        read_yaml(path, what="touchpoint model")
    message = str(err.value)
    assert str(path) in message and "not UTF-8" in message and "line 2" in message and "0xe9" in message


def test_control_characters_and_python_tags_are_refused():
    assert "line 2" in _refused("a: 1\nb: \x07\n")
    message = _refused("a: !!python/object/apply:os.system ['echo hi']\n")
    assert "could not determine a constructor" in message


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(CxInputError, match="targets file not found"):
        read_yaml(tmp_path / "nope.yml", what="targets file")
    with pytest.raises(CxInputError, match="folder"):
        read_yaml(tmp_path, what="targets file")


def test_load_yaml_text_names_the_path():
    with pytest.raises(CxInputError) as err:
        load_yaml_text("a: b: c\n", path="x/params.yml", what="parameter file")
    assert str(err.value).startswith("x/params.yml: parameter file is not valid YAML at line 1, column 5")
    assert load_yaml_text("") is None and load_yaml_text("# only a comment\n") is None


def test_every_shipped_yaml_file_loads_as_before():
    files = sorted(ROOT.glob("notebooks/**/*.yml"))
    assert len(files) >= 15
    for path in files:
        assert read_yaml(path) == yaml.safe_load(path.read_text(encoding="utf-8")), path
