"""JSON Schema from Python types: the API's response shapes are the TypedDicts its serializers return.

A small converter of our own rather than pydantic: the serializers stay plain functions that build
dicts, and their return annotation is the contract the OpenAPI document publishes. It knows what our
serializers use: ``int``, ``float``, ``str``, ``bool``, ``None`` and unions of them, ``list``,
``dict[str, X]``, ``Literal``, nested TypedDicts (named schemas, referenced), and ``Annotated``
markers for what a Python type cannot say (a date's format, a money pattern, a workflow's states).

TypedDicts here are ``total`` (every key always written) and closed (``additionalProperties:
false``): a serializer that writes a key its type does not name fails the response checks of
the API tests, so the document cannot fall behind the code.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

from app.core.values import MAX_ID

JsonSchema = dict[str, Any]


@dataclass(frozen=True)
class Format:
    """``Annotated[str, Format("date")]``: a string in a JSON Schema format."""

    name: str


@dataclass(frozen=True)
class Pattern:
    regex: str


@dataclass(frozen=True)
class Bounds:
    minimum: float | None = None
    maximum: float | None = None


class OneOf:
    """``Annotated[str, OneOf(STATES)]``: one of a set named elsewhere (a workflow's states), so the
    document lists them without a second copy of the list."""

    def __init__(self, values: Iterable[Any]) -> None:
        self.values = tuple(values)


@dataclass(frozen=True)
class Describe:
    text: str


IsoDate = Annotated[str, Format("date")]
#: Stored times are naive UTC, written with a "Z" (app.api.timestamp).
Timestamp = Annotated[str, Format("date-time")]
#: Amounts as exact decimal strings with cents (app.api.money_text): "1600.00".
Money = Annotated[str, Pattern(r"^-?[0-9]+\.[0-9]{2}$"), Describe("An exact decimal amount with cents.")]
Uuid = Annotated[str, Format("uuid")]
#: An id in a query filter: plain digits, no larger than a database key holds (app.core.forms.record_id).
IdArg = Annotated[int, Bounds(minimum=0, maximum=MAX_ID)]
#: A yes/no query flag: "1", "true" or "yes" turn it on; anything else leaves it off.
FlagArg = Annotated[str, Describe('"1", "true" or "yes" to turn it on.')]

_SCALARS: dict[Any, JsonSchema] = {
    int: {"type": "integer"}, float: {"type": "number"}, str: {"type": "string"}, bool: {"type": "boolean"},
    type(None): {"type": "null"}, Any: {},
}


class SchemaSet:
    """Converts types to schemas, collecting each TypedDict once as a named schema (``components``)."""

    def __init__(self) -> None:
        self.components: dict[str, JsonSchema] = {}
        self._classes: dict[str, type] = {}

    def schema(self, tp: Any) -> JsonSchema:
        if tp in _SCALARS:
            return dict(_SCALARS[tp])
        if is_typeddict(tp):
            return {"$ref": f"#/components/schemas/{self.named(tp)}"}
        origin, args = get_origin(tp), get_args(tp)
        if origin is Annotated:
            return self._annotated(args[0], args[1:])
        if origin in (Union, types.UnionType):
            return self._union(args)
        if origin is Literal:
            return {"enum": list(args)}
        if origin in (list, tuple) and args:
            if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
                raise TypeError(f"Only tuple[X, ...] converts to a schema, not {tp!r}")
            return {"type": "array", "items": self.schema(args[0])}
        if origin is dict and args:
            return {"type": "object", "additionalProperties": self.schema(args[1])}
        raise TypeError(f"No JSON Schema for {tp!r}")

    def named(self, typed_dict: type) -> str:
        """The component name of ``typed_dict``, converting it the first time it is met."""
        name = typed_dict.__name__
        known = self._classes.get(name)
        if known is not None and known is not typed_dict:
            raise TypeError(f"Two TypedDicts named {name}: {known.__module__} and {typed_dict.__module__}")
        if known is None:
            self._classes[name] = typed_dict
            self.components[name] = {}  # a placeholder, so a self-reference ends
            self.components[name] = self.object(typed_dict)
        return name

    def object(self, typed_dict: type) -> JsonSchema:
        """A TypedDict's own schema, inline."""
        hints = get_type_hints(typed_dict, include_extras=True)
        schema: JsonSchema = {
            "type": "object",
            "properties": {key: self.schema(tp) for key, tp in hints.items()},
            "required": sorted(typed_dict.__required_keys__),  # type: ignore[attr-defined]
            "additionalProperties": False,
        }
        if typed_dict.__doc__ and not typed_dict.__doc__.startswith(f"{typed_dict.__name__}("):
            schema["description"] = " ".join(typed_dict.__doc__.split())
        return schema

    def _annotated(self, base: Any, markers: tuple[Any, ...]) -> JsonSchema:
        schema = self.schema(base)
        for marker in markers:
            if isinstance(marker, Format):
                schema["format"] = marker.name
            elif isinstance(marker, Pattern):
                schema["pattern"] = marker.regex
            elif isinstance(marker, Bounds):
                schema.update({k: v for k, v in (("minimum", marker.minimum), ("maximum", marker.maximum))
                               if v is not None})
            elif isinstance(marker, OneOf):
                schema["enum"] = list(marker.values)
            elif isinstance(marker, Describe):
                schema["description"] = marker.text
        return schema

    def _union(self, members: tuple[Any, ...]) -> JsonSchema:
        schemas = [self.schema(m) for m in members]
        # int | None as {"type": ["integer", "null"]}: what readers and generators understand best.
        if all(set(s) == {"type"} and isinstance(s["type"], str) for s in schemas):
            return {"type": [s["type"] for s in schemas]}
        nullable = {"type": "null"} in schemas
        rest = [s for s in schemas if s != {"type": "null"}]
        if nullable and len(rest) == 1 and "$ref" not in rest[0] and isinstance(rest[0].get("type"), str):
            one = dict(rest[0])
            one["type"] = [one["type"], "null"]
            if "enum" in one:
                one["enum"] = [*one["enum"], None]
            return one
        return {"anyOf": schemas}
