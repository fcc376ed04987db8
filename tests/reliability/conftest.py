"""The fault and fuzz suite: prints what it did (kills, byte flips, fuzz examples,
threads) at the end of its run."""
import os

import pytest

from fault_tools import COUNTS


def pytest_configure(config):
    # Bounded fuzzing: a fixed number of examples per test, no deadline per example (the
    # first example pays for TensorFlow's warm-up); KCORE_FUZZ_EXAMPLES raises it for
    # longer runs.
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:
        return
    settings.register_profile(
        'kcore-reliability', max_examples=int(os.environ.get('KCORE_FUZZ_EXAMPLES', '40')),
        deadline=None, derandomize=False, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    settings.load_profile('kcore-reliability')


def pytest_terminal_summary(terminalreporter):
    if not any(COUNTS.values()):
        return
    terminalreporter.section('kcore fault suite')
    terminalreporter.write_line('kills: %(kills)d, byte flips: %(byte_flips)d, fuzz examples: '
                                '%(fuzz_examples)d, threads: %(threads)d' % COUNTS)


@pytest.fixture
def counts():
    return COUNTS
