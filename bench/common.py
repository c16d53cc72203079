"""Helpers shared by the benchmark scripts."""

import time

from mnist_core.config import TrainConfig


def bare_fit_images_per_second(config: TrainConfig) -> float:
    """Images/s of a plain `model.fit` on the same model, data and validation as `config`,
    with nothing else: no callbacks, no progress output, numpy arrays in."""
    from mnist_core.data import load_mnist
    from mnist_core.models import build_model
    from mnist_core.training import split

    x_train, y_train, _, _ = load_mnist()
    (x, y), validation = split(x_train, y_train, config.train_size, config.seed)
    model = build_model(config.arch, seed=config.seed)
    start = time.perf_counter()
    model.fit(
        x,
        y,
        batch_size=config.batch_size,
        epochs=config.epochs,
        validation_data=validation,
        verbose=0,
    )
    return len(x) * config.epochs / (time.perf_counter() - start)
