"""Split strings such as "train", "test[:9000]", "train[10%:20%]": parsed once, applied by every source.

The grammar and rounding follow TFDS slicing (percent bounds round to the closest example), so "train[:10%]" selects
the same examples whether the source is TFDS, IDX files, a folder or the procedural shapes.
"""

from __future__ import annotations

import dataclasses
import re

from infogan_tf.datasets.base import DatasetError

_SPLIT_RE = re.compile(r"^(?P<name>[A-Za-z_]\w*)(?:\[(?P<start>-?\d+%?)?:(?P<stop>-?\d+%?)?\])?$")


@dataclasses.dataclass(frozen=True)
class Split:
    """A named split with an optional [start:stop] slice.

    Attributes:
        text: the split string as given (passed through unchanged to TFDS).
        name: "train", "test", ...
        start, stop: slice bounds (negative counts from the end), None for the split's beginning/end.
        percent: whether the bounds are percentages of the split rather than example indices.
    """

    text: str
    name: str
    start: int | None = None
    stop: int | None = None
    percent: bool = False

    def bounds(self, num_examples: int) -> tuple[int, int]:
        """The [start, stop) example range this split selects out of `num_examples`.

        Raises:
            DatasetError: when a bound lies outside the split (as TFDS does) or the slice is empty, which would make
                a repeated dataset loop forever.
        """
        resolved = []
        for bound, default in ((self.start, 0), (self.stop, num_examples)):
            if bound is None:
                resolved.append(default)
                continue
            index = round(bound * num_examples / 100.0) if self.percent else bound
            if abs(index) > num_examples:
                raise DatasetError(f"split {self.text!r} is out of range: the split has {num_examples} examples")
            resolved.append(index + num_examples if index < 0 else index)
        start, stop = resolved
        if stop <= start:
            raise DatasetError(f"split {self.text!r} selects no examples: the split has {num_examples}")
        return start, stop

    def size(self, num_examples: int) -> int:
        start, stop = self.bounds(num_examples)
        return stop - start

    def check_available(self, available: tuple[str, ...], dataset: str) -> None:
        """Rejects a split name the dataset does not have, listing those it has."""
        if self.name not in available:
            raise DatasetError(
                f"dataset {dataset!r} has no split {self.name!r} (in {self.text!r}); it has: {', '.join(available)}"
            )


def parse_split(text: str) -> Split:
    """Parses a split string once, so every source sees the same slice.

    Raises:
        DatasetError: naming the string when it does not match name[start:stop].
    """
    match = _SPLIT_RE.match(text.strip())
    bounds = [match[key] if match else None for key in ("start", "stop")]
    units = {bound.endswith("%") for bound in bounds if bound is not None}
    if match is None or len(units) > 1 or ("[" in text and not units):
        raise DatasetError(
            f"bad split {text!r}: expected a name with an optional slice whose bounds are both counts or both "
            "percentages, e.g. 'train', 'test[:9000]', 'train[10%:20%]'"
        )
    start, stop = (None if bound is None else int(bound.rstrip("%")) for bound in bounds)
    return Split(text=text.strip(), name=match["name"], start=start, stop=stop, percent=units == {True})
