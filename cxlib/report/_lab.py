"""JupyterLab for the project (``cx lab``, ``make lab``); the repository root where notebook paths start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .._errors import CxInputError

__all__ = ["project_root", "start_lab"]

#: The Jupyter kernel the notebooks name in their metadata; ``make`` and ``cx lab`` register it.
KERNEL_NAME = "cx-workbench"
KERNEL_DISPLAY_NAME = "Python (cx-workbench)"
#: A folder is a project root when it holds ``notebooks/`` and one of these.
_ROOT_MARKERS = ("pyproject.toml", ".git", "data")


def project_root(start=None) -> Path:
    """The repository root, where the notebooks' relative paths (``data/...``, ``notebooks/...``) start.

    The nearest folder, from ``start`` upwards, that holds a ``notebooks`` folder and a ``pyproject.toml``, a
    ``.git`` or a ``data`` folder. JupyterLab starts a notebook's kernel in ``notebooks/``; each notebook runs
    ``os.chdir(project_root())`` after its parameters, so the same parameters work there, in ``cx run`` from
    the repository root, and in a kernel started anywhere inside the repository. Outside any project the
    folder itself is returned: a run from elsewhere reads paths relative to where it runs.

    Parameters
    ----------
    start : str or Path, optional
        Where to start looking; default: the working directory.

    Returns
    -------
    pathlib.Path
        The project root (absolute), or ``start`` itself when no folder above it is one.

    Examples
    --------
    >>> root = project_root()
    >>> (root / "notebooks").is_dir() and project_root(root / "notebooks") == root
    True
    """
    here = Path(start if start is not None else os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "notebooks").is_dir() and any((folder / m).exists() for m in _ROOT_MARKERS):
            return folder
    return here


def strip_machine_metadata(model, **_):
    """Jupyter pre-save hook: drop what JupyterLab adds on opening that belongs to the machine, not the file.

    JupyterLab writes the kernel's ``language_info`` (with the Python version) into a notebook's metadata as
    soon as the kernel starts, so opening and saving would rewrite a notebook that did not change.
    """
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        model["content"].get("metadata", {}).pop("language_info", None)


def _kernel_python(spec_dir: Path) -> str | None:
    try:
        argv = json.loads((spec_dir / "kernel.json").read_text(encoding="utf-8"))["argv"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return argv[0] if argv else None


def ensure_kernel() -> str:
    """Register the ``cx-workbench`` kernel for this Python unless it is registered for it already.

    Returns what was done, in words (empty when nothing had to be done).
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec_dir = Path(KernelSpecManager().get_kernel_spec(KERNEL_NAME).resource_dir)
        python = _kernel_python(spec_dir)
    except NoSuchKernel:
        python = None
    if python and Path(python).exists() and os.path.samefile(python, sys.executable):
        return ""
    cmd = [sys.executable, "-m", "ipykernel", "install", "--user", "--name", KERNEL_NAME,
           "--display-name", KERNEL_DISPLAY_NAME]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise CxInputError(f"the Jupyter kernel {KERNEL_NAME!r} could not be registered: "
                           f"{(done.stderr or done.stdout).strip()[-300:]}")
    was = f" (it pointed at {python}, which is not this environment)" if python else ""
    return f"registered the Jupyter kernel {KERNEL_DISPLAY_NAME!r} for {sys.executable}{was}"


def _lab_argv(path=None, *, port: int | None = None, browser: bool = True, root=None) -> list[str]:
    """The command line that starts JupyterLab for the project."""
    root = Path(root) if root is not None else project_root()
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
            f"--FileContentsManager.pre_save_hook={__name__}.strip_machine_metadata"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # Jupyter refuses to run as root without it (containers, fresh machines)
    if port is not None:
        argv.append(f"--port={int(port)}")
    if not browser:
        argv.append("--no-browser")
    if path is not None:
        target = Path(path).resolve()
        if not target.exists():
            raise CxInputError("the notebook or folder to open does not exist.", path=path)
        try:
            argv.append(str(target.relative_to(root)))
        except ValueError:
            raise CxInputError(f"JupyterLab serves {root}; open a notebook inside it.", path=path) from None
    return argv


def start_lab(path=None, *, port: int | None = None, browser: bool = True) -> int:
    """Start JupyterLab from the project's environment, as ``cx lab`` and ``make lab`` do.

    It serves the repository root (see :func:`project_root`), registers the ``cx-workbench`` kernel the
    notebooks name when it is missing or points at another Python, adds ``--allow-root`` when running as root,
    and strips the machine's ``language_info`` from notebooks when they are saved, so that opening and saving
    a notebook leaves it unchanged (the paired ``.py`` is kept stable by ``jupytext.toml``). Runs until
    JupyterLab is stopped (Ctrl+C).

    Parameters
    ----------
    path : str or Path, optional
        A notebook or folder to open, inside the repository.
    port : int, optional
        The port (default: JupyterLab's, 8888 or the next free one).
    browser : bool, default True
        Open a web browser.

    Returns
    -------
    int
        JupyterLab's exit code.

    Examples
    --------
    >>> start_lab("notebooks/01_journeys.ipynb")  # doctest: +SKIP
    """
    argv = _lab_argv(path, port=port, browser=browser)
    note = ensure_kernel()
    if note:
        print(f"cx lab: {note}", file=sys.stderr)
    try:
        return subprocess.call(argv, cwd=project_root())
    except KeyboardInterrupt:
        return 0
