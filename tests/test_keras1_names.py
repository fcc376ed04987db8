"""Every public name of Keras 1.1.2 (tests/keras112_names.txt, written from the
specification's KERAS112_NAMES.md by make_keras112_names.py) imports from its kcore path,
``keras.X.Y`` -> ``kcore.X.Y``; the names listed in NOT_ON_KCORE are the only ones missing.
"""
import importlib
import pathlib

import pytest

from kcore_test_helpers.processes import run_python

NAMES_FILE = pathlib.Path(__file__).with_name('keras112_names.txt')

#: (module, name) -> why the name cannot mean anything on kcore. The README lists these;
#: the test fails when a name listed here imports after all (then remove it here).
_CTC_STEP = ("an internal step of Keras 1.1.2's one-sample-at-a-time Theano CTC; kcore's CTC "
             "is one batched forward pass behind ctc_batch_cost, the same on every backend")
NOT_ON_KCORE = {('kcore.backend.theano_backend', name): _CTC_STEP for name in (
    'ctc_cost', 'ctc_create_skip_idxs', 'ctc_interleave_blanks', 'ctc_path_probs',
    'ctc_update_log_p')}

#: (module, name) -> the backend whose plugin provides it: missing only where that backend
#: is not installed (TFOptimizer wraps a TensorFlow optimizer; kcore-tf registers it).
FROM_BACKEND_PLUGINS = {('kcore.optimizers', 'TFOptimizer'): 'tensorflow'}

#: Module prefixes that other work provides: (what provides them, a module whose presence
#: says that work has landed). Until the probe module imports, a missing name under the
#: prefix is skipped; a module that raises ModuleNotFoundError (a plugin not installed,
#: or not yet written) is skipped too.
ELSEWHERE = {
    'kcore.applications': ('kcore-apps applications (issue 14)', 'kcore.applications.vgg16'),
    'kcore.datasets': ('kcore-apps datasets', 'kcore.datasets.mnist'),
    'kcore.backend': ('the Keras 1 backend modules (issue 20, item 2)', 'kcore.backend.common'),
}

#: Keras 1.1.2's per-backend modules: checked only where that backend is installed.
BACKEND_MODULES = {'kcore.backend.tensorflow_backend': 'tensorflow',
                   'kcore.backend.theano_backend': 'theano'}


def read_names():
    """[(module, [names])] from the data file."""
    modules = []
    for line in NAMES_FILE.read_text(encoding='utf-8').splitlines():
        if line and not line.startswith('#'):
            module, names = line.split(':')
            modules.append((module.strip(), names.split()))
    return modules


MODULES = read_names()


def elsewhere(module):
    """(provider, probe) for a module other work provides, else None."""
    for prefix, entry in ELSEWHERE.items():
        if module == prefix or module.startswith(prefix + '.'):
            return entry
    return None


def importable(module):
    try:
        importlib.import_module(module)
        return True
    except ModuleNotFoundError:
        return False


def missing_names(module, names):
    """{name: why} for the names that do not import from ``module``."""
    loaded = importlib.import_module(module)
    missing = {}
    for name in names:
        try:
            getattr(loaded, name)     # may be None: Keras 1.1.2's CLASS_INDEX starts so
        except (AttributeError, ImportError) as e:
            missing[name] = '%s: %s' % (type(e).__name__, e)
    return missing


def test_the_names_file_has_every_module():
    assert len(MODULES) == 54
    assert sum(len(names) for _, names in MODULES) == 865


@pytest.mark.parametrize('module, names', MODULES, ids=[m for m, _ in MODULES])
def test_names_import_from_their_kcore_path(module, names):
    provider = elsewhere(module)
    if module in BACKEND_MODULES:
        from kcore import backend as K
        if BACKEND_MODULES[module] not in K.installed_backends():
            pytest.skip('%s needs the %s backend, not installed here'
                        % (module, BACKEND_MODULES[module]))
    if provider and not importable(module):
        pytest.skip('%s comes from %s, not installed or not written yet' % (module, provider[0]))
    missing = missing_names(module, names)
    if provider and missing and not importable(provider[1]):
        pytest.skip('%s of %s come from %s, not there yet' % (sorted(missing), module,
                                                               provider[0]))
    expected = {name for (m, name) in NOT_ON_KCORE if m == module}
    from kcore import backend as K
    absent_plugins = {name for (m, name), backend in FROM_BACKEND_PLUGINS.items()
                      if m == module and backend not in K.installed_backends()}
    unexpected = {n: why for n, why in missing.items() if n not in expected | absent_plugins}
    assert not unexpected, 'Keras 1.1.2 names missing from %s: %s' % (module, unexpected)
    needless = expected - set(missing)
    assert not needless, ('%s now has %s: remove them from NOT_ON_KCORE (and from the README).'
                          % (module, sorted(needless)))


def test_not_on_kcore_lists_only_keras_names():
    known = {(m, n) for m, names in MODULES for n in names}
    assert set(NOT_ON_KCORE) <= known


def test_import_kcore_exposes_the_modules_without_a_backend_library():
    """Keras 1's ``import keras; keras.layers.Dense``, still without TensorFlow/PyTensor."""
    result = run_python('''
        import sys
        import kcore
        assert kcore.layers.Dense is kcore.layers.core.Dense
        assert kcore.models.Sequential and kcore.optimizers.SGD and kcore.utils.np_utils
        assert {'layers', 'models', 'backend', 'engine'} <= set(dir(kcore))
        loaded = sorted(m for m in ('tensorflow', 'pytensor', 'theano') if m in sys.modules)
        print('backend libraries:', loaded)
    ''')
    assert result.returncode == 0, result.stderr
    assert 'backend libraries: []' in result.stdout


def test_an_unknown_attribute_of_kcore_is_an_attribute_error():
    import kcore
    with pytest.raises(AttributeError, match='nonsense'):
        kcore.nonsense
