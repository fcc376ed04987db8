"""The documentation's training examples, on small learnable data: each model reaches the
accuracy it should (quick start L1086-1675, functional API L1743-1824)."""
import numpy as np

from kcore.layers import Activation, Dense, Dropout, Embedding, Input, LSTM, Merge, merge
from kcore.models import Model, Sequential
from kcore.optimizers import SGD, RMSprop
from kcore_test_helpers.training import clusters, fresh_graph  # noqa: F401


def test_softmax_mlp_for_multi_class_classification():
    X_train, y_train, _ = clusters(400, seed=1)
    X_test, y_test, _ = clusters(200, seed=2)
    model = Sequential()
    model.add(Dense(64, input_dim=20, init='uniform'))
    model.add(Activation('tanh'))
    model.add(Dropout(0.5))
    model.add(Dense(64, init='uniform'))
    model.add(Activation('tanh'))
    model.add(Dropout(0.5))
    model.add(Dense(10, init='uniform'))
    model.add(Activation('softmax'))
    sgd = SGD(lr=0.1, decay=1e-6, momentum=0.9, nesterov=True)
    model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    history = model.fit(X_train, y_train, nb_epoch=5, batch_size=16, verbose=0)
    score = model.evaluate(X_test, y_test, batch_size=16, verbose=0)
    assert model.metrics_names == ['loss', 'acc']
    assert len(history.history['loss']) == 5
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert score[1] > 0.95 and score[0] < 0.3
    assert (model.predict_classes(X_test, verbose=0) == y_test.argmax(-1)).mean() > 0.95


def test_mlp_for_binary_classification():
    rng = np.random.RandomState(3)
    data = rng.randn(1000, 20)
    labels = (data[:, :5].sum(axis=1) > 0).astype('int32')[:, None]
    model = Sequential()
    model.add(Dense(64, input_dim=20, init='uniform', activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    model.fit(data[:800], labels[:800], nb_epoch=10, batch_size=32, verbose=0)
    loss, acc = model.evaluate(data[800:], labels[800:], verbose=0)
    assert acc > 0.9
    probabilities = model.predict_proba(data[800:], verbose=0)
    assert probabilities.shape == (200, 1) and 0 <= probabilities.min() <= 1
    assert set(np.unique(model.predict_classes(data[800:], verbose=0))) == {0, 1}


def test_two_branch_merge_model_fed_two_arrays():
    x, labels, _ = clusters(600, dim=40, seed=4)
    data_1, data_2 = x[:, :20], x[:, 20:]
    left_branch = Sequential()
    left_branch.add(Dense(32, input_dim=20))
    right_branch = Sequential()
    right_branch.add(Dense(32, input_dim=20))
    merged = Merge([left_branch, right_branch], mode='concat')
    model = Sequential()
    model.add(merged)
    model.add(Dense(10, activation='softmax'))
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    model.fit([data_1[:500], data_2[:500]], labels[:500], nb_epoch=10, batch_size=32,
              verbose=0)
    loss, acc = model.evaluate([data_1[500:], data_2[500:]], labels[500:], verbose=0)
    assert acc > 0.95


def _headline_model():
    main_input = Input(shape=(10,), dtype='int32', name='main_input')
    x = Embedding(output_dim=16, input_dim=30, input_length=10)(main_input)
    lstm_out = LSTM(8)(x)
    auxiliary_output = Dense(1, activation='sigmoid', name='aux_output')(lstm_out)
    auxiliary_input = Input(shape=(5,), name='aux_input')
    x = merge([lstm_out, auxiliary_input], mode='concat')
    x = Dense(16, activation='relu')(x)
    x = Dense(16, activation='relu')(x)
    x = Dense(16, activation='relu')(x)
    main_output = Dense(1, activation='sigmoid', name='main_output')(x)
    return Model(input=[main_input, auxiliary_input], output=[main_output, auxiliary_output])


def test_functional_model_with_two_inputs_two_outputs_and_loss_weights():
    rng = np.random.RandomState(5)
    headline_data = rng.randint(1, 30, size=(400, 10))
    additional_data = rng.rand(400, 5)
    labels = (headline_data[:, -1] < 15).astype('float32')
    model = _headline_model()
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', loss_weights=[1., 0.2])
    assert model.metrics_names == ['loss', 'main_output_loss', 'aux_output_loss']
    # The same model compiled by name (L1808-1823), trained on lists, then on dicts.
    model.compile(optimizer=RMSprop(lr=0.01),
                  loss={'main_output': 'binary_crossentropy',
                        'aux_output': 'binary_crossentropy'},
                  loss_weights={'main_output': 1., 'aux_output': 0.2},
                  metrics={'main_output': 'accuracy'})
    assert model.metrics_names == ['loss', 'main_output_loss', 'aux_output_loss',
                                   'main_output_acc']
    model.fit([headline_data[:300], additional_data[:300]], [labels[:300], labels[:300]],
              nb_epoch=4, batch_size=32, verbose=0)
    model.fit({'main_input': headline_data[:300], 'aux_input': additional_data[:300]},
              {'main_output': labels[:300], 'aux_output': labels[:300]},
              nb_epoch=6, batch_size=32, verbose=0)
    total, main_loss, aux_loss, main_acc = model.evaluate(
        {'main_input': headline_data[300:], 'aux_input': additional_data[300:]},
        {'main_output': labels[300:], 'aux_output': labels[300:]}, verbose=0)
    assert main_acc > 0.9
    np.testing.assert_allclose(total, main_loss + 0.2 * aux_loss, rtol=1e-5)


def test_predict_on_a_model_that_was_never_compiled():
    x = Input(shape=(4,))
    model = Model(x, Dense(2, activation='softmax')(Dense(3)(x)))
    out = model.predict(np.ones((5, 4)), batch_size=2)
    assert out.shape == (5, 2)
    np.testing.assert_allclose(out.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(np.ones((5, 4))), out, rtol=1e-6)
    assert model.optimizer is None
