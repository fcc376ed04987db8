"""scikit-learn estimators around kcore models (``keras.wrappers.scikit_learn``).

``KerasClassifier(build_fn, **sk_params)`` and ``KerasRegressor(build_fn, **sk_params)``
build a new compiled model with ``build_fn`` at every ``fit`` and follow scikit-learn's
estimator API, so ``clone``, ``cross_val_score``, ``GridSearchCV`` and ``Pipeline`` work
with them. They do not need scikit-learn themselves.

``fit`` returns the model's History, as in Keras 1.1.2; scikit-learn ignores what ``fit``
returns, and the fitted estimator is the wrapper itself.
"""
import difflib
import inspect
import os
import tempfile

import numpy as np

from kcore.engine.saving import load_model, save_model
from kcore.models import Sequential
from kcore.utils.np_utils import to_categorical

__all__ = ['BaseWrapper', 'KerasClassifier', 'KerasRegressor', 'Sequential', 'to_categorical']

# The Sequential methods whose arguments sk_params may set, as in Keras 1.1.2.
_METHODS = ('fit', 'predict', 'predict_classes', 'predict_proba', 'evaluate')
_DATA_ARGUMENTS = ('self', 'x', 'y')


class NotFittedError(ValueError, AttributeError):
    """A wrapper is asked to predict or score before ``fit`` (the same bases as
    scikit-learn's NotFittedError, so code that catches either catches this)."""


def _arguments(fn):
    """(the names ``fn`` accepts by keyword, whether it also takes ``**kwargs``)."""
    parameters = inspect.signature(fn).parameters.values()
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return names, any(p.kind == p.VAR_KEYWORD for p in parameters)


def _defaults(method):
    """{argument: default} of a Sequential method, its data arguments aside."""
    return {p.name: p.default for p in inspect.signature(method).parameters.values()
            if p.default is not p.empty and p.name not in _DATA_ARGUMENTS}


def _training_arguments():
    """The names sk_params may give to fit, predict, predict_proba and evaluate."""
    names = set()
    for method in _METHODS:
        names.update(_defaults(getattr(Sequential, method)))
    return names


