"""Report suites (``notebooks/suite.yml``): a title and a list of reports, checked before anything runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from .._errors import CxInputError
from ..io import read_yaml
from ..io.schema import Doc, Name, validate_document

__all__ = ["SuiteDoc", "SuiteEntryDoc", "read_suite"]

DEFAULT_TITLE = "cx-workbench reports"


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
    :func:`cxlib.owners.suite_entries` into the overview and one report per owner. A document that is a bare
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
            from ..owners import suite_entries

            entries.extend(suite_entries(entry.params))
        else:
            entries.append(written)
    return doc.title, entries
