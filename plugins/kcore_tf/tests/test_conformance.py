"""kcore's backend conformance suite, run on the TensorFlow backend."""
from kcore.testing import BackendConformance


class TestTensorFlowConformance(BackendConformance):
    backend_name = 'tensorflow'
