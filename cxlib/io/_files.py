"""File access: bytes (gzip by content), what a file holds, text encodings, SHA-256, the cache folder, YAML."""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from pathlib import Path

from .._errors import CxInputError

__all__ = ["cache_dir", "decode_text", "file_sha256", "open_bytes", "read_yaml", "sniff_content"]

_GZIP = b"\x1f\x8b"
_PARQUET = b"PAR1"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls

_BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
]


def file_sha256(path, chunk: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file's bytes.

    Parameters
    ----------
    path : str or Path
        The file.
    chunk : int
        Bytes read at a time.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> len(file_sha256("data/helpdesk.xes.gz"))
    64
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def cache_dir(kind: str = "logs") -> Path:
    """The folder for cxlib's caches: ``$CX_CACHE_DIR/<kind>``, else the user cache folder.

    Parameters
    ----------
    kind : str
        Sub-folder, e.g. ``logs`` or ``embeddings``.

    Returns
    -------
    pathlib.Path
        The folder (created if missing).

    Examples
    --------
    >>> cache_dir("logs").is_dir()
    True
    """
    root = os.environ.get("CX_CACHE_DIR")
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("cx-workbench")
    folder = Path(root).expanduser() / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CxInputError(f"the cache folder cannot be created ({exc.strerror}); set CX_CACHE_DIR to a writable "
                           "folder or pass cache=False.", path=folder) from None
    return folder


def read_yaml(path, *, what: str = "YAML file"):
    """Read a YAML file (parameters, targets, designs, touchpoint models) with errors that name the file.

    Parameters
    ----------
    path : str or Path
        The file.
    what : str, default "YAML file"
        What the file is, for the error message (e.g. ``"targets file"``).

    Returns
    -------
    object
        The parsed document (usually a dict; None for an empty file).

    Raises
    ------
    cxlib.CxInputError
        The file does not exist, or is not valid YAML (with the line and column).

    Examples
    --------
    >>> read_yaml("notebooks/params/journeys_helpdesk.yml", what="parameter file")["log_path"]
    'data/helpdesk.xes.gz'
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise CxInputError(f"{what} not found: the file does not exist.", path=path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CxInputError(f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start}).", path=path) from None
    except yaml.YAMLError as exc:
        raise CxInputError(f"{what} is not valid YAML: {exc}", path=path) from None


def open_bytes(path) -> bytes:
    """A file's bytes, gunzipped when its content is gzip (whatever its name), with clear errors.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    bytes
        The (decompressed) content.

    Raises
    ------
    cxlib.CxInputError
        The file does not exist, is a folder, is empty, or is a truncated or damaged gzip file.

    Examples
    --------
    >>> open_bytes("data/helpdesk.xes.gz")[:5]
    b'<?xml'
    """
    path = Path(path)
    if not path.exists():
        raise CxInputError("the file does not exist.", path=path)
    if path.is_dir():
        raise CxInputError("this is a folder; expected a file.", path=path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CxInputError(f"the file cannot be read ({exc.strerror}).", path=path) from None
    if not raw:
        raise CxInputError("the file is empty (0 bytes).", path=path)
    if raw[:2] == _GZIP:
        try:
            raw = gzip.decompress(raw)
        except EOFError:
            raise CxInputError(
                "the gzip file is truncated (it ends before the end-of-stream marker); "
                "copy or download it again.", path=path) from None
        except (OSError, zlib.error) as exc:
            raise CxInputError(f"the file is not valid gzip: {exc}.", path=path) from None
        if not raw.strip():
            raise CxInputError("the file is empty once decompressed.", path=path)
    elif path.name.lower().endswith(".gz"):
        raise CxInputError("the file is named .gz but is not gzip-compressed (it does not start with the gzip "
                           "signature); rename it or compress it again.", path=path)
    return raw


def sniff_content(raw: bytes) -> str:
    """What decompressed bytes hold: ``parquet``, ``excel``, ``xml`` or ``text``.

    Parameters
    ----------
    raw : bytes
        The content (after :func:`open_bytes`).

    Returns
    -------
    str
        ``parquet`` (starts with ``PAR1``), ``excel`` (a zip or OLE container), ``xml`` (starts with ``<``
        after a byte-order mark and white space) or ``text``.

    Examples
    --------
    >>> sniff_content(b"<?xml version='1.0'?><log/>"), sniff_content(b"a;b\\n1;2\\n")
    ('xml', 'text')
    """
    if raw[:4] == _PARQUET:
        return "parquet"
    if raw[:4] in (_ZIP, _OLE):
        return "excel"
    head = raw[:4096]
    for bom, codec, _ in _BOMS:
        if head.startswith(bom):
            try:
                head = head[len(bom):].decode(codec, errors="ignore").encode("utf-8")
            except LookupError:  # pragma: no cover - all codecs above exist
                pass
            break
    if head.lstrip()[:1] == b"<":
        return "xml"
    return "text"


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 without a byte-order mark shows as a NUL in every second byte of ASCII text."""
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def decode_text(raw: bytes, *, path=None, encoding: str | None = None) -> tuple[str, str]:
    """Decode text bytes: byte-order marks (UTF-8, UTF-16, UTF-32), then UTF-8, then cp1252, then latin-1.

    Parameters
    ----------
    raw : bytes
        The content.
    path : str or Path, optional
        For error messages.
    encoding : str, optional
        A given encoding wins; bytes it cannot decode raise an error naming the byte offset.

    Returns
    -------
    tuple of str
        ``(text, encoding)``; the encoding as detected (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1252``, ...).

    Examples
    --------
    >>> decode_text("a;b\\n1;ü\\n".encode("latin-1"))
    ('a;b\\n1;ü\\n', 'cp1252')
    >>> decode_text("a,b\\n".encode("utf-16"))[1]
    'utf-16'
    """
    if encoding is not None:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise CxInputError(f"unknown encoding {encoding!r}; expected e.g. utf-8, cp1252, latin-1 or utf-16.",
                               path=path) from None
        except UnicodeDecodeError as exc:
            line = raw[:exc.start].count(b"\n") + 1
            raise CxInputError(f"the bytes at line {line} (offset {exc.start}) are not {encoding}: {exc.reason}. "
                               "Leave encoding= out to detect it, or name the right one.", path=path) from None
    for bom, codec, name in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(codec), name
            except UnicodeDecodeError as exc:
                raise CxInputError(f"the file starts with a {name} byte-order mark but byte {exc.start} is not "
                                   f"{name}: {exc.reason}.", path=path) from None
    bomless = _utf16_without_bom(raw)
    if bomless:
        try:
            return raw.decode(bomless), bomless
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"
