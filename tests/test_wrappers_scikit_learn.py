"""KerasClassifier and KerasRegressor: the doc's grid search over model and training
parameters, scikit-learn's model selection and pipelines, labels, precedence of
parameters, pickling, and the errors."""
import importlib.util
import pickle

import numpy as np
import pytest

from kcore.layers import Dense
from kcore.models import Sequential
from kcore.optimizers import Adam
from kcore.wrappers.scikit_learn import KerasClassifier, KerasRegressor, NotFittedError
from kcore_test_helpers.processes import run_python

needs_sklearn = pytest.mark.skipif(importlib.util.find_spec('sklearn') is None,
                                   reason='scikit-learn is not installed')
rng = np.random.RandomState(5)


def digits(n=150, classes=10):
    """The first ``n`` handwritten digits of classes 0..classes-1, scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    x, y = load_digits(n_class=classes, return_X_y=True)
    return x[:n] / 16., y[:n]


def make_classifier(hidden=8, nb_classes=10, loss='categorical_crossentropy'):
    model = Sequential([Dense(hidden, input_dim=64, activation='relu'),
                        Dense(nb_classes, activation='sigmoid' if nb_classes == 1 else 'softmax')])
    model.compile(Adam(lr=0.01), loss, metrics=['accuracy'])
    return model


def make_regressor(hidden=4):
    model = Sequential([Dense(hidden, input_dim=3, activation='tanh'), Dense(1)])
    model.compile(Adam(lr=0.05), 'mse')
    return model


# ------------------------------------------------------- scikit-learn's tools
@needs_sklearn
def test_grid_search_picks_the_best_model_and_training_parameters():
    from sklearn.model_selection import GridSearchCV
    x, y = digits()
    grid = GridSearchCV(KerasClassifier(make_classifier, batch_size=16, verbose=0),
                        param_grid={'nb_epoch': [1, 2], 'hidden': [4, 8]}, cv=2)
    grid.fit(x, y)
    assert len(grid.cv_results_['params']) == 4
    assert grid.best_params_['nb_epoch'] in (1, 2) and grid.best_params_['hidden'] in (4, 8)
    best = grid.best_estimator_
    assert best.get_params()['hidden'] == grid.best_params_['hidden']
    assert best.model.layers[0].output_dim == grid.best_params_['hidden']
    assert set(best.predict(x)) <= set(range(10))
    assert 0. <= grid.score(x, y) <= 1.


@needs_sklearn
def test_cross_val_score_and_a_pipeline_with_a_regressor():
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    x, y = digits(n=120)
    scores = cross_val_score(KerasClassifier(make_classifier, nb_epoch=1, verbose=0), x, y, cv=2)
    assert scores.shape == (2,) and np.all((0 <= scores) & (scores <= 1))

    x = rng.uniform(0, 100, size=(64, 3))
    y = (x - 50) @ np.array([0.02, -0.01, 0.03])
    pipeline = Pipeline([('scale', StandardScaler()),
                         ('net', KerasRegressor(make_regressor, nb_epoch=20, batch_size=8,
                                                verbose=0))])
    pipeline.fit(x, y)
    predictions = pipeline.predict(x)
    assert predictions.shape == (64,)
    mse = np.mean((predictions - y) ** 2)
    assert mse < np.var(y)   # it learned something
    np.testing.assert_allclose(pipeline.score(x, y), -mse, rtol=1e-4)   # minus the loss


@needs_sklearn
def test_clone_and_pickle_round_trips_keep_predictions():
    from sklearn.base import clone
    x, y = digits(n=60, classes=3)
    labels = np.array(['zero', 'one', 'two'])[y]
    classifier = KerasClassifier(make_classifier, nb_classes=3, nb_epoch=2, verbose=0)
    np.random.seed(1)
    classifier.fit(x, labels)
    expected = classifier.predict_proba(x)

    restored = pickle.loads(pickle.dumps(classifier))
    np.testing.assert_allclose(restored.predict_proba(x), expected, rtol=1e-5, atol=1e-6)
    assert list(restored.classes_) == ['one', 'two', 'zero']
    assert restored.score(x, labels) == classifier.score(x, labels)

    copy = clone(classifier)
    assert copy.get_params() == classifier.get_params()
    with pytest.raises(NotFittedError, match='not fitted yet'):
        copy.predict(x)
    np.random.seed(1)   # the same seed gives the same initial weights and shuffles
    copy.fit(x, labels)
    np.testing.assert_allclose(copy.predict_proba(x), expected, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ labels
@needs_sklearn
def test_string_labels_and_probabilities():
    x, y = digits(n=60, classes=3)
    labels = np.array(['cat', 'dog', 'emu'])[y]
    classifier = KerasClassifier(make_classifier, nb_classes=3, nb_epoch=3, verbose=0)
    classifier.fit(x, labels)
    assert list(classifier.classes_) == ['cat', 'dog', 'emu']
    probabilities = classifier.predict_proba(x)
    assert probabilities.shape == (60, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    predicted = classifier.predict(x)
    np.testing.assert_array_equal(predicted, classifier.classes_[probabilities.argmax(axis=1)])
    np.testing.assert_allclose(classifier.score(x, labels), np.mean(predicted == labels),
                               rtol=1e-6)
    with pytest.raises(ValueError, match="labels the classifier was not fitted on: \\['owl'\\]"):
        classifier.score(x[:2], ['cat', 'owl'])


@needs_sklearn
def test_a_single_sigmoid_unit_gives_two_probability_columns():
    x, y = digits(n=60, classes=2)
    labels = np.array(['no', 'yes'])[y]
    classifier = KerasClassifier(make_classifier, nb_classes=1, loss='binary_crossentropy',
                                 nb_epoch=3, verbose=0)
    classifier.fit(x, labels)
    probabilities = classifier.predict_proba(x)
    assert probabilities.shape == (60, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-6)
    predicted = classifier.predict(x)
    np.testing.assert_array_equal(predicted, np.where(probabilities[:, 1] > 0.5, 'yes', 'no'))
    np.testing.assert_allclose(classifier.score(x, labels), np.mean(predicted == labels),
                               rtol=1e-6)


# ---------------------------------------------------------------- parameters
def test_arguments_win_over_sk_params_which_win_over_defaults():
    built = []

    def build(hidden=3):
        built.append(hidden)
        return make_regressor(hidden)

    x, y = rng.randn(16, 3), rng.randn(16)
    regressor = KerasRegressor(build, nb_epoch=3, verbose=0)
    assert len(regressor.fit(x, y).epoch) == 3                # sk_params over fit's default
    assert len(regressor.fit(x, y, nb_epoch=1).epoch) == 1    # fit's argument over sk_params
    assert len(KerasRegressor(build, verbose=0).fit(x, y).epoch) == 10   # Sequential's default
    assert built == [3, 3, 3]
    regressor.set_params(hidden=5)
    regressor.fit(x, y)
    assert built[-1] == 5 and regressor.model.layers[0].output_dim == 5

    calls = []
    regressor.model.predict = lambda x, **kwargs: calls.append(kwargs) or np.zeros((len(x), 1))
    regressor.set_params(batch_size=4)
    assert regressor.predict(x).shape == (16,)
    regressor.predict(x, batch_size=2, verbose=1)
    assert calls == [{'batch_size': 4, 'verbose': 0}, {'batch_size': 2, 'verbose': 1}]


class CallableBuilder:
    """A build_fn that is an object with __call__."""

    def __call__(self, hidden=4):
        return make_regressor(hidden)


class SubclassedRegressor(KerasRegressor):
    """build_fn=None: the subclass's call builds the model."""

    def call(self, hidden=4):
        return make_regressor(hidden)


