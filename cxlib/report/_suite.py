"""Report suites (``notebooks/suite.yml``): a title and a list of reports, checked before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from .._errors import CxInputError
from ..io import read_yaml
from ..io.schema import Doc, Name, validate_document
from ..owners import owner_report_name, read_touchpoint_model

__all__ = ["DASHBOARD_NOTEBOOK", "SuiteDoc", "SuiteEntryDoc", "owner_entries", "read_suite"]

DEFAULT_TITLE = "cx-workbench reports"
#: The dashboard notebook that ``per_owner`` entries run once for the overview and once per owner.
DASHBOARD_NOTEBOOK = "notebooks/04_cx_dashboard.ipynb"


class SuiteEntryDoc(Doc):
    """Schema of one report of a suite."""

    notebook: Name = Field(description="the path of a notebook (.ipynb), as text")
    params: Name | None = Field(None, description="the path of a parameter file (YAML), as text")
    name: Name | None = Field(None, description="text (the report's file name, without .html)")
    title: Name | None = Field(None, description="text (the report's title)")
    overrides: dict[str, Any] | None = Field(None, description="a mapping of parameter names to values")
    per_owner: bool = Field(False, description="true or false (one report per owner of the touchpoint model)")


class SuiteDoc(Doc):
    """Schema of a suite file (see :func:`read_suite`)."""

    title: Name = Field(DEFAULT_TITLE, description="text (the title of the index page)")
    reports: list[SuiteEntryDoc] = Field(min_length=1, description="a non-empty list of reports, each with "
                                                                  "notebook and params")


def read_suite(path, *, expand: bool = True) -> tuple[str, list[dict]]:
    """Read and check a report suite: ``title:`` and ``reports:``, a list of report entries.

    Each entry is ``{notebook, params, name, title, overrides, per_owner}``; only ``notebook`` is required::

        title: cx-workbench demo reports
        reports:
          - notebook: notebooks/01_journeys.ipynb
            params: notebooks/params/journeys_helpdesk.yml
            name: journeys_helpdesk
            title: "Journeys: help-desk tickets"
          - {notebook: notebooks/04_cx_dashboard.ipynb, params: notebooks/params/dashboard_demo.yml,
             per_owner: true}

    An entry with ``per_owner: true`` (it needs ``params``: a dashboard parameter file) is expanded by
    :func:`owner_entries` into the overview and one report per owner. A document that is a bare
    list is read as the list of reports.

    Parameters
    ----------
    path : str or Path
        The suite file (YAML).
    expand : bool, default True
        Expand ``per_owner`` entries; with False they are returned as written.

    Returns
    -------
    tuple of (str, list of dict)
        The title (``"cx-workbench reports"`` when not given) and the entries in suite order, each a dict of
        the keys written in the file (``notebook`` always; ``params``, ``name``, ``title``, ``overrides``,
        ``per_owner`` when given) or, for an expanded entry, ``notebook``, ``params``, ``overrides``,
        ``name``, ``title``.

    Raises
    ------
    cxlib.CxInputError
        A missing or unsafe file, or a document that does not fit :class:`SuiteDoc` (naming the key path, e.g.
        ``reports[2].notebook``, what was found and what was expected; an unknown key with the closest known
        one), or a ``per_owner`` entry without ``params``.

    Examples
    --------
    >>> title, entries = read_suite("notebooks/suite.yml")
    >>> title, entries[0]["name"]
    ('cx-workbench demo reports', 'journeys_helpdesk')
    >>> [e["name"] for e in entries][3:5]
    ['dashboard_demo', 'dashboard_demo__benefit-payments-team']
    """
    path = Path(path)
    data = read_yaml(path, what="suite file")
    if isinstance(data, list):
        data = {"reports": data}
    doc = validate_document(SuiteDoc, data, path=path, what="suite file")
    for i, entry in enumerate(doc.reports):  # every entry is checked before any is expanded
        if entry.per_owner and not entry.params:
            raise CxInputError(f"reports[{i}] has 'per_owner: true' but no 'params:'; name the dashboard "
                               "parameter file whose touchpoint model lists the owners.", path=path,
                               column=f"reports[{i}].params")
    entries: list[dict] = []
    for entry in doc.reports:
        written = entry.model_dump(exclude_unset=True)
        if entry.per_owner and expand:
            entries.extend(owner_entries(entry.params))
        else:
            entries.append(written)
    return doc.title, entries


def owner_entries(params_path, *, notebook: str = DASHBOARD_NOTEBOOK) -> list[dict]:
    """Expand one dashboard parameter file into report-suite entries: the overview, then one per owner.

    Parameters
    ----------
    params_path : str or Path
        A dashboard parameter file (``notebooks/params/dashboard_*.yml``) naming the touchpoint model in
        ``touchpoints_file``.
    notebook : str, default "notebooks/04_cx_dashboard.ipynb"
        The dashboard notebook.

    Returns
    -------
    list of dict
        Entries ``{"notebook", "params", "overrides": {"owner": NAME}, "name", "title"}``; the overview first
        (owner ``""``), then the owners in model order. ``name`` is the report file stem
        (:func:`cxlib.owners.owner_report_name` of the parameter file's stem), unique among the owners.

    Raises
    ------
    cxlib.CxInputError
        The parameter file or its touchpoint model is missing or invalid.

    Examples
    --------
    >>> [e["name"] for e in owner_entries("notebooks/params/dashboard_demo.yml")][:2]
    ['dashboard_demo', 'dashboard_demo__benefit-payments-team']
    """
    params_path = Path(params_path)
    params = read_yaml(params_path, what="dashboard parameter file") or {}
    if not isinstance(params, dict) or not params.get("touchpoints_file"):
        raise CxInputError("expected a mapping with 'touchpoints_file: <touchpoint model YAML>'", path=params_path,
                           column="touchpoints_file")
    model = read_touchpoint_model(params["touchpoints_file"])
    base = params_path.stem
    title = params.get("title") or model.project
    owners = list(model.owner_names)
    entries = [{"notebook": notebook, "params": str(params_path), "overrides": {"owner": ""}, "name": base,
                "title": f"CX dashboard: {title}"}]
    names = {}
    for owner in owners:
        name = owner_report_name(base, owner, owners=owners)
        if name in names:  # cannot happen with the hash, but a misrouted report must never be written
            raise CxInputError(f"the owners {names[name]!r} and {owner!r} would share the report {name!r}; "
                               "rename one in the touchpoint model.", path=params_path, column="owner")
        names[name] = owner
        entries.append({"notebook": notebook, "params": str(params_path), "overrides": {"owner": owner},
                        "name": name, "title": f"Owner report: {owner} ({title})"})
    return entries
