"""model.summary() and print_summary: the Keras 1 table and the parameter counts."""
from kcore_test_helpers.engine import fresh_graph  # noqa: F401
from kcore.engine.topology import Layer
from kcore.layers import Dense, Input, merge
from kcore.models import Model, Sequential
from kcore.utils.layer_utils import print_summary


def summary_lines(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return lines


def test_sequential_summary_table():
    model = Sequential([Dense(32, input_dim=784), Dense(10)])
    lines = summary_lines(model)
    assert lines[1].split() == ['Layer', '(type)', 'Output', 'Shape', 'Param', '#', 'Connected',
                                'to']
    assert lines[0] == '_' * 100 and lines[2] == '=' * 100
    assert lines[3].split() == ['dense_1', '(Dense)', '(None,', '32)', '25120',
                                'dense_input_1[0][0]']
    assert lines[3].index('(None, 32)') == 33 and lines[3].index('25120') == 55
    assert lines[5].split()[-1] == 'dense_1[0][0]'
    assert lines[6] == '=' * 100
    assert lines[7:] == ['Total params: 25450', 'Trainable params: 25450',
                         'Non-trainable params: 0', '_' * 100]


def test_functional_summary_shows_only_the_models_connections():
    a, b = Input(shape=(4,), name='a'), Input(shape=(4,), name='b')
    shared = Dense(3, name='shared', trainable=False)
    out = merge([shared(a), shared(b)], mode='sum', name='total')
    elsewhere = Input(shape=(4,), name='elsewhere')
    Model(elsewhere, shared(elsewhere))   # a third call, in another model
    lines = summary_lines(Model([a, b], out), line_length=80)
    rows = [line for line in lines if line and line[0] not in '_=']
    assert rows[1].startswith('a (InputLayer)')
    shared_row = rows.index(next(r for r in rows if r.startswith('shared (Dense)')))
    assert 'multiple' not in rows[shared_row] and '(None, 3)' in rows[shared_row]
    assert rows[shared_row].rstrip().endswith('a[0][0]')
    assert rows[shared_row + 1].strip() == 'b[0][0]'      # the second call, on its own row
    assert 'total (Merge)' in rows[-5] and rows[-4].strip() == 'shared[1][0]'
    assert rows[-2:] == ['Trainable params: 0', 'Non-trainable params: 15']
    assert max(len(line) for line in lines) == 80


def test_print_summary_reports_multiple_shapes():
    layer = Layer()
    layer(Input(shape=(3,)))
    layer(Input(shape=(5, 3)))
    lines = []
    print_summary([layer], print_fn=lines.append)
    assert lines[3].split()[2] == 'multiple'
