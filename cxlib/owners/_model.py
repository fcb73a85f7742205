"""The touchpoint model: one YAML file per project that ties touchpoints to activities, feedback and owners."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BeforeValidator, Field

from .._docstrings import share_docs
from .._errors import CxInputError
from ..io import read_yaml
from ..io.schema import Doc, Name, NameList, Number, Text, suggest, validate_document
from ..scores import read_targets

__all__ = [
    "MEASURES",
    "Touchpoint",
    "TouchpointModel",
    "read_touchpoint_model",
    "validate_touchpoint_model",
]

#: Measures a touchpoint can be judged on, with the direction that counts as better and the scale.
#: ``nps`` (-100..100) and ``csat`` (top-2-box %) come from a score column, ``sentiment_index``
#: ((pos - neg) / n x 100) from a sentiment column, ``negative_share`` (% negative feedback) from a sentiment
#: column, ``repeat_contact_rate`` (% of a touchpoint's cases with more than one contact there) from the
#: journey.
MEASURES = {
    "nps": {"higher_is_better": True, "source": "score"},
    "csat": {"higher_is_better": True, "source": "score"},
    "sentiment_index": {"higher_is_better": True, "source": "sentiment"},
    "negative_share": {"higher_is_better": False, "source": "sentiment"},
    "repeat_contact_rate": {"higher_is_better": False, "source": "journey"},
}



def _measure_entry(value):
    """A measure may be written as its bare name: ``measures: [nps]``."""
    return {"measure": value} if isinstance(value, str) else value


class MeasureDoc(Doc):
    """Schema of one measure of a touchpoint (``{measure, target, tolerance, min_n, scale}``)."""

    measure: Name = Field(description=f"the name of a measure: one of {', '.join(MEASURES)}")
    target: Number | None = Field(None, description="a number")
    tolerance: Number | None = Field(None, ge=0, description="a number of at least 0")
    min_n: Number | None = Field(None, ge=0, description="a whole number of at least 0")
    scale: Any = None


class TouchpointDoc(Doc):
    """Schema of one touchpoint of a touchpoint model."""

    name: Name = Field(description="text (the touchpoint's name)")
    owner: Name | None = Field(None, description="text (the person or department responsible)")
    activities: NameList | None = Field(None, description="a list of event-log activities")
    labels: NameList | None = Field(None, description="a list of feedback touchpoint labels")
    seed_words: NameList | None = Field(None, description="a list of seed words")
    measures: list[Annotated[MeasureDoc, BeforeValidator(_measure_entry)]] | None = Field(
        None, description="a list of measures, each a name or {measure, target, tolerance, min_n}")
    description: Text = ""


class TouchpointModelDoc(Doc):
    """Schema of a touchpoint model file (see :func:`read_touchpoint_model`)."""

    project: Name | None = Field(None, description="text (the project's name)")
    touchpoints: list[TouchpointDoc] = Field(
        min_length=1, description="a non-empty list of touchpoints, each with name and owner")
    owners: dict[Any, Any] | None = Field(None, description="a mapping of owner names to details")
    description: Text = ""
    targets: Name | None = Field(None, description="the path of a targets file (text)")


@dataclass(frozen=True)
class Touchpoint:
    """One touchpoint of the model (see :func:`read_touchpoint_model` for the YAML keys)."""

    name: str
    owner: str
    activities: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    seed_words: tuple[str, ...] = ()
    measures: tuple[dict, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class TouchpointModel:
    """A validated touchpoint model: the project name, its touchpoints and where it was read from."""

    project: str
    touchpoints: tuple[Touchpoint, ...]
    path: str | None = None
    owners: dict = field(default_factory=dict)

    @property
    def owner_names(self) -> list[str]:
        """Owners in the order they first appear in the model."""
        return list(dict.fromkeys(tp.owner for tp in self.touchpoints))

    def for_owner(self, owner: str | None) -> TouchpointModel:
        """The same model restricted to one owner's touchpoints (all of them when ``owner`` is empty)."""
        if not owner:
            return self
        if owner not in self.owner_names:
            raise CxInputError(f"owner {owner!r} has no touchpoint in the model; owners: "
                               f"{', '.join(self.owner_names)}", path=self.path, column="owner")
        return TouchpointModel(self.project, tuple(tp for tp in self.touchpoints if tp.owner == owner),
                               self.path, self.owners)

    def table(self) -> pd.DataFrame:
        """One row per touchpoint and measure.

        Returns
        -------
        pandas.DataFrame
            ``touchpoint``, ``owner``, ``activities``, ``labels``, ``seed_words`` (each joined with ``"; "``),
            ``measure``, ``target``, ``tolerance``, ``min_n``, ``higher_is_better`` (empty measure columns for a
            touchpoint without measures).
        """
        rows = []
        for tp in self.touchpoints:
            base = {"touchpoint": tp.name, "owner": tp.owner, "activities": "; ".join(tp.activities),
                    "labels": "; ".join(tp.labels), "seed_words": "; ".join(tp.seed_words)}
            for m in tp.measures or ({},):
                rows.append({**base, "measure": m.get("measure"), "target": m.get("target"),
                             "tolerance": m.get("tolerance"), "min_n": m.get("min_n"),
                             "higher_is_better": (MEASURES[m["measure"]]["higher_is_better"]
                                                  if m else None)})
        return pd.DataFrame(rows, columns=["touchpoint", "owner", "activities", "labels", "seed_words",
                                           "measure", "target", "tolerance", "min_n", "higher_is_better"])

    def targets(self) -> pd.DataFrame:
        """The measures' targets in the form of :func:`cxlib.scores.read_targets`.

        Returns
        -------
        pandas.DataFrame
            ``measure``, ``touchpoint``, ``target``, ``tolerance``, ``min_n``: one row per touchpoint and
            measure.
        """
        rows = [{"measure": m["measure"], "touchpoint": tp.name, "target": m["target"],
                 "tolerance": m["tolerance"], "min_n": m["min_n"]} for tp in self.touchpoints for m in tp.measures]
        return pd.DataFrame(rows, columns=["measure", "touchpoint", "target", "tolerance", "min_n"])

    def activity_map(self) -> dict[str, str]:
        """Event-log activity -> touchpoint name."""
        return {a: tp.name for tp in self.touchpoints for a in tp.activities}

    def label_map(self) -> dict[str, str]:
        """Feedback touchpoint label (case-folded) -> touchpoint name."""
        return {lab.casefold(): tp.name for tp in self.touchpoints for lab in tp.labels}


