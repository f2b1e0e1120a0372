"""Terms added to the InfoGAN objective through one seam (`base.Regularizer`)."""

from infogan_tf.regularizers.base import Regularizer, StepContext, Terms
from infogan_tf.regularizers.categorical_invariance import CategoricalInvariance
from infogan_tf.regularizers.categorical_swap import CategoricalSwap
from infogan_tf.regularizers.contrastive import Contrastive, sample_pairs
from infogan_tf.regularizers.gradient_penalty import GradientPenalty
from infogan_tf.regularizers.perturbations import Perturbation
from infogan_tf.regularizers.real_reconstruction import RealReconstruction

__all__ = ["CategoricalInvariance", "CategoricalSwap", "Contrastive", "GradientPenalty", "Perturbation",
           "RealReconstruction", "Regularizer", "StepContext", "Terms", "sample_pairs"]
