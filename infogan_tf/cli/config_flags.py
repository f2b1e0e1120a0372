"""The training flags, derived from `TrainConfig`'s fields: each field holds its default, help, choices and bounds.

Its own module, free of import-time definitions, so a test can define the flags into a fresh `FlagValues`.
"""

from __future__ import annotations

import dataclasses

from absl import flags

from infogan_tf import config as config_lib


def define_config_flags(flag_values: flags.FlagValues) -> None:
    """One flag per TrainConfig field, from the field's type, default, help text and choices or bounds."""
    for field in dataclasses.fields(config_lib.TrainConfig):
        name, meta = field.name, field.metadata
        default = None if field.default is dataclasses.MISSING else field.default
        kind = config_lib.field_type(name)
        if meta["choices"]:
            flags.DEFINE_enum(name, default, list(meta["choices"]), meta["help"], flag_values=flag_values)
        elif kind is bool:
            flags.DEFINE_boolean(name, default, meta["help"], flag_values=flag_values)
        elif kind in (int, float):
            define = flags.DEFINE_integer if kind is int else flags.DEFINE_float
            define(name, default, meta["help"], lower_bound=meta["lower"], upper_bound=meta["upper"],
                   flag_values=flag_values)
        else:
            flags.DEFINE_string(name, default, meta["help"], flag_values=flag_values)