def _lookup_target(targets: pd.DataFrame | None, measure: str, touchpoint: str, labels) -> dict | None:
    """The targets-file entry for a measure at a touchpoint: by its name, then by its labels, then ``"*"``."""
    if targets is None:
        return None
    rows = targets[targets["measure"] == measure]
    for key in (touchpoint, *labels, "*"):
        hit = rows[rows["touchpoint"] == key]
        if len(hit):
            entry = hit.iloc[0]
            return {"target": float(entry["target"]), "tolerance": float(entry["tolerance"]),
                    "min_n": int(entry["min_n"])}
    return None


def _read_targets(value, model_path: Path) -> tuple[pd.DataFrame | None, str | None]:
    """The targets file named under ``targets:`` and where it was found: ``(table, path)``, or ``(None, None)``."""
    if not value:
        return None, None
    candidate = Path(value)
    if not candidate.is_file() and not candidate.is_absolute() and (model_path.parent / candidate).is_file():
        candidate = model_path.parent / candidate
    if not candidate.is_file():
        raise CxInputError(f"the targets file {value!r} named under 'targets:' does not exist", path=model_path,
                           column="targets")
    return read_targets(candidate), str(candidate)


def _parse_measure(doc: MeasureDoc, *, where: str, path, targets=None, targets_path: str | None = None,
                   touchpoint: str = "", labels=()) -> dict:
    if doc.measure not in MEASURES:
        raise CxInputError(f"{where}.measure is {doc.measure!r}; expected one of {sorted(MEASURES)}"
                           f"{suggest(doc.measure, MEASURES)}", path=path, column=f"{where}.measure")
    name = doc.measure
    out = {"measure": name}
    found = _lookup_target(targets, name, touchpoint, labels)
    for key, default in (("target", None), ("tolerance", 0.0), ("min_n", 30)):
        # a key written in the model wins (even when null), then the targets file, then the default
        if key in doc.model_fields_set:
            value = getattr(doc, key)
        else:
            value = found.get(key, default) if found else default
        if value is None:
            if key == "target":
                hint = (f"; the targets file {targets_path} has no entry for {name} and "
                        f"{touchpoint!r} (nor '*')" if targets is not None else "")
                raise CxInputError(f"{where} ({name}) has no target; write e.g. 'target: 0' or name a "
                                   f"targets file (top-level 'targets:'){hint}", path=path,
                                   column=f"{where}.target")
            out[key] = value
            continue
        out[key] = float(value) if key != "min_n" else int(value)
    if "scale" in doc.model_fields_set:
        out["scale"] = doc.scale
    return out


