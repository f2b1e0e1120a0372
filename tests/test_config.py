from pathlib import Path

import pytest

from infogan_tf import code_kinds, config


def test_read_flagfile_parses_values_booleans_comments_and_nesting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base.cfg").write_text("# base\n--batch_size=32\n--batch_norm\n--codes=cat:10\n")
    (tmp_path / "run.cfg").write_text("--flagfile=base.cfg\n\n--nobatch_norm\n--batch_size=16\n--cpu_devices=2\n")
    values = config.read_flagfile(tmp_path / "run.cfg")
    assert values == {"batch_size": "16", "batch_norm": "false", "codes": "cat:10", "cpu_devices": "2"}
    cfg = config.config_from_flags(values, workdir="w")
    assert cfg.batch_size == 16 and cfg.batch_norm is False and cfg.codes == "cat:10" and cfg.image_size is None


def test_config_from_flags_names_a_bad_value():
    with pytest.raises(config.ConfigError, match="--batch_size=many"):
        config.config_from_flags({"batch_size": "many"}, workdir="w")


def test_config_rejects_bad_choices():
    with pytest.raises(config.ConfigError, match="precision"):
        config.TrainConfig(workdir="w", precision="float8")
    with pytest.raises(config.ConfigError, match="train_steps must be >= 1"):
        config.TrainConfig(workdir="w", train_steps=0)
    with pytest.raises(config.ConfigError, match="categorical_invariance_weight must be >= 0, got -1"):
        config.TrainConfig(workdir="w", categorical_invariance_weight=-1.0)
    with pytest.raises(config.ConfigError, match="invariance_rotation_deg must be in"):
        config.TrainConfig(workdir="w", invariance_rotation_deg=200.0)


@pytest.mark.parametrize("field, value, message", [
    ("invariance_scale_change", 1.0, "invariance_scale_change must be in"),
    ("invariance_shift_px", -1.0, "invariance_shift_px must be >= 0"),
    ("invariance_batch_fraction", 0.3, "invariance_batch_fraction must be 1/n"),
    ("invariance_batch_fraction", 0.0, "invariance_batch_fraction must be 1/n"),
    ("invariance_batch_fraction", 1.5, "invariance_batch_fraction must be 1/n"),
    ("contrastive_weight", -0.5, "contrastive_weight must be >= 0"),
    ("contrastive_start_step", -1, "contrastive_start_step must be >= 0"),
    ("contrastive_end_step", -1, "contrastive_end_step must be >= 0"),
    ("contrastive_gap", 2.5, "contrastive_gap must be in"),
    ("g_steps_per_d_step", 0, "g_steps_per_d_step must be >= 1"),
])
def test_config_rejects_bad_regulariser_settings(field, value, message):
    with pytest.raises(config.ConfigError, match=message):
        config.TrainConfig(workdir="w", **{field: value})


@pytest.mark.parametrize("start, end", [(500, 500), (500, 200)])
def test_config_refuses_a_contrastive_end_step_not_after_its_start(start, end):
    with pytest.raises(config.ConfigError, match=f"contrastive_end_step must be after contrastive_start_step "
                                                 f"\\({start}\\) or 0, got {end}"):
        config.TrainConfig(workdir="w", contrastive_start_step=start, contrastive_end_step=end)


def test_every_shipped_config_parses(tmp_path, monkeypatch):
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    for path in sorted((root / "configs").glob("*.cfg")):
        cfg = config.config_from_flags(config.read_flagfile(path), workdir=str(tmp_path))
        assert cfg.train_steps >= 1, path
        assert path.read_text().startswith("#"), f"{path.name} must start with a comment saying what it reproduces"


@pytest.mark.parametrize("given, expected", [("auto", "auto"), ("2", 2), (1, 1), ("0", 0)])
def test_verbose_becomes_what_keras_understands(given, expected):
    assert config.TrainConfig(workdir="w", verbose=given).verbose == expected
    assert config.config_from_flags({"verbose": str(given)}, workdir="w").verbose == expected


@pytest.mark.parametrize("given", ["loud", 3, True])
def test_verbose_rejects_what_keras_does_not_take(given):
    with pytest.raises(config.ConfigError, match="verbose must be 'auto', 0, 1 or 2"):
        config.TrainConfig(workdir="w", verbose=given)


