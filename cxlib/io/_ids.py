"""Case ids that neither merge nor split: one text per id, whatever the source did to it.

Exports change ids on the way: a column with gaps is read as floats (``10011`` becomes ``10011.0``), cells
carry stray spaces, ``NULL`` or ``N/A`` stand for "no id", and systems disagree on leading zeros (``7`` and
``007``). :func:`normalise_ids` undoes what is safe to undo, counts every change and reports what it leaves
alone, so two spellings of one id do not split a case and two ids do not merge silently.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from .._errors import CxInputError

__all__ = ["ID_VARIANTS", "MISSING_ID_TEXTS", "ParsedIds", "normalise_distinct_ids", "normalise_ids"]

#: texts that mean "no id" (after removing surrounding whitespace); the empty text too
MISSING_ID_TEXTS = frozenset({"", "NaN", "nan", "NAN", "None", "none", "null", "NULL", "Null", "N/A", "n/a", "NA",
                              "<NA>", "#N/A"})
#: what to do with ids that differ only by leading zeros
ID_VARIANTS = ("keep", "join")

_NUMERIC = r"[+-]?[0-9]+(?:\.[0-9]+)?"
_WHOLE = r"[+-]?[0-9]+(?:\.0+)?"
_POINT_ZERO = r"[+-]?[0-9]+\.0+"
_EXACT = 2**53  # floats hold every whole number up to here exactly
_EXAMPLES = 3


@dataclasses.dataclass
class ParsedIds:
    """Ids normalised by :func:`normalise_ids`.

    Every id column the readers take (a log's case ids, the feedback's ``id`` and ``case_id``) goes through this
    one rule, so that an id read from two files compares equal when it means the same case.

    Attributes
    ----------
    values : pandas.Series
        pandas ``"string"`` dtype, same index as the input; ``<NA>`` for a missing id.
    missing : pandas.Series
        bool, same index: the id is missing.
    counts : dict
        What was found or changed -> how many, for the kinds that occur: ``"missing id"``, ``"whitespace
        removed"`` (rows), ``"whitespace pairs"`` (ids written with and without surrounding whitespace, now
        one), ``"float ids restored"`` (rows), ``"float ids above 2**53"`` (rows), ``"decimal ids kept"``
        (rows that look like ``10.0`` in a column that also holds real decimals), ``"leading-zero pairs"``
        (groups of ids that differ only by leading zeros), ``"leading zeros removed"`` (rows, with
        ``id_variants="join"``).
    examples : dict
        Same keys -> up to 3 examples as strings: raw values (``"' A1'"``), changes (``"'10011.0' -> '10011'"``)
        or groups (``"'7' / '007'"``).
    notes : list of str
        Plain sentences for the load report.
    """

    values: pd.Series
    missing: pd.Series
    counts: dict
    examples: dict
    notes: list


def _n(n: int, one: str, many: str | None = None) -> str:
    """``"1 id"``, ``"2 ids"``."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _flag(mask) -> np.ndarray:
    """A boolean mask as a numpy array (``<NA>`` is False)."""
    return np.asarray(mask.to_numpy(dtype=bool, na_value=False) if hasattr(mask, "to_numpy") else mask)


def _show(value) -> str:
    return repr(value) if isinstance(value, str) else "(empty)"


def _float_texts(numbers: np.ndarray) -> tuple[np.ndarray, bool]:
    """Text of float ids: whole-number text when every one is a whole number, else their decimal text."""
    whole = np.isfinite(numbers) & (numbers == np.floor(numbers))
    if len(numbers) and whole.all():
        safe = np.abs(numbers) < 2**63
        text = np.empty(len(numbers), dtype=object)
        text[safe] = numbers[safe].astype(np.int64).astype(str)
        text[~safe] = [str(int(v)) for v in numbers[~safe]]
        return text, True
    return np.array([repr(float(v)) for v in numbers], dtype=object), False


def _raw_texts(uniques: np.ndarray, dtype) -> tuple[np.ndarray, np.ndarray, bool]:
    """Each distinct raw value as text; which ones were floats, and whether those were restored."""
    is_float = np.zeros(len(uniques), dtype=bool)
    if pd.api.types.is_float_dtype(dtype):
        is_float[:] = True
    elif pd.api.types.is_integer_dtype(dtype):
        return np.asarray(uniques).astype(str).astype(object), is_float, False
    elif pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return uniques, is_float, False  # already text
    elif not pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        is_float = np.fromiter((isinstance(v, (float, np.floating)) for v in uniques), dtype=bool,
                               count=len(uniques))
    text = np.empty(len(uniques), dtype=object)
    restored = False
    if is_float.any():
        text[is_float], restored = _float_texts(np.asarray(uniques[is_float], dtype=float))
    rest = ~is_float
    if rest.any():
        text[rest] = [v if isinstance(v, str) else str(v) for v in uniques[rest]]
    return text, is_float, restored


