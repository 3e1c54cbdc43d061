"""Keras's own layer names and weight order for MobileNetV2 and Xception.

This is the test oracle for typenet's Keras name maps. Nothing about the
layers is written down here: the architectures come from Keras's own source
(Debian's python3-keras-applications 1.0.8), which is called with a small
recording shim as its `backend`, `layers`, `models` and `utils`, since
neither Keras nor TensorFlow is installed. The shim tracks symbolic
channels_last shapes (batch dim None) and, like Keras 2.2.4, gives an
unnamed layer the snake_case class name plus a per-class counter starting at
1 (`conv2d_1`; named layers take no number), orders `Model.layers` as Keras's
Network does (by depth from the outputs, then by traversal order; for
Xception this puts each unnamed shortcut conv/BN after its block's main path,
not in creation order), and lists each layer's weights in `layer.weights`
order, as in the `layer_names` and `weight_names` attributes of a Keras .h5
file.

    keras_layers("xception") -> [(layer_name, class_name,
                                  [(weight_name, shape), ...]), ...]

Run with /usr/bin/python3 to print parameter counts and sample layers.
"""
import collections
import math
import re
import types

from keras_applications import mobilenet_v2, xception

_uids = collections.Counter()   # Keras's K.get_uid: one counter per prefix


def _snake(name):
    name = re.sub(r"(?<=.)([A-Z][a-z0-9]+)", r"_\1", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _out_len(n, k, s, padding):
    return -(-n // s) if padding == "same" else (n - k) // s + 1


class Tensor:
    def __init__(self, shape, layer):
        self.shape, self.layer = tuple(shape), layer


class Layer:
    def __init__(self, name=None, prefix=None):
        if not name:
            prefix = prefix or type(self).__name__
            _uids[prefix] += 1
            name = "%s_%d" % (_snake(prefix), _uids[prefix])
        self.name, self.inbound, self.weights = name, [], []

    def __call__(self, x):
        self.inbound = list(x) if isinstance(x, (list, tuple)) else [x]
        shapes = [t.shape for t in self.inbound]
        self.weights = self.build(*shapes)
        return Tensor(self.output_shape(*shapes), self)

    def build(self, *shapes):
        return []

    def output_shape(self, shape, *others):
        return shape


class InputLayer(Layer):
    def __init__(self):
        super().__init__(prefix="input")


class ZeroPadding2D(Layer):
    def __init__(self, padding=(1, 1), name=None, **_):
        super().__init__(name)
        self.pad = [_pair(p) for p in _pair(padding)]

    def output_shape(self, s):
        (t, b), (l, r) = self.pad
        return s[0], s[1] + t + b, s[2] + l + r, s[3]


class Conv2D(Layer):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 use_bias=True, name=None, **_):
        super().__init__(name)
        self.filters, self.k, self.s = filters, _pair(kernel_size), _pair(strides)
        self.padding, self.use_bias = padding, use_bias

    def output_shape(self, s):
        h, w = (_out_len(n, k, st, self.padding)
                for n, k, st in zip(s[1:3], self.k, self.s))
        return s[0], h, w, self.filters

    def build(self, s):
        return self.kernels(s[3]) + [("bias", (self.filters,))] * self.use_bias

    def kernels(self, c):
        return [("kernel", self.k + (c, self.filters))]


class DepthwiseConv2D(Conv2D):
    def __init__(self, kernel_size, strides=(1, 1), padding="valid",
                 depth_multiplier=1, use_bias=True, name=None, **_):
        super().__init__(None, kernel_size, strides, padding, use_bias, name)
        self.dm = depth_multiplier

    def output_shape(self, s):
        self.filters = s[3] * self.dm
        return super().output_shape(s)

    def kernels(self, c):
        return [("depthwise_kernel", self.k + (c, self.dm))]


class SeparableConv2D(Conv2D):
    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 depth_multiplier=1, use_bias=True, name=None, **_):
        super().__init__(filters, kernel_size, strides, padding, use_bias, name)
        self.dm = depth_multiplier

    def kernels(self, c):
        return [("depthwise_kernel", self.k + (c, self.dm)),
                ("pointwise_kernel", (1, 1, c * self.dm, self.filters))]


class BatchNormalization(Layer):
    def __init__(self, axis=-1, center=True, scale=True, name=None, **_):
        super().__init__(name)
        assert axis in (-1, 3), "channels_last only"
        self.center, self.scale = center, scale

    def build(self, s):
        c = (s[3],)
        return ([("gamma", c)] * self.scale + [("beta", c)] * self.center
                + [("moving_mean", c), ("moving_variance", c)])


class Dense(Layer):
    def __init__(self, units, use_bias=True, name=None, **_):
        super().__init__(name)
        self.units, self.use_bias = units, use_bias

    def output_shape(self, s):
        return s[:-1] + (self.units,)

    def build(self, s):
        return ([("kernel", (s[-1], self.units))]
                + [("bias", (self.units,))] * self.use_bias)


