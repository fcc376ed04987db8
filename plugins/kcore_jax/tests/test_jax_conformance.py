"""kcore's backend conformance suite, run on the jax backend."""
from kcore.testing import BackendConformance


class TestJaxConformance(BackendConformance):
    backend_name = 'jax'