def test_every_training_option_is_one_field_and_its_flag_comes_from_it():
    import dataclasses

    from absl import flags

    from infogan_tf.cli import config_flags

    flag_values = flags.FlagValues()  # not the global FLAGS, where the programs' own flags live in this process
    config_flags.define_config_flags(flag_values)
    for field in dataclasses.fields(config.TrainConfig):
        flag = flag_values[field.name]
        assert field.metadata["help"] and flag.help.endswith(field.metadata["help"])
        assert flag.default == (None if field.default is dataclasses.MISSING else field.default)
    with pytest.raises(flags.IllegalFlagValueError):
        flag_values["batch_size"].parse("0")
    with pytest.raises(flags.IllegalFlagValueError):
        flag_values["precision"].parse("float8")


def test_a_workdir_config_comes_from_config_json_else_from_an_older_runs_flags_file(tmp_path):
    from infogan_tf import workdir

    run = workdir.Workdir(tmp_path)
    assert run.read_config() is None
    run.flags_file.write_text("--codes=cat:4\n--seed=3\n")
    assert (run.read_config().codes, run.read_config().seed, run.read_config().workdir) == ("cat:4", 3, str(tmp_path))
    trained = config.TrainConfig(workdir="/elsewhere/run", codes="cat:5,cont:2", spectral_norm=True, verbose=2)
    workdir.atomic_write_json(run.config_file, {**config.to_json(trained), "option_of_a_later_version": 1})
    assert run.read_config() == config.TrainConfig(**{**config.to_json(trained), "workdir": str(tmp_path)})
    run.config_file.write_text("{not json")
    with pytest.raises(config.ConfigError, match=r"config.json is not valid JSON"):
        run.read_config()


def test_mi_weights_are_one_option_keyed_by_kind_and_the_per_kind_flags_still_work():
    keyed = config.TrainConfig(workdir="w", mi_weights="continuous:0.1, categorical:1")
    assert keyed.mi_weight_by_kind() == {"categorical": 1.0, "continuous": 0.1, "bernoulli": 1.0}
    alias = config.TrainConfig(workdir="w", mi_weight_continuous=0.1, mi_weight_bernoulli=0.5)
    assert alias.mi_weight_by_kind() == {"categorical": 1.0, "continuous": 0.1, "bernoulli": 0.5}
    both = config.TrainConfig(workdir="w", mi_weights="continuous:0.1", mi_weight_bernoulli=0.5)
    assert both.mi_weight_by_kind()["bernoulli"] == 0.5
    agreeing = config.TrainConfig(workdir="w", mi_weights="continuous:0.1", mi_weight_continuous=0.1)
    assert agreeing.mi_weight_by_kind()["continuous"] == 0.1


@pytest.mark.parametrize("text, message", [
    ("continuous", "'continuous' is not KIND:VALUE"),
    ("continuous:x", "'continuous:x' is not KIND:VALUE"),
    ("continuous:-1", "with a lambda >= 0"),
    (":1", "':1' is not KIND:VALUE"),
    ("continuous:1,continuous:2", "names 'continuous' twice"),
])
def test_mi_weights_refuse_what_they_cannot_read(text, message):
    with pytest.raises(config.ConfigError, match=message):
        config.TrainConfig(workdir="w", mi_weights=text)


def test_mi_weights_name_the_unknown_kind_and_a_conflict_with_the_per_kind_flag():
    with pytest.raises(config.ConfigError, match="unknown code kind 'gaussian'; kinds: categorical, continuous"):
        config.TrainConfig(workdir="w", mi_weights="gaussian:1").mi_weight_by_kind()
    with pytest.raises(config.ConfigError, match="sets continuous to 0.1 but --mi_weight_continuous=0.5: give one"):
        config.TrainConfig(workdir="w", mi_weights="continuous:0.1", mi_weight_continuous=0.5).mi_weight_by_kind()


def test_the_traversal_range_default_is_the_range_older_exports_are_read_with():
    """The explorer reads an export that does not record its range with code_kinds.CONTINUOUS_RANGE, which must be
    what --traversal_range defaulted to when it was trained."""
    assert config.TrainConfig(workdir="unused").traversal_range == code_kinds.CONTINUOUS_RANGE[1]