# The data a model is checked against, in read_touchpoint_model and validate_touchpoint_model.
_MODEL_DATA = """
    log : pandas.DataFrame, optional
        Event log: every activity named in the model must occur in ``log[activity_key]``.
    feedback : pandas.DataFrame, optional
        Feedback table: with ``label_column``, every label in the model must occur in that column
        (compared case-insensitively).
    activity_key : str, default "concept:name"
        Activity column of ``log``.
    label_column : str, optional
        Touchpoint-label column of ``feedback``.
    """


@share_docs(model_data=_MODEL_DATA)
def read_touchpoint_model(path, *, log: pd.DataFrame | None = None, feedback: pd.DataFrame | None = None,
                          activity_key: str = "concept:name", label_column: str | None = None
                          ) -> TouchpointModel:
    """Read and validate a touchpoint model (YAML).

    The file lists the touchpoints; for each: ``name``, ``owner`` (person or department, required),
    ``activities`` (event-log activities that belong to it), ``labels`` (values of the feedback's touchpoint
    column, e.g. the telecom ``SURVEY_SUB_TYPE``), ``seed_words`` (words that assign free text to it),
    ``measures`` (list of ``{measure, target, tolerance, min_n}``; measures: ``nps``, ``csat``,
    ``sentiment_index``, ``negative_share``, ``repeat_contact_rate``). Targets are written with each measure, or
    taken from a targets file of :func:`cxlib.scores.read_targets` named by the top-level key ``targets:``
    (looked up by the touchpoint's name, then its labels, then ``"*"``; values written in the model win)::

        project: UWV complaints
        touchpoints:
          - name: Payments
            owner: Benefit payments team
            activities: [services / payment]
            labels: [payment]
            seed_words: [payment, paid]
            measures:
              - {measure: repeat_contact_rate, target: 15, tolerance: 5}

    Parameters
    ----------
    path : str or Path
        The YAML file.
    {model_data}

    Returns
    -------
    TouchpointModel
        ``.touchpoints`` (tuple of :class:`Touchpoint`), ``.owner_names``, ``.table()`` (one row per touchpoint
        and measure: touchpoint, owner, activities, labels, seed_words, measure, target, tolerance, min_n,
        higher_is_better), ``.for_owner(name)``, ``.activity_map()``, ``.label_map()``.

    Raises
    ------
    CxInputError
        Missing file, invalid YAML, a touchpoint without a name or owner, a duplicate touchpoint, an activity
        mapped twice, an unknown measure or key, a target that is not a number, an activity not in the log,
        a label not in the feedback.

    Examples
    --------
    >>> model = read_touchpoint_model("notebooks/touchpoints/uwv_complaints.yml")
    >>> model.owner_names[:2]
    ['Benefit payments team', 'Customer information team']
    """
    path = Path(path)
    doc = validate_document(TouchpointModelDoc, read_yaml(path, what="touchpoint model"), path=path,
                            what="touchpoint model")
    targets, targets_path = _read_targets(doc.targets, path)
    touchpoints = []
    seen: dict[str, str] = {}
    seen_activity: dict[str, str] = {}
    for i, item in enumerate(doc.touchpoints):
        where = f"touchpoints[{i}]"
        name = item.name.strip()
        if not name:
            raise CxInputError(f"{where} has no name", path=path, column=f"{where}.name")
        owner = (item.owner or "").strip()
        if not owner:
            raise CxInputError(f"touchpoint {name!r} has no owner; every touchpoint needs the person or "
                               "department responsible (key 'owner')", path=path, column=f"{where}.owner")
        if name.casefold() in seen:
            raise CxInputError(f"touchpoint {name!r} is defined twice", path=path, column=f"{where}.name")
        seen[name.casefold()] = name
        activities = tuple(item.activities or ())
        for act in activities:
            if act in seen_activity:
                raise CxInputError(f"activity {act!r} is mapped to both {seen_activity[act]!r} and {name!r}; "
                                   "an activity belongs to one touchpoint", path=path,
                                   column=f"{where}.activities")
            seen_activity[act] = name
        labels = tuple(item.labels or ())
        measures = tuple(_parse_measure(m, where=f"{where}.measures[{j}]", path=path, targets=targets,
                                        targets_path=targets_path, touchpoint=name, labels=labels)
                         for j, m in enumerate(item.measures or ()))
        touchpoints.append(Touchpoint(
            name=name, owner=owner, activities=activities, labels=labels,
            seed_words=tuple(w.casefold() for w in item.seed_words or ()),
            measures=measures, description=item.description))
    model = TouchpointModel(project=doc.project or path.stem, touchpoints=tuple(touchpoints), path=str(path),
                            owners=dict(doc.owners or {}))
    validate_touchpoint_model(model, log=log, feedback=feedback, activity_key=activity_key,
                              label_column=label_column)
    return model


