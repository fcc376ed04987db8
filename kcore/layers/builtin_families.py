"""Built-in plugin registering the pooling, locally-connected, embedding, advanced
activation, normalization and noise layers in the 'layers' registry."""
from kcore.layers import advanced_activations, embeddings, local, noise, normalization, pooling
from kcore.plugins import hookimpl

LAYERS = (pooling.LAYERS + local.LAYERS + (embeddings.Embedding,)
          + (advanced_activations.LeakyReLU, advanced_activations.PReLU,
             advanced_activations.ELU, advanced_activations.ParametricSoftplus,
             advanced_activations.ThresholdedReLU, advanced_activations.SReLU)
          + (normalization.BatchNormalization, noise.GaussianNoise, noise.GaussianDropout))


@hookimpl
def register_layers(register):
    for layer in LAYERS:
        register(layer.__name__, layer, aliases=pooling.ALIASES.get(layer.__name__, ()))
