"""Shared fixtures: keep every test on float32 unless it asks otherwise, and tiny, deterministic models."""

import keras
import pytest

from infogan_tf import runtime


@pytest.fixture(autouse=True, scope="session")
def _auto_precision_is_float32():
    """`--precision=auto` resolves to float32 in tests whatever the host CPU, so results do not depend on the machine
    (session-wide, so module-scoped fixtures that train see it too)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime, "cpu_flags", lambda *args: set())
        yield


@pytest.fixture(autouse=True)
def _float32_policy():
    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(0)
    yield
    keras.mixed_precision.set_global_policy("float32")
