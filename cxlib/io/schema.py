"""Declared schemas for the project's YAML documents: pydantic models whose errors become one CxInputError.

The models live beside their readers (designs in ``cxlib.journeys``, touchpoint models in
``cxlib.owners``, targets and measure configs in ``cxlib.scores``, suites in ``cxlib.report``); this module
holds what they share: strict base models, lenient name types, and :func:`validate_document`, which turns a
pydantic ``ValidationError`` into one message that names the key path (``stages[2].activities``), what was
found and what was expected, and suggests the closest allowed key for an unknown one. Not imported by
``cxlib.io`` itself, so ``import cxlib`` does not import pydantic.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from .._errors import CxInputError

__all__ = ["Doc", "Name", "NameList", "Number", "Text", "describe", "key_path", "suggest", "unknown_keys",
           "validate_document"]


class Doc(BaseModel):
    """Base of the document models: unknown keys are errors, no silent type coercion (``"5"`` is not 5)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


def _name(value):
    """Names (stages, touchpoints, activities, owners) may be written as numbers in YAML (``2024``)."""
    if isinstance(value, bool) or value is None:
        return value  # left to the str check: 'expected text'
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _names(value):
    """One name or a list of names; each may be a number."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [_name(v) for v in value]
    return value


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PydanticCustomError("cx_number", "a number")
    return float(value)


def _text(value):
    return "" if value is None else _name(value)


#: A name: text, or a number written in YAML (turned into text).
Name = Annotated[str, BeforeValidator(_name)]
#: Free text (a description): empty when null, numbers turned into text.
Text = Annotated[str, BeforeValidator(_text)]
#: A list of names; a single name is accepted as a list of one.
NameList = Annotated[list[Name], BeforeValidator(_names)]
#: A finite number (int or float, not a boolean), as a float.
Number = Annotated[float, BeforeValidator(_number)]


def key_path(loc) -> str:
    """``("stages", 2, "activities")`` -> ``stages[2].activities``; keys that are not identifiers are quoted.

    Examples
    --------
    >>> key_path(("targets", "nps", "*", "target"))
    "targets.nps['*'].target"
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


def describe(value, limit: int = 60) -> str:
    """What was found, for a message: the value (shortened) and its YAML kind.

    Examples
    --------
    >>> describe(5), describe("high"), describe([1, 2]), describe(None)
    ('5 (a number)', "'high' (text)", '[1, 2] (a list)', 'nothing (null)')
    """
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a true/false value)"
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    kind = ("a number" if isinstance(value, (int, float)) else "text" if isinstance(value, str)
            else "a list" if isinstance(value, (list, tuple)) else "a mapping" if isinstance(value, dict)
            else type(value).__name__)
    return f"{text} ({kind})"


def suggest(word, options) -> str:
    """``" (did you mean 'x'?)"`` for the closest option, or ``""``.

    Examples
    --------
    >>> suggest("seed_word", ["seed_words", "labels"])
    " (did you mean 'seed_words'?)"
    """
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_keys(where: str, unknown, allowed) -> str:
    """The message for unknown keys: names them, suggests the closest allowed key and lists the allowed ones.

    Examples
    --------
    >>> unknown_keys("stages[0]", ["activites"], ["name", "activities"])
    "stages[0] has unknown key(s) ['activites'] (did you mean 'activities'?); allowed: activities, name"
    """
    unknown = sorted(map(str, unknown))
    hints = "".join(suggest(u, allowed) for u in unknown[:3])
    return f"{where} has unknown key(s) {unknown}{hints}; allowed: {', '.join(sorted(map(str, allowed)))}"


