"""Reading OTIO containers without OTIO 0.18's leaking iterators (timeline/otio_access.py)."""

from __future__ import annotations

import math

import opentimelineio as otio
from hypothesis import given
from hypothesis import strategies as st

from postprod.timeline.otio_access import items_of, plain

# What postprod keeps in metadata: JSON-like values, nested. (OTIO's own JSON writer, which
# saves every project, stops a string at a NUL, and OTIO refuses lone surrogates, which are
# not text; so neither is among them.)
_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)
_leaves = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _text
_leaves |= st.floats(allow_nan=False, allow_infinity=False)
_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(_text, _values, max_size=5))
def test_plain_gives_back_what_was_stored(data: dict[str, object]) -> None:
    clip = otio.schema.Clip(name="c")
    clip.metadata["postprod"] = data
    got = plain(clip.metadata["postprod"])
    assert type(got) is dict
    assert got == data


def test_plain_keeps_types_and_passes_other_values_through() -> None:
    clip = otio.schema.Clip(name="c")
    clip.metadata["p"] = {
        "gain_db": 2.0,
        "n": 3,
        "on": True,
        "off": None,
        "list": [1.5, "x", {"a": []}],
    }
    got = plain(clip.metadata["p"])
    assert type(got["gain_db"]) is float and type(got["n"]) is int and got["on"] is True
    assert got["off"] is None and type(got["list"]) is list and got["list"][2] == {"a": []}
    assert plain(clip.metadata["p"]["list"]) == [1.5, "x", {"a": []}]
    assert plain("text") == "text" and math.isclose(plain(0.25), 0.25)


def test_items_of_lists_effects_and_markers_in_order() -> None:
    clip = otio.schema.Clip(name="c")
    clip.effects.append(otio.schema.LinearTimeWarp(time_scalar=2.0))
    clip.effects.append(otio.schema.FreezeFrame())
    for name in ("one", "two", "three"):
        clip.markers.append(otio.schema.Marker(name=name))
    assert [type(e) for e in items_of(clip.effects)] == [
        otio.schema.LinearTimeWarp,
        otio.schema.FreezeFrame,
    ]
    assert [m.name for m in items_of(clip.markers)] == ["one", "two", "three"]
    assert items_of(otio.schema.Clip().markers) == []
