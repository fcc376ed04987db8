"""What a layer knows of its calls (nodes): input, output, shapes and masks, per node."""
import warnings


class LayerConnectionError(AttributeError, AssertionError):
    """A node attribute is asked of a layer without nodes, or ambiguously of a layer with
    several. It is an AssertionError as the Keras 1 documentation shows, and an
    AttributeError so that ``hasattr(layer, 'output')`` is simply False."""


class NodeAccessMixin:
    """``input``/``output``/... and ``get_*_at(node_index)`` for Layer."""

    def _node_attribute(self, node_index, attr, what):
        if not self.inbound_nodes:
            raise LayerConnectionError('Layer %s has never been called and thus has no defined '
                                       '%s.' % (self.name, what))
        if not -len(self.inbound_nodes) <= node_index < len(self.inbound_nodes):
            raise LayerConnectionError('Asked to get the %s of layer %s at node %d, but the '
                                       'layer has only %d inbound nodes.'
                                       % (what, self.name, node_index, len(self.inbound_nodes)))
        values = getattr(self.inbound_nodes[node_index], attr)
        return values[0] if len(values) == 1 else values

    def _single_node_attribute(self, attr, what, method):
        if len(self.inbound_nodes) > 1:
            raise LayerConnectionError(
                'Layer %s has multiple inbound nodes, hence the notion of "layer %s" is '
                'ill-defined. Use %s(node_index) instead.' % (self.name, what, method))
        if not self.inbound_nodes:
            raise LayerConnectionError('Layer %s is not connected (it has no inbound nodes), '
                                       'so it has no %s.' % (self.name, what))
        return self._node_attribute(0, attr, what)

    def _shared_shape(self, attr, what, method):
        if not self.inbound_nodes:
            raise LayerConnectionError('Layer %s has never been called and thus has no defined '
                                       '%s.' % (self.name, what))
        shapes = [getattr(node, attr) for node in self.inbound_nodes]
        if any(s != shapes[0] for s in shapes[1:]):
            raise LayerConnectionError(
                'Layer %s has multiple inbound nodes with different %ss (%s), hence the '
                'notion of "%s" is ill-defined for the layer. Use %s(node_index) instead.'
                % (self.name, what, ', '.join(str(s) for s in shapes), what, method))
        return self._node_attribute(0, attr, what)

    @property
    def input(self):
        return self._single_node_attribute('input_tensors', 'input', 'get_input_at')

    @property
    def output(self):
        return self._single_node_attribute('output_tensors', 'output', 'get_output_at')

    @property
    def input_mask(self):
        return self._single_node_attribute('input_masks', 'input mask', 'get_input_mask_at')

    @property
    def output_mask(self):
        return self._single_node_attribute('output_masks', 'output mask', 'get_output_mask_at')

    @property
    def input_shape(self):
        return self._shared_shape('input_shapes', 'input shape', 'get_input_shape_at')

    @property
    def output_shape(self):
        return self._shared_shape('output_shapes', 'output shape', 'get_output_shape_at')

    def get_input_at(self, node_index):
        return self._node_attribute(node_index, 'input_tensors', 'input')

    def get_output_at(self, node_index):
        return self._node_attribute(node_index, 'output_tensors', 'output')

    def get_input_shape_at(self, node_index):
        return self._node_attribute(node_index, 'input_shapes', 'input shape')

    def get_output_shape_at(self, node_index):
        return self._node_attribute(node_index, 'output_shapes', 'output shape')

    def get_input_mask_at(self, node_index):
        return self._node_attribute(node_index, 'input_masks', 'input mask')

    def get_output_mask_at(self, node_index):
        return self._node_attribute(node_index, 'output_masks', 'output mask')

    def get_output(self, train=False):
        """The pre-1.0 name of ``output`` (the doc's filter-visualisation blog uses it)."""
        warnings.warn('layer.get_output() is the Keras 0.x API; use layer.output.',
                      DeprecationWarning, stacklevel=2)
        return self.output