@pytest.mark.parametrize('make', [lambda **kw: KerasRegressor(make_regressor, **kw),
                                  lambda **kw: KerasRegressor(CallableBuilder(), **kw),
                                  lambda **kw: SubclassedRegressor(**kw)],
                         ids=['function', 'callable-object', 'subclass'])
def test_build_fn_forms(make):
    x, y = rng.randn(16, 3), rng.randn(16)
    regressor = make(hidden=2, nb_epoch=1, verbose=0)
    regressor.fit(x, y)
    assert regressor.model.layers[0].output_dim == 2
    assert regressor.predict(x).shape == (16,)
    with pytest.raises(ValueError, match="'hiden' is not a legal parameter.*'hidden'"):
        make(hiden=2)


def test_bad_parameters_and_models_are_explained():
    with pytest.raises(ValueError, match="'nb_epochs' is not a legal parameter of "
                                         "KerasClassifier. Did you mean 'nb_epoch'"):
        KerasClassifier(make_classifier, nb_epochs=2)
    with pytest.raises(ValueError, match="'depth' is not a legal parameter"):
        KerasRegressor(make_regressor).set_params(depth=3)
    with pytest.raises(TypeError, match='define call'):
        KerasRegressor()

    def uncompiled():
        return Sequential([Dense(1, input_dim=3)])

    x, y = rng.randn(8, 3), rng.randn(8)
    with pytest.raises(ValueError, match='not compiled'):
        KerasRegressor(uncompiled).fit(x, y)

    def without_accuracy():
        model = Sequential([Dense(2, input_dim=3, activation='softmax')])
        model.compile('sgd', 'categorical_crossentropy')
        return model

    classifier = KerasClassifier(without_accuracy, nb_epoch=1, verbose=0)
    with pytest.raises(NotFittedError, match='call fit'):
        classifier.score(x, y > 0)
    classifier.fit(x, y > 0)
    with pytest.raises(ValueError, match=r"compile it with metrics=\['accuracy'\]"):
        classifier.score(x, y > 0)
    with pytest.raises(ValueError, match='2 output unit.*3 classes'):
        classifier.fit(x, np.arange(8) % 3)
    assert list(classifier.classes_) == [False, True]   # a failed fit keeps the fitted state


def test_the_wrapper_does_not_need_scikit_learn(monkeypatch):
    monkeypatch.setitem(__import__('sys').modules, 'sklearn', None)   # import sklearn fails
    x, y = rng.randn(16, 3), rng.randn(16)
    regressor = KerasRegressor(make_regressor, nb_epoch=1, verbose=0)
    regressor.fit(x, y)
    restored = pickle.loads(pickle.dumps(regressor))
    np.testing.assert_allclose(restored.predict(x), regressor.predict(x), rtol=1e-5, atol=1e-6)
    assert restored.score(x, y) == pytest.approx(regressor.score(x, y), rel=1e-5)

    result = run_python("""
        import sys
        sys.modules['sklearn'] = None
        from kcore.wrappers import scikit_learn
        from kcore.wrappers.scikit_learn import Sequential, to_categorical
        print(sorted(scikit_learn.__all__))
    """)
    assert result.returncode == 0, result.stderr
    assert "'BaseWrapper', 'KerasClassifier', 'KerasRegressor'" in result.stdout
