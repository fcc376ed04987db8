import pytest

from kcore.backend import get_backend


@pytest.fixture
def K():
    """The JAX backend with a fresh session, cleared again afterwards."""
    backend = get_backend('jax')
    backend.clear_session()
    yield backend
    backend.clear_session()
