"""Reading a config or layout file as YAML, within bounds, so that no file can exhaust memory.

YAML aliases share one node, so a file of a few hundred bytes can stand for billions of values
(nested anchors, "billion laughs"); nothing is expanded while composing, but everything after
(validation, an error message quoting the input) walks the values one by one. So the composed
document is measured before it is built: its size once every alias is expanded, and its depth.
A config or layout is a few hundred values, a few levels deep; the limits are far above that.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_BYTES = 256 * 1024  # the largest config or layout file read
MAX_VALUES = 50_000  # scalars, lists and mappings, every alias expanded
MAX_DEPTH = 16  # nesting of lists and mappings, every alias expanded
MAX_ALIASES = 200


class YamlLimit(ValueError):
    """The file is larger, deeper or expands to more values than a config can be."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases and refuses documents past the limits before building."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise YamlLimit(f"more than {MAX_ALIASES} aliases (*name), at line {mark.line + 1}")
        self.depth += 1  # the composer recurses: bound it before Python's stack does
        if self.depth > MAX_DEPTH:
            raise YamlLimit(f"nested more than {MAX_DEPTH} levels deep, at line {mark.line + 1}")
        try:
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self.depth -= 1


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def measure(root: Node) -> tuple[int, int]:
    """(values, depth) of a composed document with every alias expanded; YamlLimit past the
    limits or for an alias inside itself. Iterative: a deep document cannot overflow the stack."""
    done: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if expanded:
            kids = [done[id(c)] for c in _children(node)]
            size = 1 + sum(k[0] for k in kids)
            depth = 1 + max((k[1] for k in kids), default=0)
            on_path.discard(key)
            if size > MAX_VALUES:
                raise YamlLimit(
                    f"expands to more than {MAX_VALUES} values (aliases of aliases?), "
                    f"at line {node.start_mark.line + 1}"
                )
            if depth > MAX_DEPTH:
                raise YamlLimit(
                    f"nested more than {MAX_DEPTH} levels deep, at line {node.start_mark.line + 1}"
                )
            done[key] = (size, depth)
            continue
        if key in done:
            continue
        if key in on_path:
            raise YamlLimit(f"an alias refers to itself, at line {node.start_mark.line + 1}")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in done)
    return done[id(root)]


def load(text: str) -> Any:
    """The single YAML document in ``text`` (None if empty); YamlLimit or yaml.YAMLError."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise YamlLimit(f"the file is larger than {MAX_BYTES // 1024} KiB")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        measure(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()