@share_docs(model_data=_MODEL_DATA)
def validate_touchpoint_model(model: TouchpointModel, *, log: pd.DataFrame | None = None,
                              feedback: pd.DataFrame | None = None, activity_key: str = "concept:name",
                              label_column: str | None = None) -> TouchpointModel:
    """Check a touchpoint model against the data it will be used with.

    Parameters
    ----------
    model : TouchpointModel
        From :func:`read_touchpoint_model`.
    {model_data}

    Returns
    -------
    TouchpointModel
        The model, unchanged, when it fits the data.

    Raises
    ------
    CxInputError
        Naming the model file, the touchpoint and the missing activity or label, with the values that exist.

    Examples
    --------
    >>> import pandas as pd
    >>> model = read_touchpoint_model("notebooks/touchpoints/uwv_complaints.yml")
    >>> log = pd.DataFrame({"concept:name": ["services / payment"]})
    >>> validate_touchpoint_model(model, log=log)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    cxlib._errors.CxInputError: ...activity 'services / information/communication to the customer'...
    """
    if log is not None:
        if activity_key not in log.columns:
            raise CxInputError(f"the event log has no activity column {activity_key!r}; columns: "
                               f"{', '.join(map(str, log.columns))}", column=activity_key)
        present = set(log[activity_key].dropna().astype(str).unique())
        for tp in model.touchpoints:
            missing = [a for a in tp.activities if a not in present]
            if missing:
                raise CxInputError(
                    f"touchpoint {tp.name!r}: activity {missing[0]!r} is not in the event log "
                    f"(column {activity_key!r}); activities in the log: {', '.join(sorted(present)[:30])}",
                    path=model.path, column=activity_key)
    if feedback is not None and label_column:
        if label_column not in feedback.columns:
            raise CxInputError(f"the feedback has no touchpoint-label column {label_column!r}; columns: "
                               f"{', '.join(map(str, feedback.columns))}", column=label_column)
        present = {str(v).casefold(): str(v) for v in feedback[label_column].dropna().unique()}
        for tp in model.touchpoints:
            missing = [lab for lab in tp.labels if lab.casefold() not in present]
            if missing:
                raise CxInputError(
                    f"touchpoint {tp.name!r}: label {missing[0]!r} does not occur in the feedback column "
                    f"{label_column!r}; labels there: {', '.join(sorted(present.values())[:30])}",
                    path=model.path, column=label_column)
    return model