class BaseWrapper:
    """The common part of KerasClassifier and KerasRegressor (use one of those).

    ``build_fn`` builds, compiles and returns a model: a function, a callable object, or
    None in a subclass that defines ``call(self, ...)`` (or ``__call__``). ``sk_params``
    holds ``build_fn``'s arguments and those of Sequential's fit, predict,
    predict_classes, predict_proba and evaluate (``nb_epoch``, ``batch_size``,
    ``verbose``, ...); all of them can be searched by GridSearchCV. For fit, predict,
    predict_proba and score an argument given to the method wins over sk_params, which
    wins over Sequential's default.
    """

    _estimator_type = None

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    # ------------------------------------------------------------ parameters
    def check_params(self, params):
        """Raise ValueError for a parameter that neither build_fn nor Sequential's
        fit/predict/predict_classes/predict_proba/evaluate accepts."""
        names, takes_any = _arguments(self._builder())
        if takes_any:
            return
        training = _training_arguments()
        legal = set(names) | training
        for name in params:
            if name not in legal:
                close = difflib.get_close_matches(name, sorted(legal), n=2)
                hint = ' Did you mean %s?' % ' or '.join(map(repr, close)) if close else ''
                raise ValueError('%r is not a legal parameter of %s.%s Legal parameters are the '
                                 'arguments of build_fn (%s) and of fit, predict, '
                                 'predict_proba and evaluate (%s).'
                                 % (name, type(self).__name__, hint,
                                    ', '.join(names) or 'none', ', '.join(sorted(training))))

    def get_params(self, deep=True):
        """build_fn and the sk_params, as scikit-learn's clone and grid search read them."""
        return dict(self.sk_params, build_fn=self.build_fn)

    def set_params(self, **params):
        """Change build_fn or sk_params; returns the wrapper."""
        if 'build_fn' in params:
            self.build_fn = params.pop('build_fn')
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The sk_params that ``fn`` accepts, updated with ``override``."""
        names, _ = _arguments(fn)
        found = {name: value for name, value in self.sk_params.items() if name in names}
        found.update(override or {})
        return found

    # -------------------------------------------------------------- building
    def _builder(self):
        """The callable that builds the model."""
        if self.build_fn is not None:
            if callable(self.build_fn):
                return self.build_fn
            if callable(getattr(self.build_fn, 'call', None)):
                return self.build_fn.call
            raise TypeError('build_fn must be a function, or an object with a call method, '
                            'that builds and compiles a model; got %r.' % (self.build_fn,))
        for name in ('call', '__call__'):
            method = getattr(self, name, None)
            if callable(method):
                return method
        raise TypeError('%s has no build_fn: pass build_fn=<a function that returns a compiled '
                        'model>, or subclass it and define call(self, ...) to build the model.'
                        % type(self).__name__)

    def _build_model(self):
        builder = self._builder()
        _, takes_any = _arguments(builder)
        if takes_any:
            training = _training_arguments()
            arguments = {k: v for k, v in self.sk_params.items() if k not in training}
        else:
            arguments = self.filter_sk_params(builder)
        model = builder(**arguments)
        if not callable(getattr(model, 'fit', None)):
            raise TypeError('build_fn must return a compiled kcore model; it returned %r.'
                            % (model,))
        if getattr(model, 'optimizer', None) is None:
            raise ValueError('The model that build_fn returned is not compiled: call '
                             'model.compile(optimizer, loss, ...) in build_fn before '
                             'returning it.')
        return model

    def _method_arguments(self, method, overrides):
        """The arguments for a Sequential ``method``: its defaults, then sk_params, then
        the arguments given to the wrapper's method."""
        arguments = _defaults(method)
        chosen = self.filter_sk_params(method, overrides)
        arguments.update((k, v) for k, v in chosen.items() if k not in _DATA_ARGUMENTS)
        return arguments

    # ---------------------------------------------------------------- fitting
    def fit(self, x, y, **kwargs):
        """Build a new model with build_fn and train it on (x, y); ``kwargs`` are
        arguments of Sequential.fit. Returns the History, as Keras 1.1.2 does."""
        model = self._build_model()
        targets = self._fit_targets(model, np.asarray(y))
        self.model = model
        return model.fit(x, targets, **self._method_arguments(Sequential.fit, kwargs))

    def _fit_targets(self, model, y):
        """The targets ``model`` trains on, for the labels ``y``."""
        return y

    def _check_fitted(self):
        if 'model' not in self.__dict__:
            raise NotFittedError('This %s is not fitted yet: call fit(x, y) before predicting '
                                 'or scoring.' % type(self).__name__)

    def _predict(self, x, method, kwargs):
        """The model's outputs for ``x``, with the arguments of Sequential ``method``."""
        self._check_fitted()
        return self.model.predict(x, **self._method_arguments(method, kwargs))

    def _evaluate(self, x, targets, kwargs):
        self._check_fitted()
        values = self.model.evaluate(x, targets,
                                     **self._method_arguments(Sequential.evaluate, kwargs))
        return values if isinstance(values, list) else [values]

    # ------------------------------------------------------ pickling and sklearn
    def __getstate__(self):
        state = dict(self.__dict__)
        if 'model' in state:
            state['model'] = _model_to_bytes(state['model'])
        return state

    def __setstate__(self, state):
        state = dict(state)
        if 'model' in state:
            state['model'] = _model_from_bytes(state['model'])
        self.__dict__.update(state)

    def __sklearn_is_fitted__(self):
        return 'model' in self.__dict__

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags
        kind = self._estimator_type
        return Tags(estimator_type=kind, target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags() if kind == 'classifier' else None,
                    regressor_tags=RegressorTags() if kind == 'regressor' else None,
                    non_deterministic=True)

    def __repr__(self):
        params = ', '.join('%s=%r' % item for item in sorted(self.get_params().items()))
        return '%s(%s)' % (type(self).__name__, params)