def normalise_ids(values: pd.Series, *, column: str, path=None, id_variants: str = "keep") -> ParsedIds:
    """One text per id: remove what exports add to ids, and count every change.

    - Missing: empty and blank cells and the texts ``NaN nan NAN None none null NULL Null N/A n/a NA <NA> #N/A``
      (after removing surrounding whitespace) are missing ids, counted.
    - Surrounding whitespace is always removed (counted); ids that then coincide with another spelling
      (``"A1 "`` and ``"A1"``) are reported.
    - Ids read as floats (a numeric column with gaps) are restored to whole-number text, exactly:
      ``10011.0`` -> ``"10011"``, also for large ids up to 2**53 (beyond that a float cannot hold every whole
      number, and such ids are counted). Text that looks the same (``"10011.0"`` beside ``"10012"``) is
      restored too when every numeric-looking id is a whole number; a column with real decimals (``"1.5"``)
      keeps its text.
    - Ids that differ only by leading zeros (``"7"``, ``"007"``) are reported; ``id_variants="keep"`` keeps
      them apart, ``"join"`` removes leading zeros from every all-digit id (``"000"`` becomes ``"0"``).

    Vectorised over the distinct values: a million rows take about a second (less with repeated ids).

    Parameters
    ----------
    values : pandas.Series
        Raw ids: text, integers, floats or a mix.
    column : str
        Column name, for messages.
    path : str or pathlib.Path, optional
        File name, for messages.
    id_variants : {"keep", "join"}, default "keep"
        What to do with ids that differ only by leading zeros.

    Returns
    -------
    ParsedIds
        ``values`` (``"string"`` dtype, ``<NA>`` when missing), ``missing`` (bool), ``counts``, ``examples``
        and ``notes``; see :class:`ParsedIds`.

    Raises
    ------
    cxlib.CxInputError
        If ``id_variants`` is not ``"keep"`` or ``"join"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlib.io import normalise_ids
    >>> ids = normalise_ids(pd.Series([10011.0, None, 7.0]), column="case")
    >>> ids.values.tolist(), ids.counts
    (['10011', <NA>, '7'], {'missing id': 1, 'float ids restored': 2})
    >>> ids = normalise_ids(pd.Series(["7", " 007", "NULL"]), column="case")
    >>> ids.values.tolist(), ids.counts["leading-zero pairs"], ids.examples["leading-zero pairs"]
    (['7', '007', <NA>], 1, ["'7' / '007'"])
    """
    if id_variants not in ID_VARIANTS:
        raise CxInputError(f"id_variants must be one of {', '.join(map(repr, ID_VARIANTS))}, got {id_variants!r}.",
                           path=path, column=column)
    if not isinstance(values, pd.Series):
        values = pd.Series(list(values), dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    # every step works on the distinct values, then maps back to the rows
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    rows = np.bincount(codes[codes >= 0], minlength=len(uniques))  # rows per distinct raw value
    final, counts, examples, notes = normalise_distinct_ids(uniques, rows, int((codes < 0).sum()), values.dtype,
                                                            column=column, id_variants=id_variants)

    result = pd.Series(final.array.take(codes, allow_fill=True), index=values.index, name=values.name,
                       dtype="string")
    missing = pd.Series(_flag(result.isna()), index=values.index, name=values.name, dtype=bool)
    return ParsedIds(values=result, missing=missing, counts=counts, examples=examples, notes=notes)


def normalise_distinct_ids(uniques: np.ndarray, rows: np.ndarray, n_na: int, dtype, *, column: str,
                           id_variants: str = "keep") -> tuple[pd.Series, dict, dict, list]:
    """The work of :func:`normalise_ids` on the distinct raw ids: their final text, counts, examples, notes.

    ``uniques`` holds each distinct non-missing raw id once (object array, in order of first appearance),
    ``rows`` how many rows hold each, ``n_na`` the rows without a value and ``dtype`` the column's dtype.
    ``final`` is a ``"string"`` Series aligned with ``uniques`` (``<NA>`` for a missing id). Readers that
    already have the distinct values (the XES reader's Arrow table) call this directly.
    """
    counts: dict = {}
    examples: dict = {}
    notes: list = []

    def report(key: str, n: int, shown) -> None:
        if n:
            counts[key] = int(n)
            examples[key] = list(shown)[:_EXAMPLES]

    raw, is_float, restored = _raw_texts(uniques, dtype)
    text = pd.Series(raw, dtype="string")
    stripped = text.str.strip()
    gone = _flag(stripped.isin(list(MISSING_ID_TEXTS)))

    # missing ids
    n_missing = int(n_na + rows[gone].sum())
    report("missing id", n_missing,
           (["(empty)"] if n_na else []) + [_show(v) for v in raw[gone][:_EXAMPLES]])
    if n_missing:
        notes.append(f"{_n(n_missing, 'row has', 'rows have')} no id (an empty cell or a text such as 'NULL' or "
                     f"'N/A'; e.g. {', '.join(examples['missing id'])}).")

    # surrounding whitespace: always removed; spellings that become one id are reported
    spaced = ~gone & _flag(stripped != text)
    report("whitespace removed", rows[spaced].sum(), [_show(v) for v in raw[spaced][:_EXAMPLES]])
    if spaced.any():
        notes.append(f"surrounding whitespace removed from {_n(counts['whitespace removed'], 'id')} (e.g. "
                     f"{', '.join(examples['whitespace removed'])}).")
        keys = stripped[~gone]
        shared = keys[_flag(keys.duplicated(keep=False))]
        if len(shared):
            positions = list(shared.groupby(shared, sort=False).indices.values())
            groups = [" / ".join(_show(v) for v in sorted(raw[shared.index[at]], key=len))
                      for at in positions[:_EXAMPLES]]
            report("whitespace pairs", len(positions), groups)
            notes.append(f"{_n(len(positions), 'id was', 'ids were')} written both with and without surrounding "
                         f"whitespace and {'is' if len(positions) == 1 else 'are'} now one id "
                         f"(e.g. {', '.join(examples['whitespace pairs'])}).")

    # ids read as floats: float columns, then text that looks like them
    final = stripped.where(~gone)
    if restored:
        changed = is_float & ~gone
        report("float ids restored", rows[changed].sum(),
               [f"{float(uniques[i])!r} -> {raw[i]!r}" for i in np.flatnonzero(changed)[:_EXAMPLES]])
        big = np.zeros(len(uniques), dtype=bool)
        big[is_float] = np.abs(np.asarray(uniques[is_float], dtype=float)) > _EXACT
        report("float ids above 2**53", rows[big].sum(), [repr(v) for v in raw[big][:_EXAMPLES]])
    point_zero = _flag(final.str.fullmatch(_POINT_ZERO))
    if point_zero.any():
        numeric = _flag(final.str.fullmatch(_NUMERIC))
        whole = _flag(final.str.fullmatch(_WHOLE))
        if not (numeric & ~whole).any():
            new = final[point_zero].str.replace(r"\.0+$", "", regex=True)
            counts["float ids restored"] = counts.get("float ids restored", 0) + int(rows[point_zero].sum())
            examples["float ids restored"] = (examples.get("float ids restored", []) + [
                f"{a!r} -> {b!r}" for a, b in zip(final[point_zero][:_EXAMPLES], new[:_EXAMPLES])])[:_EXAMPLES]
            final[point_zero] = new
        else:
            report("decimal ids kept", rows[point_zero].sum(), [repr(v) for v in final[point_zero][:_EXAMPLES]])
            looks = _n(counts["decimal ids kept"], "id looks like a whole number", "ids look like whole numbers")
            notes.append(f"{looks} with a decimal part (e.g. {', '.join(examples['decimal ids kept'])}), but the column also "
                         f"holds decimals such as {final[numeric & ~whole].iloc[0]!r}: kept as they are.")
    if "float ids restored" in counts:
        read = _n(counts["float ids restored"], "id was read as a decimal number", "ids were read as decimal numbers")
        notes.append(f"{read} and restored to whole-number text (e.g. {', '.join(examples['float ids restored'])}).")
    if "float ids above 2**53" in counts:
        notes.append(f"{_n(counts['float ids above 2**53'], 'id is', 'ids are')} larger than 2**53 and read as "
                     "floating-point numbers, which cannot hold every such number: their last digits may be "
                     f"wrong. Read the column {column!r} as text.")

    # ids that differ only by leading zeros: reported; kept apart or joined
    is_digits = _flag(final.str.fullmatch(r"[0-9]+"))
    if is_digits.any():
        digits = final[is_digits]
        bare = digits.str.lstrip("0")
        empty = _flag(bare == "")
        if empty.any():
            bare = bare.mask(empty, "0")
        n_groups, shown = 0, []
        if bare.nunique() < digits.nunique():  # two ids share a key: some differ only by leading zeros
            distinct = pd.DataFrame({"id": digits.to_numpy(dtype=object), "key": bare.to_numpy(dtype=object)})
            distinct = distinct.drop_duplicates("id")
            grouped = distinct[distinct["key"].duplicated(keep=False).to_numpy()]
            n_groups = int(grouped["key"].nunique())
            shown = [" / ".join(repr(v) for v in sorted(grouped.loc[grouped["key"] == key, "id"],
                                                         key=lambda v: (len(v), v)))
                     for key in grouped["key"].drop_duplicates().head(_EXAMPLES)]
        report("leading-zero pairs", n_groups, shown)
        if n_groups and id_variants == "keep":
            notes.append(f"{_n(n_groups, 'group of ids differs', 'groups of ids differ')} only by leading zeros "
                         f"(e.g. {', '.join(shown)}); they are kept apart as different ids. Pass "
                         "id_variants='join' if they are the same.")
        if id_variants == "join":
            changed = _flag(bare != digits)
            at = digits.index[changed]
            report("leading zeros removed", rows[at].sum(),
                   [f"{a!r} -> {b!r}" for a, b in zip(digits[changed][:_EXAMPLES], bare[changed][:_EXAMPLES])])
            final[is_digits] = bare
            if changed.any():
                notes.append(f"leading zeros removed from {_n(counts['leading zeros removed'], 'id')} "
                             f"(id_variants='join'), joining {_n(n_groups, 'group')} of ids that differed only "
                             f"by them (e.g. {', '.join(shown or examples['leading zeros removed'])}).")
    return final, counts, examples, notes
