"""The configs shipped inside the package, by bare name: `--config=mnist` works from any folder, not only a checkout.

A config may include another one (`--flagfile=configs/dsprites.cfg`); absl resolves such paths against the current
folder, so they are expanded here with the package folder as the current one, by absl's own flagfile reader. The same
holds for a flagfile given by path whose includes name shipped configs (a copy of `configs/mnist_fast.cfg` used from
another folder): when they cannot be read from the current folder, they are read from the package.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from absl import flags

from infogan_tf.config import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent
CONFIG_DIR = PACKAGE_ROOT / "configs"
# The names absl accepts for a flag on a command line; its value follows "=" or is the next argument.
FLAGFILE_SPELLINGS = ("--flagfile", "-flagfile")
CONFIG_SPELLINGS = ("--config", "-config")


def names() -> list[str]:
    """The bare names `--config` accepts."""
    return sorted(path.stem for path in CONFIG_DIR.glob("*.cfg"))


def config_path(name: str) -> Path:
    """The file of a shipped config; an unknown name is refused with the list of known ones."""
    path = CONFIG_DIR / f"{name}.cfg"
    if "/" in name or os.sep in name or not path.is_file():
        raise ConfigError(f"--config={name}: no such config; known configs: {', '.join(names())} "
                          "(for a file of your own use --flagfile=PATH)")
    return path


def expand_config_flags(argv: Sequence[str], flag_values: flags.FlagValues) -> list[str]:
    """argv with each `--config=NAME` followed by that config's flags, so later flags win, and each flagfile whose
    includes only the package holds replaced by its flags; both flags in any spelling absl accepts."""
    expanded: list[str] = []
    rest = list(argv)
    while rest:
        given = [rest.pop(0)]
        flag, equals, value = given[0].partition("=")
        if flag in FLAGFILE_SPELLINGS + CONFIG_SPELLINGS and not equals and rest:
            value, equals = rest.pop(0), "="
            given.append(value)
        if flag in FLAGFILE_SPELLINGS and equals:
            expanded.extend(_with_shipped_includes(f"--flagfile={value}", flag_values))
        elif flag in CONFIG_SPELLINGS and equals:
            expanded.extend([*given, *_flags_of(config_path(value), flag_values)])
        else:
            expanded.extend(given)
    return expanded


def _with_shipped_includes(arg: str, flag_values: flags.FlagValues) -> list[str]:
    """[arg] when absl can read the flagfile from the current folder (or not at all: absl then says why); its flags,
    read with the package folder as the current one, when only there do its includes exist."""
    path = Path(arg.partition("=")[2])
    try:
        flag_values.read_flags_from_files([arg], force_gnu=True)
        return [arg]
    except flags.Error:
        if not path.is_file():
            return [arg]
    try:
        return _flags_of(path.resolve(), flag_values)
    except flags.Error:
        return [arg]


def _flags_of(path: Path, flag_values: flags.FlagValues) -> list[str]:
    previous = os.getcwd()
    os.chdir(PACKAGE_ROOT)
    try:
        return flag_values.read_flags_from_files([f"--flagfile={path}"], force_gnu=True)
    finally:
        os.chdir(previous)


def config_flags(source: str | os.PathLike) -> list[str]:
    """The flags of a shipped config (a bare name such as "mnist") or of a flagfile (a path), includes expanded."""
    if isinstance(source, str) and source in names():
        return _flags_of(config_path(source), flags.FlagValues())
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"config {source}: no such file and no shipped config of that name (known configs: "
                          f"{', '.join(names())})")
    flag_values = flags.FlagValues()
    try:
        return flag_values.read_flags_from_files(_with_shipped_includes(f"--flagfile={path}", flag_values),
                                                 force_gnu=True)
    except flags.Error as error:
        raise ConfigError(f"config {source}: {error}") from None