class MaxPooling2D(Conv2D):
    def __init__(self, pool_size=(2, 2), strides=None, padding="valid",
                 name=None, **_):
        super().__init__(None, pool_size, strides or pool_size, padding,
                         False, name)

    def output_shape(self, s):
        return super().output_shape(s)[:3] + (s[3],)

    def build(self, s):
        return []


class _NoWeights(Layer):
    def __init__(self, *args, name=None, **_):
        super().__init__(name)


class Activation(_NoWeights):
    pass


class ReLU(_NoWeights):
    pass


class Add(_NoWeights):
    def output_shape(self, *shapes):
        assert len(set(shapes)) == 1, (self.name, shapes)
        return shapes[0]


class GlobalAveragePooling2D(_NoWeights):
    def output_shape(self, s):
        return s[0], s[3]


class GlobalMaxPooling2D(GlobalAveragePooling2D):
    pass


def Input(shape=None, tensor=None, **_):
    assert tensor is None
    return Tensor((None,) + tuple(shape), InputLayer())


def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


class Model:
    """Orders layers as Keras 2.2.4's Network does: by decreasing depth
    (longest path to an output), ties by depth-first traversal order from
    the outputs (each layer is called once in these models)."""

    def __init__(self, inputs, outputs, name=None):
        self.name = name
        index, postorder = {}, []

        def visit(layer):
            if layer not in index:
                index[layer] = len(index)
                for t in layer.inbound:
                    visit(t.layer)
                postorder.append(layer)

        outputs = outputs if isinstance(outputs, list) else [outputs]
        for t in outputs:
            visit(t.layer)
        depth = {}
        for layer in reversed(postorder):
            d = depth.setdefault(layer, 0)
            for t in layer.inbound:
                depth[t.layer] = max(depth.get(t.layer, 0), d + 1)
        self.layers = sorted(index, key=lambda l: (-depth[l], index[l]))


def _source_inputs(tensor):
    while tensor.layer.inbound:
        tensor = tensor.layer.inbound[0]
    return [tensor]


SHIM = dict(
    backend=types.SimpleNamespace(
        image_data_format=lambda: "channels_last",
        int_shape=lambda t: t.shape,
        is_keras_tensor=lambda t: isinstance(t, Tensor),
        backend=lambda: "tensorflow"),
    layers=types.SimpleNamespace(**{c.__name__: c for c in (
        Input, add, ZeroPadding2D, Conv2D, DepthwiseConv2D, SeparableConv2D,
        BatchNormalization, Dense, MaxPooling2D, Activation, ReLU, Add,
        GlobalAveragePooling2D, GlobalMaxPooling2D)}),
    models=types.SimpleNamespace(Model=Model),
    utils=types.SimpleNamespace(get_source_inputs=_source_inputs))

MODELS = {"mobilenet_v2": (mobilenet_v2.MobileNetV2, 224),
          "xception": (xception.Xception, 299)}


def keras_layers(model_name, size=None, classes=1000, include_top=True):
    """[(layer_name, class_name, [(weight_name, shape), ...])] for the layers
    with weights, in Keras's `model.layers` (= .h5 `layer_names`) order."""
    build, native = MODELS[model_name]
    _uids.clear()   # a fresh Keras session: auto-name counters restart at 1
    size = size or native
    model = build(weights=None, input_shape=(size, size, 3), classes=classes,
                  include_top=include_top, **SHIM)
    return [(l.name, type(l).__name__, l.weights)
            for l in model.layers if l.weights]


def h5_weight_names(entries):
    """The full TensorFlow weight names stored in an .h5 file, in order,
    e.g. 'block1_conv1/kernel:0'."""
    return ["%s/%s:0" % (name, w) for name, _, ws in entries for w, _ in ws]


def count(entries):
    """(total, moving statistics) parameter counts."""
    sizes = [(w, math.prod(s)) for _, _, ws in entries for w, s in ws]
    return (sum(n for _, n in sizes),
            sum(n for w, n in sizes if w.startswith("moving_")))


if __name__ == "__main__":
    expected = {"mobilenet_v2": (3538984, 34112), "xception": (22910480, None)}
    for model_name, (_, native) in MODELS.items():
        entries = keras_layers(model_name)
        total, moving = count(entries)
        print("%s %d: %d layers with weights, %d params (%d trainable, %d "
              "moving statistics)" % (model_name, native, len(entries), total,
                                      total - moving, moving))
        want_total, want_moving = expected[model_name]
        assert total == want_total, (total, want_total)
        assert want_moving is None or moving == want_moving
        for entry in entries[:5] + [("...",)] + entries[-5:]:
            print("   ", *entry)
        auto = [name for name, cls, _ in entries
                if re.fullmatch(_snake(cls) + r"_\d+", name)]
        print("    auto-named:", auto)
        print("    h5 names:", h5_weight_names(entries)[:3], "...")
        small = {"mobilenet_v2": 64, "xception": 71}[model_name]
        total, moving = count(keras_layers(model_name, small, classes=10))
        print("%s %d, 10 classes: %d params (%d trainable, %d moving)"
              % (model_name, small, total, total - moving, moving))
