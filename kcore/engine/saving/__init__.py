"""Saving and loading: HDF5 model and weight files in the Keras 1.x layout, and model
configs as JSON or YAML.

Inside: ``model_files`` (save/load models and weights), ``hdf5_format`` (the file layout),
``training_config`` (compile settings and optimizer state in a file), ``model_config``
(architecture to and from config/JSON/YAML), ``yaml_loader`` (safe YAML reading). Nothing
here imports the model classes: they are found by name in the registries.
"""
from kcore.engine.saving.model_config import (model_from_config, model_from_json,
                                              model_from_yaml)
from kcore.engine.saving.model_files import load_model, load_weights, save_model, save_weights

__all__ = ['save_model', 'load_model', 'save_weights', 'load_weights', 'model_from_config',
           'model_from_json', 'model_from_yaml']
