"""What keeps large files within bounds changes no output: YAML written entry by entry is the
YAML PyYAML writes for the whole value at once."""

from __future__ import annotations

import math
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tradedemands import formats


def all_at_once(value: Any) -> str:
    """``formats.to_yaml`` as it was: one ``yaml.dump`` of the whole value."""
    base: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc,valid-type]
        pass

    def text(dumper: Any, data: str) -> Any:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"' if formats._BIDI.search(data) else None)

    def real(dumper: Any, data: float) -> Any:
        return dumper.represent_none(None) if not math.isfinite(data) else dumper.represent_float(data)

    Dumper.add_representer(str, text)
    Dumper.add_representer(float, real)
    out = str(yaml.dump(value, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=100))
    return formats._BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=120)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(value=values | st.lists(values, max_size=5) | st.dictionaries(st.text(max_size=8), values, max_size=5))
def test_yaml_entry_by_entry_is_the_yaml_of_the_whole(value: Any) -> None:
    assert formats.to_yaml(value) == all_at_once(value)


def test_a_shipped_file_export_is_unchanged(data_file: Any) -> None:
    from tradedemands import document

    data = document.load(data_file).data
    assert formats.to_yaml(data) == all_at_once(data)
    assert formats.to_yaml(data["demands"]) == all_at_once(data["demands"])