class KerasClassifier(BaseWrapper):
    """scikit-learn's classifier API for a kcore model.

    Labels may be any sortable values, strings too: ``classes_`` holds them sorted, the
    model trains on their indices (one-hot when its loss is categorical_crossentropy), and
    ``predict`` returns labels. The model needs one output unit per class, or a single
    (sigmoid) unit for two classes.
    """

    _estimator_type = 'classifier'

    def _fit_targets(self, model, y):
        if y.ndim == 2 and y.shape[1] > 1:   # already one column per class
            classes = np.arange(y.shape[1])
        else:
            classes = np.unique(_label_vector(y))
        _check_classes(model, classes)
        self.classes_ = classes
        return self._encode(y, model)

    def _encode(self, y, model):
        """The targets for labels ``y``: indices into classes_, one-hot for a model
        trained with categorical_crossentropy; one-hot ``y`` is kept as it is."""
        if y.ndim == 2 and y.shape[1] > 1:
            return y
        labels = _label_vector(y)
        indices = np.searchsorted(self.classes_, labels)
        known = indices < len(self.classes_)
        known[known] = self.classes_[indices[known]] == labels[known]
        if not known.all():
            raise ValueError('y holds labels the classifier was not fitted on: %s. It knows %s.'
                             % (_preview(np.unique(labels[~known])), _preview(self.classes_)))
        if _loss_name(model) == 'categorical_crossentropy':
            return to_categorical(indices, len(self.classes_))
        return indices

    def predict(self, x, **kwargs):
        """The predicted labels (values of ``classes_``) for the samples ``x``; ``kwargs``
        are arguments of Sequential.predict_classes."""
        probabilities = self._predict(x, Sequential.predict_classes, kwargs)
        if probabilities.shape[-1] > 1:
            indices = probabilities.argmax(axis=-1)
        else:
            indices = (probabilities[:, 0] > 0.5).astype('int64')
        return self.classes_[indices]

    def predict_proba(self, x, **kwargs):
        """Class probabilities, one column per class of ``classes_`` (two columns for a
        single sigmoid output); ``kwargs`` are arguments of Sequential.predict_proba."""
        probabilities = self._predict(x, Sequential.predict_proba, kwargs)
        if probabilities.shape[-1] == 1:
            probabilities = np.hstack([1 - probabilities, probabilities])
        return probabilities

    def score(self, x, y, **kwargs):
        """The accuracy on (x, y): the model's 'acc' metric, so build_fn must compile it
        with metrics=['accuracy']. ``kwargs`` are arguments of Sequential.evaluate."""
        self._check_fitted()
        names = self.model.metrics_names
        if 'acc' not in names:
            raise ValueError("KerasClassifier.score reports the model's accuracy, but the model "
                             "computes only %s: compile it with metrics=['accuracy'] in "
                             'build_fn.' % (', '.join(names),))
        values = self._evaluate(x, self._encode(np.asarray(y), self.model), kwargs)
        return float(values[names.index('acc')])


class KerasRegressor(BaseWrapper):
    """scikit-learn's regressor API for a kcore model."""

    _estimator_type = 'regressor'

    def predict(self, x, **kwargs):
        """The predictions for ``x``, one value per sample for a single output unit;
        ``kwargs`` are arguments of Sequential.predict."""
        outputs = self._predict(x, Sequential.predict, kwargs)
        if outputs.ndim == 2 and outputs.shape[1] == 1:
            return outputs[:, 0]
        return outputs

    def score(self, x, y, **kwargs):
        """Minus the model's loss on (x, y), so that greater is better as scikit-learn's
        model selection expects. ``kwargs`` are arguments of Sequential.evaluate."""
        return -float(self._evaluate(x, np.asarray(y), kwargs)[0])


def _check_classes(model, classes):
    width, count = model.output_shape[-1], len(classes)
    if count < 2:
        raise ValueError('KerasClassifier needs at least two classes in y; it holds only %s.'
                         % (_preview(classes),))
    if width != count and not (width == 1 and count == 2):
        raise ValueError('The model built by build_fn has %d output unit(s), but y holds %d '
                         'classes (%s): build it with one output unit per class, or one sigmoid '
                         'unit for two classes.' % (width, count, _preview(classes)))


def _label_vector(y):
    if y.ndim == 2 and y.shape[1] == 1:
        return y[:, 0]
    if y.ndim != 1:
        raise ValueError('KerasClassifier expects labels of shape (n_samples,), or one-hot '
                         'targets of shape (n_samples, n_classes); got shape %s.' % (y.shape,))
    return y


def _preview(values, count=10):
    values = np.asarray(values).tolist()   # plain Python values print as the user wrote them
    shown = ', '.join(map(repr, values[:count]))
    return '[%s%s]' % (shown, ', ...' if len(values) > count else '')


def _loss_name(model):
    functions = getattr(model, 'loss_functions', None) or [model.loss]
    return getattr(functions[0], '__name__', functions[0])


def _model_to_bytes(model):
    """The model saved as an HDF5 file (architecture, weights, optimizer state)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, 'model.h5')
        save_model(model, path)
        with open(path, 'rb') as f:
            return f.read()


def _model_from_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, 'model.h5')
        with open(path, 'wb') as f:
            f.write(data)
        # Unpickling already trusts the pickle, so a Lambda layer in it may be rebuilt.
        return load_model(path, safe_mode=False)
