"""Keras models of the architectures in architectures.py: (N, 28, 28) float32 images in
[0, 1] in, logits out; compiled with the tutorial's loss, or a classic mistake on purpose.

Logits, not probabilities: the loss applies softmax itself (`from_logits=True`), which is
numerically safer than a softmax layer followed by log; predictions apply softmax after.
"""

from __future__ import annotations

import keras

from ..architectures import ARCHITECTURES, CONV_SIZE, INPUT_SHAPE, MISTAKES, NUM_CLASSES
from ..handwriting import NOT_A_DIGIT

# The Keras layer for each kind of architectures.Layer.
KERAS_LAYERS = {
    "flatten": lambda layer: keras.layers.Flatten(),
    "channel": lambda layer: keras.layers.Reshape(INPUT_SHAPE + (1,)),
    "dense": lambda layer: keras.layers.Dense(
        layer.width, activation=layer.activation, use_bias=layer.bias
    ),
    "dropout": lambda layer: keras.layers.Dropout(layer.rate),
    "conv": lambda layer: keras.layers.Conv2D(
        layer.width, CONV_SIZE, activation=layer.activation, use_bias=layer.bias
    ),
    "batchnorm": lambda layer: keras.layers.BatchNormalization(momentum=layer.rate),
    "relu": lambda layer: keras.layers.Activation("relu"),
    "maxpool": lambda layer: keras.layers.MaxPooling2D(),
}


def keras_model(arch: str) -> keras.Model:
    """An untrained model of architecture `arch` (see architectures.py), named after it."""
    layers = [KERAS_LAYERS[layer.kind](layer) for layer in ARCHITECTURES[arch].layers]
    return keras.Sequential([keras.Input(INPUT_SHAPE), *layers], name=arch)


def build_model(
    arch: str,
    learning_rate=1e-3,
    seed: int | None = None,
    mistake: str = "none",
    not_digits: bool = False,
) -> keras.Model:
    """A new, compiled model of architecture `arch` (a key of ARCHITECTURES).

    `learning_rate` is a float or a Keras learning-rate schedule; `not_digits`: see
    compile_model.
    """
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; choose from {', '.join(ARCHITECTURES)}")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    model = keras_model(arch)
    compile_model(model, learning_rate, mistake, not_digits)
    return model


def compile_model(
    model: keras.Model, learning_rate=1e-3, mistake: str = "none", not_digits: bool = False
) -> None:
    """Adam and sparse cross-entropy on logits, as in the tutorial.

    `mistake` compiles a classic error on purpose, to show what it does (see MISTAKES).
    `not_digits`: the labels include NOT_A_DIGIT, so the loss is NotADigitCrossEntropy.
    """
    if mistake not in MISTAKES:
        raise ValueError(f"unknown mistake {mistake!r}; choose from {', '.join(MISTAKES)}")
    if not_digits and mistake != "none":
        raise ValueError("images that are no digit can only be learnt without a mistake")
    loss = {
        "none": NotADigitCrossEntropy()
        if not_digits
        else keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        "no_from_logits": keras.losses.SparseCategoricalCrossentropy(from_logits=False),
        "softmax_twice": SoftmaxTwiceLoss(),
    }[mistake]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"])


@keras.saving.register_keras_serializable(package="mnist_canvas")
class SoftmaxTwiceLoss(keras.losses.Loss):
    """The cross-entropy of softmax(softmax(logits)): softmax applied twice, by mistake.

    Written out by hand because Keras recognises its own softmax in front of a
    `from_logits=True` loss, warns, and quietly uses the scores before it; a hand-made
    softmax (as in many tutorials' custom code) slips through.
    """

    def call(self, y_true, logits):
        e = keras.ops.exp(logits - keras.ops.max(logits, axis=-1, keepdims=True))
        once = e / keras.ops.sum(e, axis=-1, keepdims=True)
        return keras.losses.sparse_categorical_crossentropy(y_true, once, from_logits=True)


@keras.saving.register_keras_serializable(package="mnist_canvas")
class NotADigitCrossEntropy(keras.losses.Loss):
    """Sparse cross-entropy on logits for digits 0-9; for NOT_A_DIGIT, the cross-entropy
    against the uniform distribution, lowest when all ten probabilities are equal.

    For digit labels it is exactly the tutorial's loss; the extra label teaches the model
    that a scribble is no digit at all, so it spreads its probability instead of naming one.
    """

    def call(self, y_true, logits):
        labels = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
        log_p = keras.ops.log_softmax(logits, axis=-1)
        digit = keras.ops.one_hot(keras.ops.minimum(labels, NUM_CLASSES - 1), NUM_CLASSES)
        uniform = keras.ops.ones_like(log_p) / NUM_CLASSES
        target = keras.ops.where(keras.ops.expand_dims(labels == NOT_A_DIGIT, -1), uniform, digit)
        return -keras.ops.sum(target * log_p, axis=-1)


TEMPERATURE_LAYER = "temperature"


def with_temperature(model, temperature: float):
    """The same model with its logits divided by `temperature` (a last, weightless layer);
    a temperature it had already is replaced, not stacked."""
    kept = model.layers[:-1] if model.layers[-1].name == TEMPERATURE_LAYER else model.layers
    layers = [keras.Input(model.input_shape[1:]), *kept]
    scaled = keras.layers.Rescaling(1.0 / temperature, name=TEMPERATURE_LAYER)
    return keras.Sequential([*layers, scaled], name=model.name)
