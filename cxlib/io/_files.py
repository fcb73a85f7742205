"""File access: bytes (gzip by content), what a file holds, text encodings, SHA-256, the cache folder, YAML."""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import zlib
from pathlib import Path

from .._errors import CxInputError

__all__ = [
    "YAML_MAX_ALIASES",
    "YAML_MAX_BYTES",
    "YAML_MAX_DEPTH",
    "YAML_MAX_NODES",
    "cache_dir",
    "decode_text",
    "file_sha256",
    "load_yaml_text",
    "open_bytes",
    "read_yaml",
    "sniff_content",
]

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


#: Limits of :func:`load_yaml_text` / :func:`read_yaml`: configuration files are small, so anything past
#: these is a mistake or an attack (an alias "billion laughs" bomb, a nesting deep enough to exhaust the stack).
YAML_MAX_BYTES = 1_000_000
YAML_MAX_ALIASES = 50
YAML_MAX_NODES = 100_000
YAML_MAX_DEPTH = 50

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _YamlLimit(Exception):
    """A limit of the safe loader was passed (turned into a CxInputError by :func:`load_yaml_text`)."""


class _YamlDuplicate(Exception):
    """A key twice in one mapping (turned into a CxInputError by :func:`load_yaml_text`)."""


@functools.lru_cache(maxsize=1)
def _limited_loader():
    """A safe loader that counts aliases and nesting while it composes (built on first use).

    Events come from libyaml's parser where PyYAML was built with it (about five times faster, and it never
    recurses); the nodes are composed in Python, where the limits are checked, and built by PyYAML's
    SafeConstructor: the same objects as ``yaml.safe_load``.
    """
    import yaml
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    class _Limits:
        cx_depth = 0
        cx_aliases = 0

        def fetch_flow_collection_start(self, token_class):  # the pure-Python scanner only
            # the scanner looks ahead over every open bracket: stop a deep [[[[... before that costs time
            if self.flow_level >= YAML_MAX_DEPTH:
                mark = self.get_mark()
                raise _YamlLimit(f"it nests deeper than {YAML_MAX_DEPTH} levels (at line {mark.line + 1}, "
                                 f"column {mark.column + 1})")
            super().fetch_flow_collection_start(token_class)

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                self.cx_aliases += 1
                if self.cx_aliases > YAML_MAX_ALIASES:
                    raise _YamlLimit(f"it uses more than {YAML_MAX_ALIASES} aliases (*{event.anchor} at "
                                     f"line {event.start_mark.line + 1} is one too many); a configuration "
                                     "file needs few, and many aliases are the mark of an alias bomb")
                return super().compose_node(parent, index)
            if isinstance(event, yaml.ScalarEvent):
                return super().compose_node(parent, index)
            self.cx_depth += 1
            try:
                if self.cx_depth > YAML_MAX_DEPTH:
                    raise _YamlLimit(f"it nests deeper than {YAML_MAX_DEPTH} levels (at line "
                                     f"{event.start_mark.line + 1}, column {event.start_mark.column + 1})")
                return super().compose_node(parent, index)
            finally:
                self.cx_depth -= 1

    if getattr(yaml, "__with_libyaml__", False):
        from yaml.cyaml import CParser

        class _Loader(_Limits, Composer, CParser, SafeConstructor, Resolver):
            def __init__(self, stream):
                CParser.__init__(self, stream)
                Composer.__init__(self)
                SafeConstructor.__init__(self)
                Resolver.__init__(self)

        return _Loader

    class _PureLoader(_Limits, yaml.SafeLoader):  # pragma: no cover - PyYAML without libyaml
        pass

    return _PureLoader


def _check_graph(root) -> None:
    """Expanded size and depth of the composed node graph (aliases counted each time they are used, but each
    node visited once), recursive aliases and duplicate mapping keys; no recursion, so no stack to exhaust."""
    import yaml

    keys = yaml.constructor.SafeConstructor()
    memo: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, expanded depth)
    started: set[int] = set()
    stack = [(root, False)]

    def children(node):
        if isinstance(node, yaml.SequenceNode):
            return node.value
        if isinstance(node, yaml.MappingNode):
            return [part for pair in node.value for part in pair]
        return []

    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            parts = [memo[id(c)] for c in children(node)]
            size = 1 + sum(p[0] for p in parts)
            depth = (not isinstance(node, yaml.ScalarNode)) + max((p[1] for p in parts), default=0)
            memo[nid] = (size, depth)
            started.discard(nid)
            if size > YAML_MAX_NODES:
                raise _YamlLimit(f"it holds more than {YAML_MAX_NODES:,} values once its aliases are "
                                 f"expanded (the node at line {node.start_mark.line + 1} alone); a "
                                 "configuration file is much smaller (with aliases, this is the mark of an "
                                 "alias bomb)")
            if depth > YAML_MAX_DEPTH:
                raise _YamlLimit(f"it nests deeper than {YAML_MAX_DEPTH} levels once its aliases are "
                                 f"expanded (the node at line {node.start_mark.line + 1})")
            continue
        if nid in memo:
            continue
        if nid in started:
            raise _YamlLimit(f"the node at line {node.start_mark.line + 1} contains an alias to itself (a "
                             "recursive structure)")
        started.add(nid)
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key, line = keys.construct_object(key_node), key_node.start_mark.line + 1
                try:
                    if key in seen:
                        raise _YamlDuplicate(f"the key {key!r} appears twice in one mapping (line {seen[key]} "
                                             f"and line {line}); YAML would silently keep the last value: "
                                             "remove one of them")
                    seen[key] = line
                except TypeError:  # pragma: no cover - scalar keys are hashable
                    continue
        stack.extend((child, False) for child in children(node) if id(child) not in memo)


