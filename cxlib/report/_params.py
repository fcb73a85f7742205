"""Notebook parameters: what a notebook's ``parameters`` cell declares, and a check of a run's values.

The cell tagged ``parameters`` is the notebook's declaration: each assignment is a parameter, its value the
default (its type the expected type), the trailing comment its help text. A comment may declare a range with
``in (a, b]`` / ``in [a, b]`` / ``in [a, inf)``; a comment that mentions ``None`` (or ``null``) lets the
parameter be null. :func:`check_parameters` runs before papermill, so a misspelt name or a wrong value fails
at once, naming the file, the parameter, the value and what was expected.
"""

from __future__ import annotations

import ast
import io
import json
import math
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import CxInputError
from ..io import read_yaml
from ..io.schema import suggest

__all__ = ["RUNNER_PARAMETERS", "ParameterSpec", "check_parameters", "notebook_parameters"]

#: Parameters ``cx run`` sets itself; always allowed (``cx_*`` too).
RUNNER_PARAMETERS = frozenset({"interactive", "report_title"})

_NUMBER = r"[-+]?(?:inf|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
_RANGE = re.compile(rf"\bin\s*([\[(])\s*({_NUMBER})\s*,\s*({_NUMBER})\s*([\])])")
_NULL_WORD = re.compile(r"\b(?:None|null)\b")
_NO_DEFAULT = object()
_KINDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text", list: "a list",
          dict: "a mapping (key: value)"}


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter declared in a notebook's ``parameters`` cell.

    Attributes
    ----------
    name : str
        The variable name.
    default : object
        The default value (``ast.literal_eval`` of the assignment; :attr:`literal` is False when it is not a
        literal, e.g. a function call).
    type : type or None
        Expected type, inferred from the default: ``bool``, ``int``, ``float``, ``str``, ``list`` or ``dict``;
        None (anything) for a None or non-literal default.
    help : str
        The trailing comment.
    nullable : bool
        Null is accepted: the default is None, or the comment mentions ``None`` / ``null``.
    low, high : float or None
        The declared range (``in (low, high]`` in the comment), if any.
    low_closed, high_closed : bool
        Whether ``low`` / ``high`` themselves are allowed.
    line : int
        Line of the assignment in the cell (1-based).
    literal : bool
        Whether the default is a literal.
    """

    name: str
    default: Any
    type: type | None
    help: str = ""
    nullable: bool = False
    low: float | None = None
    high: float | None = None
    low_closed: bool = True
    high_closed: bool = True
    line: int = 0
    literal: bool = True

    @property
    def range_text(self) -> str:
        """The declared range as written, e.g. ``(0, 1]``; empty when there is none."""
        if self.low is None:
            return ""
        return (f"{'[' if self.low_closed else '('}{_fmt(self.low)}, {_fmt(self.high)}"
                f"{']' if self.high_closed else ')'}")

    @property
    def expected(self) -> str:
        """What a value must be, in words (``a number in (0, 1]``, ``text or null``)."""
        kind = "anything" if self.type is None else _KINDS.get(self.type, self.type.__name__)
        if self.type is float:
            kind = "a number (whole or decimal)"
        if self.range_text:
            kind = ("a whole number" if self.type is int else "a number") + f" in {self.range_text}"
        if self.nullable and self.type is not None:
            kind += " or null"
        return kind

    def problem(self, value) -> str | None:
        """Why ``value`` does not fit, or None when it does."""
        if value is None:
            allowed = self.nullable or (self.type is None and not self.range_text)
            return None if allowed else "null is not allowed"
        fits = {
            None: lambda v: True,
            bool: lambda v: isinstance(v, bool),
            int: lambda v: isinstance(v, int) and not isinstance(v, bool),
            float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            str: lambda v: isinstance(v, str),
            list: lambda v: isinstance(v, (list, tuple)),
            dict: lambda v: isinstance(v, dict),
        }.get(self.type, lambda v: isinstance(v, self.type))
        if not fits(value):
            return "the type does not fit"
        if self.range_text and isinstance(value, (int, float)) and not isinstance(value, bool):
            above = value > self.low if not self.low_closed else value >= self.low
            below = value < self.high if not self.high_closed else value <= self.high
            if not (above and below) or (isinstance(value, float) and math.isnan(value)):
                return "out of range"
        return None


def _shown(value) -> str:
    """A value as YAML spells it (null, true), shortened."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fmt(x: float) -> str:
    return "inf" if x == math.inf else "-inf" if x == -math.inf else f"{x:g}"


