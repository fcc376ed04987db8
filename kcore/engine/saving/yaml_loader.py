"""Reading model YAML safely: plain YAML plus the ``!!python/tuple`` tag that Keras 1.x
wrote for shapes, and nothing that could build arbitrary Python objects."""
import yaml


class YAMLConfigError(ValueError, yaml.YAMLError):
    """Text that is not a model's YAML (python tags included: refused, never run)."""


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads ``!!python/tuple`` (as a tuple)."""


_Loader.add_constructor('tag:yaml.org,2002:python/tuple',
                        lambda loader, node: tuple(loader.construct_sequence(node)))


def load(text):
    """The Python value of the YAML document ``text``."""
    return yaml.load(text, Loader=_Loader)
