from kcore.testing import BackendConformance


class TestTheanoConformance(BackendConformance):
    backend_name = 'theano'
