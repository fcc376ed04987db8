"""Testing tools for kcore and its plugins; ``BackendConformance`` checks a backend."""
import pytest

# Plain asserts in the check modules get pytest's detailed failure messages.
pytest.register_assert_rewrite('kcore.testing.conformance')

from kcore.testing.conformance import BackendConformance  # noqa: E402

__all__ = ['BackendConformance']
