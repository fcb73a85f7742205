"""The live progress display of ``cx run`` / ``cx report``: cell n of N and the section the notebook is in.

A papermill engine (the nbclient one, with hooks on the start and end of every cell) drives one tqdm bar in
the terminal. The bar counts code cells; its text names the current section, taken from the last markdown
heading (``## Topics``) or bold lead (``**Process map.**``) before the running cell. A small thread refreshes
the bar every second, so the elapsed time keeps moving while a long cell (topic modelling) runs.
"""

from __future__ import annotations

import re
import sys
import threading

from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

ENGINE_NAME = "cx-progress"
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_BOLD_LEAD = re.compile(r"^\s*\*\*(.+?)\*\*")


def section_of(markdown: str) -> str | None:
    """The section a markdown cell opens: its first heading, else its bold lead (``**Drop-offs.**``), or None.

    >>> section_of("## Topics over time"), section_of("**Process map.** Boxes are ..."), section_of("text")
    ('Topics over time', 'Process map', None)
    """
    for line in markdown.splitlines():
        match = _HEADING.match(line)
        if match:
            return _plain(match.group(1))
    match = _BOLD_LEAD.match(markdown)
    return _plain(match.group(1)) if match else None


def _plain(text: str) -> str:
    text = re.sub(r"[*_`]", "", text).strip().rstrip(".:")
    return text if len(text) <= 40 else text[:39] + "…"


class CellProgress:
    """One progress bar over a notebook's code cells, named by section; ``label`` goes in front of it."""

    def __init__(self, nb, *, label: str = "", file=None):
        from tqdm.auto import tqdm

        self.total = sum(1 for c in nb.cells if c.get("cell_type") == "code")
        self.label = f"{label} · " if label else ""
        self.section = ""
        self.current = 0
        # disable=False explicitly: the runner sets TQDM_DISABLE=1 for the kernel while the notebook runs.
        self.bar = tqdm(total=self.total, unit="cell", leave=False, disable=False, file=file or sys.stderr,
                        desc=f"{self.label}cell 1 of {self.total}", bar_format="{desc} |{bar:20}| {elapsed}",
                        dynamic_ncols=True)
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, daemon=True)
        self._describe()
        self._ticker.start()

    def _describe(self) -> None:
        where = f" · {self.section}" if self.section else ""
        self.bar.set_description_str(f"{self.label}cell {max(self.current, 1)} of {self.total}{where}",
                                     refresh=True)

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.bar.refresh()
            except Exception:  # noqa: BLE001 - a closed terminal must not stop the run
                return

    def start(self, cell) -> None:
        if cell.get("cell_type") == "markdown":
            self.section = section_of(cell.get("source", "")) or self.section
            self._describe()
        elif cell.get("cell_type") == "code":
            self.current += 1
            self._describe()

    def complete(self, cell) -> None:
        if cell.get("cell_type") == "code":
            self.bar.update(1)

    def close(self) -> None:
        self._stop.set()
        self._ticker.join(timeout=2)
        self.bar.close()


class ProgressEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`CellProgress` on every cell (``cx_progress=`` a label, or
    None for no display)."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=False, log_output=False,
                         autosave_cell_every=30, cx_progress=None, **kwargs):
        nb_man = NotebookExecutionManager(nb, output_path=output_path, progress_bar=False,
                                          log_output=log_output, autosave_cell_every=autosave_cell_every)
        display = CellProgress(nb_man.nb, label=cx_progress) if cx_progress is not None else None
        if display is not None:
            start, complete = nb_man.cell_start, nb_man.cell_complete

            def cell_start(cell, cell_index=None, **kw):
                display.start(cell)
                return start(cell, cell_index, **kw)

            def cell_complete(cell, cell_index=None, **kw):
                result = complete(cell, cell_index, **kw)
                display.complete(cell)
                return result

            nb_man.cell_start, nb_man.cell_complete = cell_start, cell_complete
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            if display is not None:
                display.close()
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


papermill_engines.register(ENGINE_NAME, ProgressEngine)
