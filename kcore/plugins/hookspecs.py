"""The hooks a kcore plugin implements: one ``register_*`` hook per kind of thing.

Each ``register_*`` hook receives ``register(name, obj, aliases=())``. ``obj`` is the
object itself, or a ``'module:attribute'`` string that kcore imports only when the name
is first looked up (backends use this, so that ``import kcore`` stays light). kcore
checks each object (see :mod:`kcore.plugins.checks`): ``register`` raises TypeError for
one its kind cannot use. Each call of a hook is one transaction: a hook that raises
registers nothing.
"""
from kcore.plugins import hookspec

KINDS = ('backends', 'layers', 'optimizers', 'losses', 'metrics', 'activations',
         'initializations', 'regularizers', 'constraints', 'callbacks', 'applications',
         'datasets')


@hookspec
def register_backends(register):
    """Register backend classes (subclasses of kcore.backend.protocol.Backend)."""


@hookspec
def report_versions():
    """Return ``{distribution: version}`` of the libraries this plugin runs on (e.g. its
    backend's library), for ``kcore info``; without importing them where possible."""


@hookspec
def native_libraries():
    """Return the native libraries this plugin builds (a list of kcore.native.Library), for
    ``kcore build`` and the first-use build message; without importing its backend."""


@hookspec
def cache_folders():
    """Return ``{what: path}`` of the cache folders this plugin's libraries fill (e.g.
    PyTensor's compiled code), for ``kcore info``; without importing them where possible."""


@hookspec
def register_layers(register):
    """Register layer classes, so configs and saved models naming them load."""


@hookspec
def register_optimizers(register):
    """Register optimizer classes (``compile(optimizer='name')``)."""


@hookspec
def register_losses(register):
    """Register loss functions (``compile(loss='name')``)."""


@hookspec
def register_metrics(register):
    """Register metric functions (``compile(metrics=['name'])``)."""


@hookspec
def register_activations(register):
    """Register activation functions (``Dense(activation='name')``)."""


@hookspec
def register_initializations(register):
    """Register weight initializations (``Dense(init='name')``)."""


@hookspec
def register_regularizers(register):
    """Register regularizer classes and shortcuts."""


@hookspec
def register_constraints(register):
    """Register weight constraints."""


@hookspec
def register_callbacks(register):
    """Register callback classes."""


@hookspec
def register_applications(register):
    """Register pretrained applications (``kcore.applications.<name>``)."""


@hookspec
def register_datasets(register):
    """Register datasets (``kcore.datasets.<name>``)."""
