"""`--precision=auto`: which policy a host gets, and that a run records the policy it really trained with."""

import json

import pytest
import tiny_run

from infogan_tf import config, runtime, train_lib, workdir
from infogan_tf.runtime import cpu_flags as read_cpu_flags  # the real one: conftest replaces runtime.cpu_flags

TINY = {**tiny_run.TINY, "train_steps": 2}


@pytest.mark.parametrize("capabilities, policy", [
    ([(8, 0)], "mixed_bfloat16"),
    ([(9, 0), (8, 6)], "mixed_bfloat16"),
    ([(7, 5)], "mixed_float16"),
    ([(8, 0), (7, 0)], "mixed_float16"),
    ([(6, 1)], "float32"),
])
def test_auto_on_gpus_follows_the_oldest_compute_capability(capabilities, policy):
    chosen, reason = runtime.auto_precision(gpu_capabilities=capabilities, host_cpu_flags={"avx512_bf16"})
    oldest = min(capabilities)
    assert chosen == policy
    assert f"{oldest[0]}.{oldest[1]}" in reason


@pytest.mark.parametrize("flags, machine, policy", [
    ({"avx2", "avx512f", "avx512_bf16"}, "x86_64", "mixed_bfloat16"),
    ({"avx2", "amx_bf16"}, "x86_64", "mixed_bfloat16"),
    ({"avx2", "fma"}, "x86_64", "float32"),
    ({"avx512f", "avx512_vnni"}, "x86_64", "float32"),
    (set(), "x86_64", "float32"),
    ({"avx512_bf16"}, "aarch64", "float32"),
])
def test_auto_on_cpus_takes_bf16_only_with_native_instructions(flags, machine, policy):
    chosen, reason = runtime.auto_precision(gpu_capabilities=[], host_cpu_flags=flags, machine=machine)
    assert chosen == policy
    assert ("native bf16 (" in reason) == (policy == "mixed_bfloat16")


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx2 avx512_bf16\n\n"
                       "processor\t: 1\nflags\t\t: fpu sse2 avx2 avx512_bf16\n")
    assert read_cpu_flags(cpuinfo) == {"fpu", "sse2", "avx2", "avx512_bf16"}
    assert read_cpu_flags(tmp_path / "missing") == set()


def test_explicit_policies_are_kept():
    for policy in ("float32", "mixed_float16", "mixed_bfloat16"):
        assert runtime.resolve_precision(policy) == policy


def test_auto_is_the_default_and_a_choice():
    assert config.TrainConfig(workdir="w").precision == "auto"
    with pytest.raises(config.ConfigError, match="precision must be one of"):
        config.TrainConfig(workdir="w", precision="bfloat16")


@pytest.mark.parametrize("flags, trained_with", [(set(), "float32"), ({"avx512_bf16"}, "mixed_bfloat16")])
def test_an_auto_run_records_the_policy_it_trained_with(tmp_path, monkeypatch, flags, trained_with):
    monkeypatch.setattr(runtime, "cpu_flags", lambda *args: flags)
    monkeypatch.setattr(runtime.platform, "machine", lambda: "x86_64")
    cfg = config.TrainConfig(workdir=str(tmp_path / "run"), precision="auto", **TINY)
    summary = train_lib.train(cfg)
    run = workdir.Workdir(cfg.workdir)
    assert summary["precision"] == trained_with
    assert json.loads(run.config_file.read_text())["precision"] == trained_with
