"""Summary tables that a notebook publishes for the suite's index page (e.g. the CX dashboard)."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

import pandas as pd

__all__ = ["publish", "published_sections"]

_LIGHTS = {"green": "#2da44e", "amber": "#d4a72c", "red": "#cf222e", "grey": "#8c959f"}


def publish(table: pd.DataFrame, *, title: str, link_column: str | None = None) -> Path | None:
    """Publish a summary table to the index page of the report suite (``reports/index.html``).

    Only does something inside a ``cx run`` / ``cx report`` run; in JupyterLab it returns None. Text is
    escaped when the index is written. A column named ``light`` (green/amber/red/grey) is shown as a coloured
    dot; the values of ``link_column`` are report names and become links to ``NAME.html``.

    Parameters
    ----------
    table : pandas.DataFrame
        The summary, e.g. one row per touchpoint with its light and owner.
    title : str
        Heading above the table on the index page.
    link_column : str, optional
        Column whose values name other reports of the suite.

    Returns
    -------
    pathlib.Path or None
        The summary file written next to the report, or None outside a report run.

    Examples
    --------
    >>> publish(pd.DataFrame({"touchpoint": ["booking"], "light": ["green"]}), title="Dashboard") is None
    True
    """
    folder, name = os.environ.get("CX_REPORT_DIR"), os.environ.get("CX_REPORT_NAME")
    if not folder or not name:
        return None
    path = Path(folder) / f"{name}.summary.json"
    records = json.loads(table.to_json(orient="split", date_format="iso", default_handler=str))
    path.write_text(json.dumps({"title": title, "link_column": link_column, "table": records}), encoding="utf-8")
    return path


def published_sections(folder, names: list[str]) -> str:
    """HTML for the summaries that the named reports published (escaped), in report order."""
    esc = html.escape
    parts = []
    for name in names:
        path = Path(folder) / f"{name}.summary.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        table = data["table"]
        link_column = data.get("link_column")
        head = "".join(f"<th>{esc(str(c))}</th>" for c in table["columns"])
        body = []
        for row in table["data"]:
            cells = []
            for col, value in zip(table["columns"], row):
                text = "" if value is None else str(value)
                if col == "light" and text in _LIGHTS:
                    cells.append(f"<td><span class='cx-light' style='background:{_LIGHTS[text]}'></span> "
                                 f"{esc(text)}</td>")
                elif col == link_column and text:
                    cells.append(f"<td><a href='{esc(text)}.html'>{esc(text)}</a></td>")
                else:
                    cells.append(f"<td>{esc(text)}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        parts.append(f"<h2>{esc(data['title'])}</h2><p><small>from the report "
                     f"<a href='{esc(name)}.html'>{esc(name)}</a></small></p>"
                     f"<table><tr>{head}</tr>{''.join(body)}</table>")
    return "\n".join(parts)
