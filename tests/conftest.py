"""Shared fixtures: keep every test on float32 unless it asks otherwise, and tiny, deterministic models."""

import keras
import pytest


@pytest.fixture(autouse=True)
def _float32_policy():
    keras.mixed_precision.set_global_policy("float32")
    keras.utils.set_random_seed(0)
    yield
    keras.mixed_precision.set_global_policy("float32")
