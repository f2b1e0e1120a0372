"""infogan-tf: InfoGAN for TensorFlow 2 / Keras 3.

Importing the package registers its Keras layers, so `keras.models.load_model("generator.keras")` works after
`import infogan_tf` without passing custom objects.
"""

from infogan_tf import encoder, networks  # noqa: F401  (registers the serializable layers)

__version__ = "0.1.0"
