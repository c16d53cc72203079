"""Random distortions of training digits so a model reads drawings, not just MNIST.

After preprocessing, a canvas drawing differs from MNIST mostly in slant, rotation,
proportions, a pixel or two of placement, and stroke thickness (pen width against digit
size). Each batch gets fresh random amounts of each. TensorFlow ops, run inside tf.data.
"""

from __future__ import annotations

import math

import tensorflow as tf

MAX_ROTATION = math.radians(12)
MAX_SHEAR = 0.3  # slant: x moves by up to this times y
SCALE_RANGE = (0.85, 1.1)
MAX_ASPECT = 0.12  # width scaled by up to ±12% against height
MAX_SHIFT = 2.0  # pixels
CENTRE = 13.5


def _inverse_affine(batch: int) -> tf.Tensor:
    """(batch, 8) projective transforms mapping output pixels back to input pixels."""

    def uniform(low, high):
        return tf.random.uniform([batch], low, high)

    angle = uniform(-MAX_ROTATION, MAX_ROTATION)
    shear = uniform(-MAX_SHEAR, MAX_SHEAR)
    scale = uniform(*SCALE_RANGE)
    aspect = uniform(1 - MAX_ASPECT, 1 + MAX_ASPECT)
    sx, sy = scale * aspect, scale
    cos, sin = tf.cos(angle), tf.sin(angle)
    # forward A = rotation @ shear @ scale, in (x, y) pixel coordinates
    a00, a01 = cos * sx, (cos * shear - sin) * sy
    a10, a11 = sin * sx, (sin * shear + cos) * sy
    det = a00 * a11 - a01 * a10
    i00, i01, i10, i11 = a11 / det, -a01 / det, -a10 / det, a00 / det
    tx = CENTRE + uniform(-MAX_SHIFT, MAX_SHIFT)
    ty = CENTRE + uniform(-MAX_SHIFT, MAX_SHIFT)
    # input = A^-1 (output - t) + centre
    b0 = CENTRE - i00 * tx - i01 * ty
    b1 = CENTRE - i10 * tx - i11 * ty
    zeros = tf.zeros([batch])
    return tf.stack([i00, i01, b0, i10, i11, b1, zeros, zeros], axis=1)


def _thickness(images: tf.Tensor) -> tf.Tensor:
    """Thicken or thin each image's strokes by a random fraction of a pixel's dilation."""
    x = images[..., None]
    dilated = tf.nn.max_pool2d(x, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-x, 2, 1, "SAME")
    amount = tf.random.uniform([tf.shape(x)[0], 1, 1, 1], -0.6, 0.8)
    thicker = x + tf.maximum(amount, 0.0) * (dilated - x)
    thinner = x + tf.maximum(-amount, 0.0) * (eroded - x)
    return tf.where(amount >= 0, thicker, thinner)[..., 0]


def augment_batch(images: tf.Tensor) -> tf.Tensor:
    """Randomly distort a batch: (N, 28, 28) float32 in [0, 1] → the same shape and range."""
    batch = tf.shape(images)[0]
    warped = tf.raw_ops.ImageProjectiveTransformV3(
        images=images[..., None],
        transforms=_inverse_affine(batch),
        output_shape=tf.constant([28, 28]),
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )[..., 0]
    return tf.clip_by_value(_thickness(warped), 0.0, 1.0)
