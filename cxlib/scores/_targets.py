"""Targets (YAML) and traffic lights judged on the interval, not on the point estimate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import read_yaml
from ..io.schema import Doc, Name, Number, Text, validate_document
from ._validate import _require_column

__all__ = ["LIGHT_COLOURS", "read_targets", "traffic_lights"]

#: Colours of the lights in charts (colour-blind readers also get the label text in every cell).
LIGHT_COLOURS = {"green": "#2e7d32", "amber": "#f9a825", "red": "#c62828", "grey": "#bdbdbd",
                 "no target": "#ffffff"}
ANY = "*"


class TargetDoc(Doc):
    """Schema of one entry of a targets file: ``{target, tolerance, min_n}``."""

    target: Number = Field(description="a number (the target, on the measure's own scale)")
    tolerance: Number = Field(0.0, ge=0, description="a number of at least 0")
    min_n: Number | None = Field(None, ge=0, description="a whole number of at least 0")


class TargetsDoc(Doc):
    """Schema of a targets file (see :func:`read_targets`)."""

    min_n: Number = Field(30, ge=0, description="a whole number of at least 0")
    targets: dict[Name, dict[Name, TargetDoc]] = Field(
        min_length=1, description="a non-empty mapping {measure: {touchpoint: {target, tolerance}}}")
    description: Text = ""


def read_targets(path) -> pd.DataFrame:
    """Read a targets file: per measure and touchpoint a target and a tolerance, and a minimum n.

    The file looks like::

        min_n: 30                 # below this many responses: grey, "not enough responses"
        targets:
          nps:                    # measure name, as in the measure table's `measure` column
            "*": {target: -20, tolerance: 10}     # any touchpoint without its own entry
            Order: {target: 0, tolerance: 10, min_n: 50}

    Targets are on the measure's own scale (NPS points, top-2-box percent, mean on its scale).

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file.

    Returns
    -------
    pandas.DataFrame
        One row per entry with columns ``measure``, ``touchpoint`` (``"*"`` for the default),
        ``target``, ``tolerance`` and ``min_n``.

    Raises
    ------
    cxlib.CxInputError
        A missing or unsafe file, or a document that does not fit :class:`TargetsDoc`: the message names the
        key path (``targets.nps.Order.target``), what was found and what was expected.

    Examples
    --------
    >>> from cxlib.scores import read_targets
    >>> read_targets("notebooks/targets/airline_demo.yml")[["measure", "touchpoint"]].iloc[0].tolist()
    ['sentiment_index', '*']
    """
    path = Path(path)
    doc = validate_document(TargetsDoc, read_yaml(path, what="targets file"), path=path, what="targets file")
    rows = [{"measure": measure, "touchpoint": touchpoint, "target": entry.target,
             "tolerance": entry.tolerance, "min_n": int(doc.min_n if entry.min_n is None else entry.min_n)}
            for measure, entries in doc.targets.items() for touchpoint, entry in entries.items()]
    return pd.DataFrame(rows, columns=["measure", "touchpoint", "target", "tolerance", "min_n"])


@share_docs
def traffic_lights(table: pd.DataFrame, *, targets, touchpoint: str | None = "touchpoint",
                   rule: str = "interval") -> pd.DataFrame:
    """Give each row of a measure table a traffic light against its target.

    The rule (for measures where higher is better), with the row's interval [ci_low, ci_high]:

    - **grey** "not enough responses" when n < min_n;
    - **green** when ci_low >= target (even the pessimistic end meets the target);
    - **red** when ci_high < target - tolerance (even the optimistic end misses by more than the tolerance);
    - **amber** otherwise (close to target, or too uncertain to tell).

    For a measure where lower is better (e.g. an effort mean) the mirror rule applies: green when
    ci_high <= target, red when ci_low > target + tolerance. Rows whose measure/touchpoint has no entry
    (and no ``"*"`` default) get ``"no target"``. ``rule="point"`` applies the same thresholds to the point
    estimate alone; it exists only to show in a report how misleading that is for small groups.

    Parameters
    ----------
    table : pandas.DataFrame
        A measure table (:func:`nps`, :func:`csat`, :func:`trend`, ...) with ``measure``, ``n``, ``value``,
        ``ci_low``, ``ci_high`` and ``higher_is_better``; any other columns (segment, period) pass through.
    targets : pandas.DataFrame or path
        Output of :func:`read_targets`, or the YAML path.
    touchpoint : str or None, default "touchpoint"
        Column matched against the targets' touchpoint; None to use only the ``"*"`` entries.
    rule : {"interval", "point"}, default "interval"
        Judge the interval (the documented rule) or, for comparison only, the point estimate.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with added columns ``target``, ``tolerance``, ``min_n``, ``light``
        (``"green"``, ``"amber"``, ``"red"``, ``"grey"`` or ``"no target"``) and ``reason`` (one sentence).

    {example_tweets}
    >>> from cxlib.scores import sentiment_index, traffic_lights
    >>> si = sentiment_index(tweets, sentiment="airline_sentiment", by="airline")
    >>> lights = traffic_lights(si, targets="notebooks/targets/airline_demo.yml", touchpoint="airline")
    >>> lights["light"].tolist()
    ['red', 'green', 'green', 'red', 'amber', 'green']
    """
    if rule not in ("interval", "point"):
        raise CxInputError(f"rule must be 'interval' or 'point', got {rule!r}")
    if not isinstance(targets, pd.DataFrame):
        targets = read_targets(targets)
    for col in ("measure", "n", "value", "ci_low", "ci_high", "higher_is_better"):
        _require_column(table, col, "a measure-table column")
    if touchpoint is not None:
        _require_column(table, touchpoint, "the touchpoint")
    lookup = {(m, t): row for m, t, row in zip(targets["measure"], targets["touchpoint"],
                                               targets.to_dict("records"))}
    out = table.copy()
    found = []
    for m, t in zip(out["measure"], out[touchpoint] if touchpoint else [None] * len(out)):
        key = (str(m), str(t)) if t is not None and not pd.isna(t) else None
        found.append(lookup.get(key) or lookup.get((str(m), ANY)))
    out["target"] = [f["target"] if f else np.nan for f in found]
    out["tolerance"] = [f["tolerance"] if f else np.nan for f in found]
    out["min_n"] = [f["min_n"] if f else np.nan for f in found]
    lights, reasons = [], []
    for row, f in zip(out.to_dict("records"), found):
        lights.append(None)
        if f is None:
            lights[-1], why = "no target", "no target for this measure and touchpoint"
        elif row["n"] < max(f["min_n"], 1):
            lights[-1], why = "grey", f"not enough responses (n = {row['n']:,} < {f['min_n']:,})"
        else:
            lo, hi = (row["value"], row["value"]) if rule == "point" else (row["ci_low"], row["ci_high"])
            target, tol = f["target"], f["tolerance"]
            what = "estimate" if rule == "point" else "interval"
            if row["higher_is_better"]:
                if lo >= target:
                    lights[-1], why = "green", f"{what} low end {lo:.1f} >= target {target:g}"
                elif hi < target - tol:
                    lights[-1], why = "red", f"{what} high end {hi:.1f} < target - tolerance {target - tol:g}"
            else:
                if hi <= target:
                    lights[-1], why = "green", f"{what} high end {hi:.1f} <= target {target:g}"
                elif lo > target + tol:
                    lights[-1], why = "red", f"{what} low end {lo:.1f} > target + tolerance {target + tol:g}"
            if lights[-1] is None:
                lights[-1] = "amber"
                shown = f"{lo:.1f}" if rule == "point" else f"[{lo:.1f}, {hi:.1f}]"
                why = f"{what} {shown} neither clears target {target:g} nor misses it by more than {tol:g}"
        reasons.append(why)
    out["light"], out["reason"] = lights, reasons
    return out
