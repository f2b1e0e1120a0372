"""infogan-tf: InfoGAN for TensorFlow 2 / Keras 3.

Importing the package registers its Keras layers, so `keras.models.load_model("generator.keras")` works after
`import infogan_tf` without passing custom objects. `train`, `evaluate` and `export_servables` are the library as
Python functions (see `infogan_tf.api`).
"""

from infogan_tf import encoder, networks  # noqa: F401  (registers the serializable layers)
from infogan_tf.api import TrainedRun, evaluate, export_servables, train  # noqa: F401

__version__ = "0.1.0"
