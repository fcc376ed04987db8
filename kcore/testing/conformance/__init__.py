"""The backend conformance suite: every protocol function checked against numpy.

A backend plugin runs all of it with one short test module::

    from kcore.testing import BackendConformance

    class TestMyBackendConformance(BackendConformance):
        backend_name = 'mybackend'
"""
import pytest

from kcore.backend.protocol import protocol_functions

from .config_checks import ConfigChecks
from .control_checks import ControlChecks
from .conv_checks import ConvChecks
from .math_checks import MathChecks
from .nn_checks import NNChecks
from .shape_checks import ShapeChecks
from .variable_checks import VariableChecks

__all__ = ['BackendConformance', 'checked_function']


def checked_function(test_name, functions):
    """The protocol function a test method checks: the longest name f with the method
    called test_f or test_f_<variant> (so test_update_add checks update_add, not update)."""
    owners = [f for f in functions
              if test_name == 'test_' + f or test_name.startswith('test_' + f + '_')]
    return max(owners, key=len) if owners else None


class BackendConformance(ConfigChecks, VariableChecks, MathChecks, ShapeChecks, NNChecks,
                         ConvChecks, ControlChecks):
    """Subclass with ``backend_name`` set to the registered name of the backend to check."""

    backend_name = None

    @pytest.fixture
    def K(self):
        """The backend, in a fresh session; config and learning phase restored afterwards."""
        from kcore.backend import get_backend

        backend = get_backend(self.backend_name)
        saved = (backend.floatx(), backend.epsilon(), backend.image_dim_ordering())
        phase = backend.learning_phase()
        backend.clear_session()  # a new graph; uids restart; the learning phase is fed again
        # Keras' defaults, whatever the user's kcore.json says (tolerances assume float32).
        backend.set_floatx('float32')
        backend.set_epsilon(1e-7)
        backend.set_image_dim_ordering('tf')
        yield backend
        backend.set_floatx(saved[0])
        backend.set_epsilon(saved[1])
        backend.set_image_dim_ordering(saved[2])
        backend.clear_session()  # drops what the check built and a learning phase it fixed
        if isinstance(phase, int):
            backend.set_learning_phase(phase)

    def test_every_protocol_function_is_checked(self):
        functions = protocol_functions()
        tests = [name for name in dir(type(self)) if name.startswith('test_')]
        checked = {checked_function(name, functions) for name in tests}
        missing = [f for f in functions if f not in checked]
        assert not missing, 'protocol functions without a test_<name> check: %s' % missing
