"""`--config=NAME`: the configs shipped inside the package, usable from any folder."""

import os
from pathlib import Path

import pytest
from absl import flags

from infogan_tf import config, named_configs

ROOT = Path(__file__).resolve().parents[1]


def test_every_config_of_the_checkout_ships_with_the_package():
    shipped = sorted(path.name for path in named_configs.CONFIG_DIR.glob("*.cfg"))
    assert shipped == sorted(path.name for path in (ROOT / "configs").glob("*.cfg"))
    assert {"quickstart", "mnist", "shapes", "tiny_test"} <= set(named_configs.names())


def test_a_config_by_name_expands_in_place_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = named_configs.expand_config_flags(["prog", "--seed=1", "--config=tiny_test", "--train_steps=2"],
                                             flags.FlagValues())
    assert argv[:3] == ["prog", "--seed=1", "--config=tiny_test"]
    assert "--codes=cat:3,cont:1" in argv and argv.index("--train_steps=4") < argv.index("--train_steps=2")
    assert argv[-1] == "--train_steps=2"
    assert os.getcwd() == str(tmp_path)


@pytest.mark.parametrize("spelling", [["-config=tiny_test"], ["-config", "tiny_test"]])
def test_a_config_named_with_one_dash_expands_too(tmp_path, monkeypatch, spelling):
    monkeypatch.chdir(tmp_path)
    argv = named_configs.expand_config_flags(["prog", *spelling, "--train_steps=2"], flags.FlagValues())
    assert argv[1:1 + len(spelling)] == spelling
    assert argv.index("--train_steps=4") < argv.index("--train_steps=2")


def test_a_config_that_includes_another_resolves_it_inside_the_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = named_configs.expand_config_flags(["prog", "--config", "shapes"], flags.FlagValues())
    assert argv[1:3] == ["--config", "shapes"]
    assert "--spectral_norm" in argv and argv.index("--dataset=dsprites") < argv.index("--dataset=shapes")


@pytest.mark.parametrize("name", ["nope", "../configs/mnist", "mnist.cfg"])
def test_an_unknown_config_is_refused_with_the_known_names(name):
    with pytest.raises(config.ConfigError, match=rf"--config={name}: no such config; known configs: .*quickstart"):
        named_configs.expand_config_flags(["prog", f"--config={name}"], flags.FlagValues())


@pytest.mark.parametrize("spelling", [["--flagfile={}"], ["-flagfile={}"], ["--flagfile", "{}"], ["-flagfile", "{}"]])
def test_a_copied_config_whose_include_is_shipped_reads_it_from_the_package(tmp_path, monkeypatch, spelling):
    copy = tmp_path / "mine" / "fast.cfg"
    copy.parent.mkdir()
    copy.write_text((ROOT / "configs" / "mnist_fast.cfg").read_text())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    named = [part.format(copy) for part in spelling]
    argv = named_configs.expand_config_flags(["prog", *named, "--seed=3"], flags.FlagValues())
    assert not any(arg.startswith("--flagfile") for arg in argv)
    assert argv.index("--batch_size=128") < argv.index("--network_width=0.75") < argv.index("--seed=3")
    assert os.getcwd() == str(elsewhere)


@pytest.mark.parametrize("include", ["configs/mnist.cfg", "configs/not_shipped.cfg"])
def test_a_flagfile_absl_can_read_or_nobody_can_is_left_to_absl(tmp_path, monkeypatch, include):
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "mnist.cfg").write_text("--seed=5\n")
    (tmp_path / "run.cfg").write_text(f"--flagfile={include}\n--train_steps=2\n")
    monkeypatch.chdir(tmp_path)
    argv = ["prog", "--flagfile=run.cfg"]
    assert named_configs.expand_config_flags(argv, flags.FlagValues()) == argv
