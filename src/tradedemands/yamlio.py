"""YAML in and out: a YAML 1.2 safe parser that keeps node positions, and a scalar emitter.

PyYAML follows YAML 1.1 (``no`` is False, ``12:30`` is 750, dates become
``datetime.date``). The loader here keeps PyYAML's C parser but resolves plain
scalars by the YAML 1.2 core schema, never makes dates, and refuses anchors,
aliases, merge keys and every tag that would build something other than plain
data. Values are built from the composed node tree, so the same tree serves
error positions and the text edits of the write commands.
"""

from __future__ import annotations

import re
from sys import intern
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import InvalidFile, Problem
from .escape import clip, quoted
from .model import DataPath

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Deeper than any demands file can be (root > demands > item > target > progress > entry > value).
MAX_DEPTH = 16

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"
MERGE = "tag:yaml.org,2002:merge"

ALIASES_REFUSED = "anchors and aliases (&name, *name) are not allowed; write the value out"


class Loader(_BaseLoader):  # type: ignore[misc]
    """CSafeLoader with the YAML 1.2 core schema's implicit types and nothing else."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


#: What each core-schema tag's text looks like (plain scalars are resolved by these; a scalar
#: tagged ``!!int`` and so on explicitly must look like one too).
_FORMS = {
    BOOL: re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    INT: re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    FLOAT: re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    NULL: re.compile(r"^(?:~|null|Null|NULL|)$"),
}
Loader.add_implicit_resolver(BOOL, _FORMS[BOOL], list("tTfF"))
Loader.add_implicit_resolver(INT, _FORMS[INT], list("-+0123456789"))
Loader.add_implicit_resolver(FLOAT, _FORMS[FLOAT], list("-+0123456789."))
Loader.add_implicit_resolver(NULL, _FORMS[NULL], ["~", "n", "N", ""])


class _Refused(Exception):
    def __init__(self, node: Node, message: str) -> None:
        self.node = node
        self.message = message


#: Text this short is kept once however often it occurs (statuses, parties, dates...): a large
#: file holds the same few values in every item, and the keys of every mapping.
_SHARED = 24


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == STR:
        return intern(value) if len(value) <= _SHARED else value
    form = _FORMS.get(tag)
    if form is not None and form.match(value) is None:  # an explicit tag on other text: !!int Cut
        kind = tag.rsplit(":", 1)[-1]
        raise _Refused(
            node,
            f"{quoted(value, 40)} is not {'an' if kind == 'int' else 'a'} {kind}; remove its tag {quoted('!!' + kind)}",
        )
    if tag == INT:
        if len(value) > 3000:
            # Past Python's limit for turning text into a number and back (4300 digits): no
            # amount is anywhere near this, so it reads as out of range (validate says so).
            return float("-inf") if value.startswith("-") else float("inf")
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value)
    if tag == FLOAT:
        lowered = value.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if value.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")
        return float(value)
    if tag == BOOL:
        return value in ("true", "True", "TRUE")
    if tag == NULL:
        return None
    if tag == "!":
        return value
    raise _Refused(node, f"tag {quoted(tag)} is not allowed in a demands file; remove it")


class _Builder:
    """Turns a node tree into dicts, lists and scalars, refusing what a demands file never holds."""

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def build(self, node: Node, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise _Refused(node, f"nesting deeper than {MAX_DEPTH} levels; a demands file is never this deep")
        key = id(node)
        if key in self.seen:
            raise _Refused(node, ALIASES_REFUSED)
        self.seen.add(key)
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if isinstance(node, SequenceNode):
            if node.tag not in (SEQ, "!"):
                raise _Refused(node, f"tag {quoted(node.tag)} is not allowed in a demands file; remove it")
            return [self.build(child, depth + 1) for child in node.value]
        if isinstance(node, MappingNode):
            if node.tag not in (MAP, "!"):
                raise _Refused(node, f"tag {quoted(node.tag)} is not allowed in a demands file; remove it")
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == MERGE or (
                    isinstance(key_node, ScalarNode) and key_node.value == "<<" and not key_node.style
                ):
                    raise _Refused(key_node, "merge keys (<<) are not allowed; write the fields out")
                if not isinstance(key_node, ScalarNode):
                    raise _Refused(key_node, "a mapping key must be plain text")
                k = self.build(key_node, depth + 1)
                if isinstance(k, float):
                    raise _Refused(key_node, f"key {quoted(key_node.value)} must be text")
                k = intern(key_node.value if not isinstance(k, str) else k)
                if k in result:
                    raise _Refused(key_node, f"duplicate key {quoted(k)}")
                result[k] = self.build(value_node, depth + 1)
            return result
        raise _Refused(node, "unexpected YAML node")  # pragma: no cover - the composer makes only these


def parse(text: str, path: str, depth: int = 0) -> tuple[Any, Node | None]:
    """Parse one YAML document into plain data and its node tree.

    ``depth``: how deep the document's root sits in a whole file (a file's own root is 0; an
    item's lines, a list entry of ``demands``, parse at 1), for the nesting limit.
    Raises InvalidFile with one located problem for syntax errors and refused constructs.
    """
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = " ".join(filter(None, [err.problem, err.context and f"({err.context})"]))
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if isinstance(err, yaml.composer.ComposerError) and re.search(r"\b(anchor|alias)\b", problem):
            # a duplicate anchor or an undefined alias: refused in any case, say so plainly
            raise InvalidFile([Problem(path, line, col, ALIASES_REFUSED)]) from None
        raise InvalidFile([Problem(path, line, col, f"YAML syntax error: {clip(problem or err)}")]) from None
    except yaml.YAMLError as err:
        message = " ".join(str(err).split())
        line, col = 1, 1
        position = getattr(err, "position", None)
        if isinstance(position, int):
            line = text.count("\n", 0, position) + 1
            col = position - (text.rfind("\n", 0, position) + 1) + 1
        raise InvalidFile([Problem(path, line, col, f"YAML error: {clip(message)}")]) from None
    except RecursionError:
        raise InvalidFile([Problem(path, 1, 1, "YAML nesting is too deep")]) from None
    if node is None:
        return None, None
    try:
        return _Builder().build(node, depth), node
    except _Refused as refused:
        mark = refused.node.start_mark
        raise InvalidFile([Problem(path, mark.line + 1, mark.column + 1, refused.message)]) from None


def node_at(root: Node | None, path: DataPath) -> tuple[Node | None, Node | None]:
    """The deepest node along ``path`` (keys and list indices), and the key node of its last step."""
    node, key_node = root, None
    for step in path:
        if isinstance(node, MappingNode):
            for k, v in node.value:
                if isinstance(k, ScalarNode) and k.value == str(step):
                    node, key_node = v, k
                    break
            else:
                return node, key_node
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node, key_node = node.value[step], None
        else:
            return node, key_node
    return node, key_node


def scalar_text(root: Node | None, path: DataPath) -> str | None:
    """The scalar at ``path`` as written in the file (``1.50`` stays ``1.50``)."""
    node, _ = node_at(root, path)
    return node.value if isinstance(node, ScalarNode) else None


def written_numbers(root: Node) -> dict[DataPath, str]:
    """Every scalar under ``root`` that reads as a number or true/false, as written, by its
    path from ``root``: what ``scalar_text`` gives for each, kept without the node tree."""
    found: dict[DataPath, str] = {}
    stack: list[tuple[Node, DataPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, ScalarNode):
            if node.tag in (INT, FLOAT, BOOL):
                found.setdefault(path, node.value)
        elif isinstance(node, MappingNode):
            stack.extend((value, (*path, key.value)) for key, value in reversed(node.value))
        elif isinstance(node, SequenceNode):
            stack.extend((value, (*path, n)) for n, value in enumerate(node.value))
    return found


# --- emitting scalars -------------------------------------------------------------------------

_PLAIN_SAFE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\t\r]*$")
_UNSAFE_INSIDE = re.compile(r":\s|\s#|:$|\s$|[,\[\]{}]")
_NONPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")


def _resolves_to_str(value: str) -> bool:
    for tag, regexp in Loader.yaml_implicit_resolvers.get(value[:1] or "", []):
        if regexp.match(value):
            return tag == STR
    return True


def quote(value: str) -> str:
    """A double-quoted YAML scalar for ``value``, escaping everything YAML may not carry raw."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _NONPRINTABLE.match(ch) or ch in "\u2028\u2029\x85":
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def scalar(value: Any, flow: bool = True) -> str:
    """``value`` written as a YAML scalar that reads back as exactly ``value``.

    Text stays plain where that is unambiguous (``open``, ``Cut tariffs``, ``2018-05-04``)
    and is double-quoted otherwise (``no``, ``12``, ``a: b``, leading spaces, control characters).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        if text in ("inf", "-inf", "nan"):
            return {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}[text]
        return text
    text = str(value)
    if (
        text
        and _PLAIN_SAFE.match(text)
        and not _UNSAFE_INSIDE.search(text)
        and not _NONPRINTABLE.search(text)
        and not any(ch in text for ch in "\u2028\u2029\x85")
        and _resolves_to_str(text)
        and not (flow and text.startswith("- "))
    ):
        return text
    return quote(text)
