"""A container's weights and what comes with them, gathered from its layers: trainable and
non-trainable weights, constraints, regularization penalties and updates."""
import numpy as np

from kcore import backend as K
from kcore.engine.tensors import same_tensors


class ContainerWeightsMixin:
    """Weights, losses and updates for Container. ``_weight_layers()`` lists the layers
    whose weights count (their own trainable flags respected); ``_graph`` holds the
    calls that belong to the container."""

    # -------------------------------------------------------------- weights
    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self._weight_layers() for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        weights = [w for layer in self._weight_layers() for w in layer.non_trainable_weights]
        if self.trainable:
            return weights
        return [w for layer in self._weight_layers() for w in layer.trainable_weights] + weights

    def _ordered_weights(self):
        """(layer, weight) pairs in get_weights order: layer by layer."""
        return [(layer, w) for layer in self._weight_layers() for w in layer.weights]

    def get_weights(self):
        weights = [w for _, w in self._ordered_weights()]
        return K.batch_get_value(weights) if weights else []

    def set_weights(self, weights):
        """Assign arrays in ``get_weights()`` order."""
        pairs, weights = self._ordered_weights(), list(weights)
        if len(weights) != len(pairs):
            raise ValueError('Model %s has %d weights, but set_weights got %d arrays.'
                             % (self.name, len(pairs), len(weights)))
        assignments = []
        for index, ((layer, weight), value) in enumerate(zip(pairs, weights)):
            value = np.asarray(value)
            expected = tuple(K.int_shape(weight))
            if value.shape != expected:
                raise ValueError('Model %s, weight %d (%s of layer %s): set_weights got an array '
                                 'of shape %s, expected shape %s.' % (
                                     self.name, index, getattr(weight, 'name', '?'), layer.name,
                                     value.shape, expected))
            assignments.append((weight, value))
        if assignments:
            K.batch_set_value(assignments)

    def count_params(self):
        return int(sum(K.count_params(w) for w in self.weights))

    @property
    def constraints(self):
        merged = {}
        for layer in self._weight_layers():
            for weight, constraint in layer.constraints.items():
                if weight in merged and merged[weight] is not constraint:
                    raise ValueError('Model %s: weight %s has two constraints (%r and %r).'
                                     % (self.name, weight.name, merged[weight], constraint))
                merged[weight] = constraint
        return merged

    @property
    def regularizers(self):
        return [r for layer in self._weight_layers() for r in getattr(layer, 'regularizers', [])]

    # --------------------------------------------------- losses and updates
    def _weight_losses(self):
        return [loss for layer in self._graph.layers for loss in layer._weight_losses()]

    @property
    def losses(self):
        """Weight penalties of every layer and activity penalties of the calls in the graph."""
        return self._weight_losses() + self._activity_losses()

    def _activity_losses(self):
        losses = [loss for node in self._graph.nodes for loss in node.losses]
        for layer in self._graph.layers:
            # A model whose own node (inputs to outputs) is part of this graph, like the
            # branches of a Sequential's first Merge, contributes its inner calls' penalties.
            if isinstance(layer, ContainerWeightsMixin) and self._graph.owns(layer.inbound_nodes[0]):
                losses += layer._activity_losses()
        return losses

    @property
    def updates(self):
        """The updates of the calls in this container's graph, and those that hold for every
        call: a layer shared with another model brings only the updates computed from the
        inputs it gets here (Keras 1.1.2's per-input updates)."""
        return self._graph_updates(lambda layer: True)

    @property
    def state_updates(self):
        """The updates of the stateful layers (run by predict too), per call as ``updates``."""
        return self._graph_updates(lambda layer: getattr(layer, 'stateful', False))

    def _graph_updates(self, keep):
        updates = []
        for layer in self._graph.layers:
            if keep(layer):
                updates += layer.get_updates_for(None)
                updates += [u for node in layer.inbound_nodes if self._graph.owns(node)
                            for u in layer.get_updates_for(node.input_tensors)]
        return _unique(updates)

    def get_updates_for(self, inputs):
        """``None``: the updates of its layers that hold for every call; its own inputs: the
        updates of its graph; other inputs: those computed when it was called on them."""
        if inputs is None:
            return _unique([u for layer in self._graph.layers
                            for u in layer.get_updates_for(None)])
        if same_tensors(list(inputs) if isinstance(inputs, (list, tuple)) else [inputs],
                        self.inputs):
            return self.updates
        return super().get_updates_for(inputs)


def _unique(items):
    seen, kept = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            kept.append(item)
    return kept
