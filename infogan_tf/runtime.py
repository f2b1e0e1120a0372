"""Devices, distribution strategy and numeric precision: set once, before any model exists."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import keras
import tensorflow as tf
from absl import logging

from infogan_tf.fused_adam import FusedAdam


class SetupError(ValueError):
    """A strategy/precision/device request this machine or configuration cannot honour."""


def split_cpu(num_devices: int) -> None:
    """Splits the CPU into `num_devices` logical devices so MirroredStrategy can run (and be tested) without GPUs.

    Must run before TensorFlow touches a device; afterwards TensorFlow refuses, and we say so.
    """
    if num_devices <= 1:
        return
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * num_devices)
    except RuntimeError as error:
        current = len(tf.config.list_logical_devices("CPU"))
        if current != num_devices:
            raise SetupError(
                f"--cpu_devices={num_devices} must be set before TensorFlow initialises (it already has {current})"
            ) from error


def make_strategy(name: str) -> tf.distribute.Strategy:
    """auto: MirroredStrategy over all GPUs when more than one is visible, else the default strategy."""
    if name == "auto":
        gpus = tf.config.list_logical_devices("GPU")
        name = "mirrored" if len(gpus) > 1 else "default"
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        return tf.distribute.MirroredStrategy(devices)
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise SetupError("--strategy=multi_worker needs the TF_CONFIG environment variable (cluster and task)")
        try:
            json.loads(os.environ["TF_CONFIG"])
        except json.JSONDecodeError as error:
            raise SetupError(f"TF_CONFIG is not valid JSON: {error}") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise SetupError(f"unknown strategy {name!r}")


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process owns the workdir: always, except for the non-chief workers of a multi-worker cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def strategy_name(strategy: tf.distribute.Strategy) -> str:
    """The public name of a strategy (TF's class names include private aliases)."""
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return "MultiWorkerMirroredStrategy"
    if isinstance(strategy, tf.distribute.MirroredStrategy):
        return "MirroredStrategy"
    return "DefaultStrategy" if strategy is tf.distribute.get_strategy() else type(strategy).__name__


def describe(strategy: tf.distribute.Strategy) -> str:
    return f"{strategy_name(strategy)} with {strategy.num_replicas_in_sync} replica(s) in sync"


# CPU flags of native bfloat16 arithmetic (x86: AVX-512 BF16, AMX): without them TensorFlow emulates bf16 on CPU and a
# mixed_bfloat16 step is several times slower than float32.
NATIVE_BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    """The host CPU's feature flags (x86 Linux); empty where they cannot be read, which `auto` treats as "none"."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "flags":
            return set(value.split())
    return set()


def auto_precision(gpu_capabilities: list[tuple[int, int]] | None = None, host_cpu_flags: set[str] | None = None,
                   machine: str | None = None) -> tuple[str, str]:
    """The fastest policy that trains as well as float32 on this host's devices, and why it was chosen.

    GPUs (the oldest one decides): compute capability 8.0+ (A100, RTX 30xx and newer) has bf16 tensor cores and needs
    no loss scaling; 7.x (V100, T4, RTX 20xx) has fp16 tensor cores; older ones gain nothing. CPUs: bf16 only with
    native bf16 instructions, since emulated bf16 trains several times slower than float32 (README, Results).
    """
    if gpu_capabilities is None:
        gpu_capabilities = [_compute_capability(gpu) for gpu in tf.config.list_physical_devices("GPU")]
    if gpu_capabilities:
        oldest = min(gpu_capabilities)
        described = f"GPU compute capability {oldest[0]}.{oldest[1]}"
        if oldest >= (8, 0):
            return "mixed_bfloat16", described
        if oldest >= (7, 0):
            return "mixed_float16", described
        return "float32", described
    machine = platform.machine().lower() if machine is None else machine
    host_cpu_flags = cpu_flags() if host_cpu_flags is None else host_cpu_flags
    native = sorted(NATIVE_BF16_CPU_FLAGS & host_cpu_flags) if machine in ("x86_64", "amd64") else []
    if native:
        return "mixed_bfloat16", f"CPU with native bf16 ({', '.join(native)})"
    return "float32", "CPU without native bf16"


def _compute_capability(gpu) -> tuple[int, int]:
    return tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability") or (0, 0))


def resolve_precision(policy: str) -> str:
    """`policy` itself, or for `auto` the policy `auto_precision` picks for this host (logged with its reason)."""
    if policy != "auto":
        return policy
    chosen, reason = auto_precision()
    logging.info("--precision=auto: %s (%s)", chosen, reason)
    return chosen


def set_precision(policy: str) -> None:
    keras.mixed_precision.set_global_policy(policy)
    logging.info("Precision policy: %s", policy)


def make_optimizer(learning_rate: float, beta_1: float, beta_2: float, policy: str) -> keras.optimizers.Optimizer:
    """Adam (fused), wrapped for dynamic loss scaling under float16 (bfloat16 has float32's range and needs none)."""
    optimizer = FusedAdam(learning_rate, beta_1=beta_1, beta_2=beta_2)
    if policy == "mixed_float16":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def check_batch(global_batch: int, strategy: tf.distribute.Strategy) -> int:
    """The per-replica batch; a global batch that does not split evenly is refused."""
    replicas = strategy.num_replicas_in_sync
    if global_batch % replicas:
        raise SetupError(f"--batch_size={global_batch} does not divide by the {replicas} replicas in sync")
    return global_batch // replicas