def _cell_source(notebook: Path) -> str | None:
    """The source of the cell tagged ``parameters`` (None when there is none)."""
    if notebook.suffix == ".py" and notebook.with_suffix(".ipynb").is_file():
        notebook = notebook.with_suffix(".ipynb")
    if not notebook.is_file():
        raise CxInputError("the notebook does not exist.", path=notebook)
    text = notebook.read_text(encoding="utf-8")
    if notebook.suffix == ".py":  # a jupytext py:percent notebook without its .ipynb
        lines, cell, found = text.splitlines(), [], False
        for line in lines:
            if line.startswith("# %%"):
                if found:
                    break
                found = bool(re.search(r"tags\s*=\s*\[[^\]]*[\"']parameters[\"']", line))
                continue
            if found:
                cell.append(line)
        return "\n".join(cell) if found else None
    try:
        nb = json.loads(text)
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError):
        raise CxInputError("the notebook is not valid notebook JSON (.ipynb).", path=notebook) from None
    for cell in cells:
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else str(source)
    return None


def notebook_parameters(notebook) -> dict[str, ParameterSpec]:
    """The parameters a notebook declares in its cell tagged ``parameters``.

    Each top-level assignment ``name = value  # help`` is a parameter: the default is the value (when it is a
    literal), the type is inferred from it, the trailing comment is the help text. A range in the comment
    (``in (0, 1]``, ``in [1, inf)``) is checked by :func:`check_parameters`; a comment that mentions ``None``
    or ``null`` allows null. IPython magics (``%...``, ``!...``) are skipped.

    Parameters
    ----------
    notebook : str or Path
        The ``.ipynb`` (a paired jupytext ``.py`` is accepted: its ``.ipynb`` is read when it exists).

    Returns
    -------
    dict of str to ParameterSpec
        In the order of the cell; empty when the notebook has no ``parameters`` cell.

    Raises
    ------
    cxlib.CxInputError
        The notebook does not exist, is not notebook JSON, or its parameters cell is not valid Python.

    Examples
    --------
    >>> specs = notebook_parameters("notebooks/01_journeys.ipynb")
    >>> specs["top_activities"].type.__name__, specs["top_activities"].default
    ('int', 10)
    >>> specs["log_file"].help
    'relative to the repository root'
    """
    notebook = Path(notebook)
    source = _cell_source(notebook)
    if source is None:
        return {}
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    source = "\n".join(lines) + "\n"
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise CxInputError(f"the parameters cell is not valid Python (line {exc.lineno}: {exc.msg}).",
                           path=notebook) from None
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - ast.parse accepted it
        pass
    specs: dict[str, ParameterSpec] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if not names:
            continue
        try:
            default, literal = ast.literal_eval(value), True
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            default, literal = _NO_DEFAULT, False
        help_text = comments.get(stmt.end_lineno or stmt.lineno) or comments.get(stmt.lineno, "")
        kind = None
        if literal and default is not None:
            kind = {tuple: list, set: list, frozenset: list}.get(type(default), type(default))
        rng = _RANGE.search(help_text)
        extra = {}
        if rng:
            extra = {"low": float(rng.group(2)), "high": float(rng.group(3)),
                     "low_closed": rng.group(1) == "[", "high_closed": rng.group(4) == "]"}
        for name in names:
            specs[name] = ParameterSpec(
                name=name, default=None if default is _NO_DEFAULT else default, type=kind, help=help_text,
                nullable=default is None or bool(_NULL_WORD.search(help_text)), line=stmt.lineno,
                literal=literal, **extra)
    return specs


