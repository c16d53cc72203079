"""Does answering for pinned drawings slow training down? (issue 28: at most 2%.)
Saved to bench/out/pinned_speed.json.

The same run (same settings and seed, so the same batches) is trained alternately without
and with the pinned inputs answered every tf.training.PINNED_EVERY s (two MNIST test
digits and four more: six, the most the page allows; each round in the other order),
`--rounds` times each after a warm-up pair, in this one process; both report every batch
to a no-op, as the Train page's training process reports to the page.
Reported: each run's fit time and CPU time, their medians' slowdown, and the seconds
between answers.

usage: python bench/pinned_speed.py [--arch dense] [--epochs 1] [--train-size 20000] [--rounds 3]
"""

import argparse
import os
import statistics
import time

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

from mnist_core.config import TrainConfig
from mnist_core.data import load_mnist
from mnist_core.pinned import MAX_PINNED, pinned
from mnist_core.tf.training import PINNED_EVERY, Progress, train
from testkit.figures import save_figures


def gaps(answers: list) -> list[float]:
    """Seconds between consecutive answers within each run (runs separated by None),
    left out: each run's first answer (before Keras starts: the gap after it is Keras's
    start-up, not training) and its last (sent once training ends, after validation)."""
    found, run = [], []
    for t in [*answers, None]:
        if t is None:
            found += list(np.diff(run[1:-1]))
            run = []
        else:
            run.append(t)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="dense")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    mnist = load_mnist()
    x_test, y_test = mnist[2], mnist[3]
    extra = [(x_test[i] / 255.0, int(y_test[i]), f"#{i}") for i in range(2, MAX_PINNED)]
    pins = pinned(x_test, y_test, saved=extra)
    config = TrainConfig(
        arch=args.arch, epochs=args.epochs, train_size=args.train_size, augment=False
    )
    answers = []  # time.monotonic() of each answer for the pinned inputs
    runs = {"without": [], "with": []}
    cpu = {"without": [], "with": []}
    for round_ in range(args.rounds + 1):  # round 0 warms up (tracing, caches): not counted
        # each round in the other order: the second run of a pair was seen to gain from
        # the first's warm caches
        for kind in list(runs) if round_ % 2 else list(runs)[::-1]:
            progress = Progress(on_batch=lambda *a: None)
            if kind == "with":
                progress = Progress(
                    on_batch=lambda *a: None,
                    pinned=pins.images,
                    on_pinned=lambda at, p: answers.append(time.monotonic()),
                )
            answers.append(None)  # a new run
            started = time.process_time()
            result = train(config, mnist, progress)
            if round_:
                runs[kind].append(round(result.training_seconds, 3))
                cpu[kind].append(round(time.process_time() - started, 3))
            print(kind, result.training_seconds, flush=True)
    # the work added, timed alone: one answer for the pinned inputs, as the hook makes it
    model, calls = result.model, []
    predict = tf.function(lambda x: model(x, training=False))
    inputs = tf.constant(pins.images)
    predict(inputs)  # traced once, as in a run
    for _ in range(50):
        started = time.perf_counter()
        np.asarray(predict(inputs))
        calls.append(time.perf_counter() - started)
    answer_ms = 1000 * statistics.median(calls)
    without, with_ = (statistics.median(runs[k]) for k in ("without", "with"))
    figures = {
        "config": {
            "arch": args.arch,
            "epochs": args.epochs,
            "train_size": args.train_size,
            "batch_size": config.batch_size,
            "pinned": len(pins),
        },
        "seconds_without": runs["without"],
        "seconds_with": runs["with"],
        "median_without": without,
        "median_with": with_,
        "slowdown": round(with_ / without - 1, 4),
        # each round's pair (trained one after the other), then their median: the
        # machine's slow drifts cancel within a pair
        "paired_slowdown_median": round(
            statistics.median(w / wo - 1 for w, wo in zip(runs["with"], runs["without"])), 4
        ),
        # the machine is shared: its other work shows in the wall time, much less in the
        # CPU time this process spent (all its threads)
        "cpu_seconds_without": cpu["without"],
        "cpu_seconds_with": cpu["with"],
        "cpu_slowdown": round(
            statistics.median(cpu["with"]) / statistics.median(cpu["without"]) - 1, 4
        ),
        "ms_per_answer": round(answer_ms, 2),
        # that work's share of a run: an answer every PINNED_EVERY s at most
        "answer_share": round(answer_ms / 1000 / PINNED_EVERY, 4),
        # between two answers while batches train (see gaps)
        "median_seconds_between_answers": round(float(np.median(gaps(answers))), 3),
        "max_seconds_between_answers": round(float(np.max(gaps(answers))), 3),
    }
    print(figures)
    save_figures("pinned_speed", figures)


if __name__ == "__main__":
    main()
