"""Configuration: backend name, epsilon, floatx, image ordering, uids."""
import numpy as np
import pytest


class ConfigChecks:

    def test_backend(self, K):
        assert K.backend() == self.backend_name

    def test_epsilon(self, K):
        assert isinstance(K.epsilon(), float)
        assert K.epsilon() == 1e-7  # the fixture starts every check from Keras' defaults

    def test_set_epsilon(self, K):
        # Decision: set_epsilon takes the new value (the doc prints it without one).
        K.set_epsilon(1e-5)
        assert K.epsilon() == 1e-5
        # Decision: invalid values raise ValueError.
        for bad in (-1.0, 0, 'small'):
            with pytest.raises(ValueError):
                K.set_epsilon(bad)
        assert K.epsilon() == 1e-5

    def test_floatx(self, K):
        assert K.floatx() in ('float16', 'float32', 'float64')
        assert K.dtype(K.variable(np.zeros(2))) == K.floatx()

    def test_set_floatx(self, K):
        K.set_floatx('float64')
        assert K.floatx() == 'float64'
        # dtype=None means floatx(), for variables and placeholders alike.
        assert K.dtype(K.variable(np.zeros(2))) == 'float64'
        assert K.dtype(K.placeholder(shape=(2,))) == 'float64'
        assert K.get_value(K.variable(np.zeros(2))).dtype == np.float64
        with pytest.raises(ValueError):
            K.set_floatx('int8')
        assert K.floatx() == 'float64'

    def test_cast_to_floatx(self, K):
        out = K.cast_to_floatx([1, 2, 3])
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.dtype(K.floatx())
        np.testing.assert_array_equal(out, [1, 2, 3])
        K.set_floatx('float64')
        assert K.cast_to_floatx(np.float32(0.5)).dtype == np.float64

    def test_image_dim_ordering(self, K):
        assert K.image_dim_ordering() in ('tf', 'th')

    def test_set_image_dim_ordering(self, K):
        # Decision: set_image_dim_ordering takes the new value; invalid ones raise ValueError.
        K.set_image_dim_ordering('th')
        assert K.image_dim_ordering() == 'th'
        K.set_image_dim_ordering('tf')
        assert K.image_dim_ordering() == 'tf'
        with pytest.raises(ValueError):
            K.set_image_dim_ordering('channels_last')
        assert K.image_dim_ordering() == 'tf'

    def test_normalize_dim_ordering(self, K):
        K.set_image_dim_ordering('th')
        assert K.normalize_dim_ordering('default') == 'th'
        assert K.normalize_dim_ordering('tf') == 'tf'
        K.set_image_dim_ordering('tf')
        assert K.normalize_dim_ordering('default') == 'tf'
        assert K.normalize_dim_ordering('th') == 'th'
        with pytest.raises(ValueError):
            K.normalize_dim_ordering('nchw')

    def test_get_uid(self, K):
        # clear_session (called before every check) restarts the numbering.
        assert K.get_uid('dense') == 1
        assert K.get_uid('dense') == 2
        assert K.get_uid('conv') == 1
        assert K.get_uid() == 1
        K.clear_session()
        assert K.get_uid('dense') == 1

    def test_reset_uids(self, K):
        K.get_uid('dense')
        K.get_uid('dense')
        K.reset_uids()
        assert K.get_uid('dense') == 1