def _yaml_value(value) -> str:
    """A value as one line of YAML (what ``-p NAME VALUE`` and a parameter file take)."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False)
    return text.strip().removesuffix("...").strip()


def parameters_listing(notebook) -> str:
    """Every parameter of a notebook as a commented YAML parameter file: what ``cx params NOTEBOOK`` prints.

    Each parameter comes with its help comment (and the expected value when the comment does not say it) above
    ``name: default``. ``interactive`` is listed commented out: ``cx run`` sets it to false. The text is a
    valid parameter file: save it, change what you need, and pass it with ``cx run NOTEBOOK -f FILE``.

    Examples
    --------
    >>> text = parameters_listing("notebooks/01_journeys.ipynb")
    >>> "log_file: data/helpdesk.xes.gz" in text and "# interactive: true" in text
    True
    """
    notebook = Path(notebook)
    specs = notebook_parameters(notebook)
    if not specs:
        return f"# {notebook} has no cell tagged 'parameters': it takes no parameters.\n"
    lines = [f"# Parameters of {notebook}: set one with -p NAME VALUE (VALUE is YAML), or save this",
             f"# listing as a file, change it, and run: cx run {notebook} -f FILE", ""]
    for spec in specs.values():
        help_text = spec.help
        if spec.type not in (None, str) and spec.name not in RUNNER_PARAMETERS and (
                not help_text or (spec.range_text and spec.range_text not in help_text)):
            help_text = f"{help_text}; {spec.expected}" if help_text else spec.expected
        if help_text:
            lines.append(f"# {help_text}")
        value = _yaml_value(spec.default) if spec.literal else "(computed in the notebook)"
        if spec.name in RUNNER_PARAMETERS:
            lines.append(f"# {spec.name}: {value}    (cx run sets it to false: static tables, no widgets)")
        else:
            lines.append(f"{spec.name}: {value}")
    return "\n".join(lines) + "\n"


def _file_keys(params_file) -> dict:
    if not params_file:
        return {}
    try:
        loaded = read_yaml(params_file, what="parameter file")
    except CxInputError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def check_parameters(notebook, params: dict, *, params_file=None) -> None:
    """Check run parameters against what the notebook declares, before it runs.

    A name must be a parameter of the notebook (``interactive``, ``report_title`` and names starting with
    ``cx_`` are set by the runner and always allowed). A value must fit the type of the default: a float
    default takes whole and decimal numbers, an int default whole numbers, a bool default true/false, a str
    default text, a list or dict default a list or mapping; a None default takes anything; null is allowed
    when the default is None or the help comment mentions None. A range declared in the comment
    (``in (0, 1]``) is checked too.

    Parameters
    ----------
    notebook : str or Path
        The notebook (``.ipynb``, or its paired ``.py``).
    params : dict
        The parameters of the run (the file's, with ``-p`` overrides applied).
    params_file : str or Path, optional
        The parameter file, named in the message (values not in it are named as given with ``-p``).

    Raises
    ------
    cxlib.CxInputError
        Naming the file (or ``-p``), the parameter, the value and what was expected; for an unknown name, the
        closest parameter (``did you mean 'top_variants'?``). Every problem is listed.

    Examples
    --------
    >>> check_parameters("notebooks/01_journeys.ipynb", {"top_activities": 8, "top_paths": 0.9})
    >>> check_parameters("notebooks/01_journeys.ipynb",
    ...                  {"top_variant": 5})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    cxlib._errors.CxInputError: parameter 'top_variant' (given with -p) is not a parameter of ...
    """
    notebook = Path(notebook)
    specs = notebook_parameters(notebook)
    in_file = _file_keys(params_file)
    problems, names, from_file = [], [], False
    for name, value in params.items():
        name = str(name)
        if name not in specs and (name in RUNNER_PARAMETERS or name.startswith("cx_")):
            continue
        file_given = bool(params_file) and name in in_file and in_file[name] == value
        where = "" if file_given else " (given with -p)"
        if name not in specs:
            known = ", ".join(specs) or "none"
            names.append(name)
            from_file = from_file or file_given
            problems.append(f"parameter {name!r}{where} is not a parameter of {notebook.name}"
                            f"{suggest(name, specs) or ''}; its parameters: {known}")
            continue
        spec = specs[name]
        why = spec.problem(value)
        if why is None:
            continue
        names.append(name)
        from_file = from_file or file_given
        help_text = f" ({spec.help})" if spec.help else ""
        shown = _shown(value)
        if why == "out of range":
            problems.append(f"parameter {name!r} = {shown}{where} is out of range: expected {spec.expected}"
                            f"{help_text}")
        else:
            default = ""
            if spec.literal and spec.default is not None:
                default = f", like its default {_shown(spec.default)}"
            problems.append(f"parameter {name!r} = {shown}{where} does not fit {notebook.name}: expected "
                            f"{spec.expected}{default}{help_text}")
    if problems:
        text = problems[0] + ("" if len(problems) == 1 else "; also " + "; ".join(problems[1:]))
        raise CxInputError(text + ".", path=params_file if from_file else None, column=names[0])