def _strip(annotation):
    """The model or container behind Annotated / Optional."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _walk(model, loc):
    """(the annotation at ``loc``, its FieldInfo when ``loc`` ends at a model field)."""
    annotation, field = model, None
    for part in loc:
        annotation = _strip(annotation)
        if _is_model(annotation):
            fields = annotation.model_fields
            name = next((n for n, f in fields.items() if part in (n, f.alias)), None)
            if name is None:
                return None, None
            field = fields[name]
            annotation = field.annotation
            continue
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        field = None
        if origin in (list, tuple, set) and args:
            annotation = args[0]
        elif origin is dict and len(args) == 2:
            annotation = args[0] if part == "[key]" else args[1]
        else:
            return None, None
    return _strip(annotation), field


def _allowed_keys(model, loc) -> list[str]:
    annotation, _ = _walk(model, loc)
    if _is_model(annotation):
        return [f.alias or n for n, f in annotation.model_fields.items()]
    return []


_EXPECTED = {
    "list_type": "a list", "tuple_type": "a list", "set_type": "a list",
    "dict_type": "a mapping (key: value)", "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)", "string_type": "text", "float_type": "a number",
    "int_type": "a whole number", "int_from_float": "a whole number", "bool_type": "true or false",
    "finite_number": "a finite number", "string_too_short": "non-empty text",
}


def _expected(model, error) -> str:
    kind, ctx, loc = error["type"], error.get("ctx") or {}, error["loc"]
    annotation, field = _walk(model, loc)
    if field is not None and field.description:
        return field.description
    if kind.startswith("cx_"):
        return error["msg"]
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
                "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()), "")
        return f"a number {sign} {bound}"
    if kind == "too_short":
        return "a non-empty list" if ctx.get("min_length") == 1 else f"at least {ctx.get('min_length')} items"
    if kind in ("value_error", "assertion_error"):
        return error["msg"].split(", ", 1)[-1]
    if _is_model(annotation) and kind in ("model_type", "dict_type", "model_attributes_type", "missing"):
        keys = ", ".join(f.alias or n for n, f in annotation.model_fields.items())
        return f"a mapping with the keys {keys}"
    if kind == "missing":
        return _type_phrase(annotation)
    return _EXPECTED.get(kind, error["msg"].lower())


def _type_phrase(annotation) -> str:
    origin = typing.get_origin(annotation) or annotation
    return {list: "a list", tuple: "a list", dict: "a mapping (key: value)", str: "text", float: "a number",
            int: "a whole number", bool: "true or false"}.get(origin, "a value")


def _ordered(errors) -> list:
    """Unknown keys first: a misspelt key also shows as a missing one, and the spelling is the news."""
    return sorted(errors, key=lambda e: e["type"] != "extra_forbidden")


def _message(model, errors, what: str) -> str:
    problems = []
    extra: dict[tuple, list[str]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            extra.setdefault(loc[:-1], []).append(str(loc[-1]))
    done_extra = set()
    for error in _ordered(errors):
        loc = tuple(error["loc"])
        where = key_path(loc) or f"the {what}"
        if error["type"] == "extra_forbidden":
            parent = loc[:-1]
            if parent not in done_extra:
                done_extra.add(parent)
                problems.append(unknown_keys(key_path(parent) or f"the {what}", extra[parent],
                                             _allowed_keys(model, parent)))
        elif error["type"] == "missing":
            parent = key_path(loc[:-1]) or f"the {what}"
            problems.append(f"{parent} needs the key {str(loc[-1])!r}: {_expected(model, error)}")
        else:
            problems.append(f"{where} must be {_expected(model, error)}, got {describe(error.get('input'))}")
    first, rest = problems[0], problems[1:]
    if rest:
        first += "; also " + "; ".join(rest[:2]) + (f" (and {len(rest) - 2} more)" if len(rest) > 2 else "")
    return first + "."


def validate_document(model: type[BaseModel], data: Any, *, path=None, what: str = "YAML file"):
    """Validate a parsed YAML document against a model; errors become one :class:`cxlib.CxInputError`.

    Parameters
    ----------
    model : type of pydantic.BaseModel
        The schema (usually a subclass of :class:`Doc`).
    data : object
        The parsed document.
    path : str or Path, optional
        The file, named in the error.
    what : str, default "YAML file"
        What the document is (``"design file"``), for a problem at the top level.

    Returns
    -------
    pydantic.BaseModel
        The validated model.

    Raises
    ------
    cxlib.CxInputError
        Naming the file, the key path (``stages[2].activities``), what was found and what was expected;
        unknown keys with the closest allowed key. Up to three problems are named.

    Examples
    --------
    >>> class Stage(Doc):
    ...     name: Name
    ...     activities: NameList
    >>> validate_document(Stage, {"name": "A", "activites": ["a"]})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    cxlib._errors.CxInputError: the YAML file has unknown key(s) ['activites'] (did you mean 'activities'?)...
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = tuple(_ordered(errors)[0]["loc"])
        if _ordered(errors)[0]["type"] == "extra_forbidden":
            first = first[:-1]
        raise CxInputError(_message(model, errors, what), path=path, column=key_path(first) or None) from None