def load_yaml_text(text: str, *, path=None, what: str = "YAML text"):
    """Parse YAML text safely: plain data only, with limits that stop alias bombs and stack-deep nesting.

    Only YAML's plain data (mappings, lists, strings, numbers, booleans, null, dates) is built, as by
    ``yaml.safe_load``. Before anything is built, the composed node graph is checked: at most
    :data:`YAML_MAX_ALIASES` aliases, at most :data:`YAML_MAX_NODES` values once aliases are expanded
    (counted without expanding them), nesting at most :data:`YAML_MAX_DEPTH` levels deep, no recursive alias,
    and no key twice in one mapping (``yaml.safe_load`` silently keeps the last one). The text may be at most
    :data:`YAML_MAX_BYTES` bytes of UTF-8.

    Parameters
    ----------
    text : str
        The YAML document (one document).
    path : str or Path, optional
        Where the text came from, named in error messages.
    what : str, default "YAML text"
        What the text is, for error messages (e.g. ``"targets file"``).

    Returns
    -------
    object
        The parsed document (usually a dict; None for an empty document).

    Raises
    ------
    cxlib.CxInputError
        Invalid YAML (with the line and column), a duplicate key (with the key and both lines), or a limit
        passed (size, aliases, expanded size, depth).

    Examples
    --------
    >>> load_yaml_text("base: &b {top: 5}\\nreport: *b")
    {'base': {'top': 5}, 'report': {'top': 5}}
    >>> load_yaml_text("top: 5\\ntop: 7", what="parameter file")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    cxlib._errors.CxInputError: parameter file: the key 'top' appears twice in one mapping (line 1 and ...
    """
    import yaml

    if not isinstance(text, str):
        raise CxInputError(f"{what}: expected YAML text (str), got {type(text).__name__}.", path=path)
    if len(text) > YAML_MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > YAML_MAX_BYTES:
        raise CxInputError(f"{what} is larger than {YAML_MAX_BYTES:,} bytes; a configuration file is much "
                           "smaller (is this the right file?).", path=path)
    loader = None
    try:
        loader = _limited_loader()(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node)
        return loader.construct_document(node)
    except _YamlLimit as exc:
        raise CxInputError(f"{what} is refused: {exc}.", path=path) from None
    except _YamlDuplicate as exc:
        raise CxInputError(f"{what}: {exc}.", path=path) from None
    except RecursionError:
        raise CxInputError(f"{what} is refused: it nests too deeply to read (more than {YAML_MAX_DEPTH} "
                           "levels).", path=path) from None
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own limit (1,000 levels), met while looking ahead
            raise CxInputError(f"{what} is refused: it nests deeper than {YAML_MAX_DEPTH} levels.",
                               path=path) from None
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        context = (f" ({exc.context} at line {exc.context_mark.line + 1})"
                   if exc.context and exc.problem and exc.context_mark is not None else "")
        raise CxInputError(f"{what} is not valid YAML{where}: {problem}{context}.", path=path) from None
    except yaml.reader.ReaderError as exc:
        line = text.encode("utf-8", "surrogatepass")[:exc.position].count(b"\n") + 1  # libyaml: a byte offset
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise CxInputError(f"{what} holds a character YAML does not allow ({char!r}, {exc.reason}) at line "
                           f"{line}; remove it.", path=path) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above carries a position
        raise CxInputError(f"{what} is not valid YAML: {exc}", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()


def read_yaml(path, *, what: str = "YAML file"):
    """Read a YAML file (parameters, targets, designs, touchpoint models, suites) safely, with errors that
    name the file.

    The file must be UTF-8 text of at most :data:`YAML_MAX_BYTES` bytes; it is parsed by
    :func:`load_yaml_text` (plain data only, no duplicate keys, limits on aliases, expanded size and depth).

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
        The file does not exist, is too large, is not UTF-8, is not valid YAML (with the line and column), has
        a key twice in one mapping, or passes a limit of :func:`load_yaml_text`.

    Examples
    --------
    >>> read_yaml("notebooks/params/journeys_helpdesk.yml", what="parameter file")["log_file"]
    'data/helpdesk.xes.gz'
    """
    path = Path(path)
    if path.is_dir():
        raise CxInputError(f"{what} expected, but this is a folder.", path=path)
    if not path.is_file():
        raise CxInputError(f"{what} not found: the file does not exist.", path=path)
    try:
        size = path.stat().st_size
        if size > YAML_MAX_BYTES:
            raise CxInputError(f"{what} is {size:,} bytes; YAML files up to {YAML_MAX_BYTES:,} bytes are read "
                               "(a configuration file is much smaller: is this the right file?).", path=path)
        raw = path.read_bytes()
    except OSError as exc:
        raise CxInputError(f"{what} cannot be read ({exc.strerror}).", path=path) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise CxInputError(f"{what} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line} (offset "
                           f"{exc.start}) is {exc.reason}; save the file as UTF-8.", path=path) from None
    return load_yaml_text(text, path=path, what=what)


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
