"""Figures for reading a whole number (issue 31), printed and saved to
bench/out/number_figures.json; the last line of stdout is one JSON object.

Numbers are composed from the dev pen digits as the issue's "Measure" section says
(testkit.number_canvas: 2-6 digits of one writer, 70-100% of a common height, baselines
±10%, gaps -5%..+40% of the height between ink boxes, the 20 px pen on 840×280) and read
as the CLI's `predict --number` reads them: the model loaded once, each number's inputs
in one batch (number_reading.read_number). Reported:

- digits counted right (the segmentation), overall and in numbers where ink touches;
- each digit's accuracy inside numbers against the same pen digits drawn alone on the
  280 px canvas, counted two ways: strictly, every digit of a number counted wrong
  counts as wrong; and matched, a digit is read right where the reading holds a digit
  of its label whose box is its own (intersection over union at least MATCH_IOU, each
  read digit matched once, most overlap first), so that a neighbour cut in two costs
  only the digits it touches;
- numbers read fully right, by length;
- wrong numbers shown with every digit at least 90% sure (calibration.CONFIDENT).

The default model learnt from these writers: the figures say how the splitting costs
against the same digits alone, not how new writers are read. For that, compose numbers
of one source's writers only (--sources syn) and read them with a model that never saw
that source (bench/writers_figures.py --sources syn --save-models DIR makes one the way
the default is made).

usage: nice -n 10 python bench/number_figures.py [--numbers 300] [--seed 31] [--model default]
       [--sources syn,ced,aga,imp]
"""

import argparse
import json
import os
import sys
import time

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from mnist_core.calibration import CONFIDENT
from mnist_core.number_reading import read_number
from mnist_core.pendigits import PenDigits, render
from mnist_core.preprocess import canvas_to_mnist
from mnist_core.store import DEFAULT_MODEL, MODELS_DIR, resolve
from testkit.figures import save_figures
from testkit.number_canvas import compose, writers_digits

LENGTHS = range(2, 7)
MATCH_IOU = 0.5  # a read digit's box is a drawn digit's at this overlap (as in detection)


def share(hits, total) -> float | None:
    return round(hits / total, 4) if total else None


def iou(a, b) -> float:
    """Intersection over union of two boxes [x0, y0, x1, y1], ends exclusive."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(w, 0) * max(h, 0)
    areas = [(r[2] - r[0]) * (r[3] - r[1]) for r in (a, b)]
    return inter / (sum(areas) - inter)


def matched_right(reading, number) -> list[bool]:
    """For each drawn digit of `number`, whether `reading` holds a digit of its label in
    its own box (MATCH_IOU; each read digit matched once, the largest overlaps first)."""
    pairs = sorted(
        (
            (iou(d.box, box), r, k)
            for r, d in enumerate(reading.digits)
            for k, box in enumerate(number.boxes)
        ),
        reverse=True,
    )
    right, used, taken = [False] * len(number.boxes), set(), set()
    for overlap, r, k in pairs:
        if overlap < MATCH_IOU:
            break
        if r in used or k in taken:
            continue
        used.add(r)
        taken.add(k)
        right[k] = reading.digits[r].digit == number.labels[k]
    return right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=300, help="numbers composed")
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--model", default=DEFAULT_MODEL, help="a saved model's name or path")
    parser.add_argument("--sources", help="only these sources' writers, e.g. syn (default: all)")
    args = parser.parse_args()

    from mnist_core.tf.predict import cached_model, probabilities

    model = cached_model(resolve(args.model, MODELS_DIR))
    digits = PenDigits()
    writers = writers_digits(digits)
    if args.sources:
        wanted, source = args.sources.split(","), digits.sources()
        writers = [w for w in writers if source[w[0]] in wanted]
    rng = np.random.default_rng(args.seed)
    numbers = [compose(digits, rng, int(rng.choice(LENGTHS)), writers) for _ in range(args.numbers)]

    seconds, readings = [], []
    for number in numbers:
        start = time.perf_counter()
        readings.append(read_number(number.image, lambda x: probabilities(model, x)))
        seconds.append(time.perf_counter() - start)

    # the same digits drawn alone on the 280 px canvas, read as the Draw page reads them
    picks = np.array([i for n in numbers for i in n.picks])
    alone_rng = np.random.default_rng(args.seed + 1)
    alone_inputs = np.stack([canvas_to_mnist(render(digits.placed(i, alone_rng))) for i in picks])
    alone = probabilities(model, alone_inputs).argmax(axis=1) == digits.labels[picks]

    counted = np.array([len(r.digits) == len(n.labels) for r, n in zip(readings, numbers)])
    touching = np.array([any(n.touching) for n in numbers])
    inside = np.concatenate(
        [
            [c and d.digit == y for d, y in zip(r.digits, n.labels)]
            if c
            else [False] * len(n.labels)
            for r, n, c in zip(readings, numbers, counted)
        ]
    ).astype(bool)
    matched = np.concatenate([matched_right(r, n) for r, n in zip(readings, numbers)]).astype(bool)
    labels = digits.labels[picks]
    right = np.array([r.number == n.text for r, n in zip(readings, numbers)])
    lengths = np.array([len(n.labels) for n in numbers])
    sure_wrong = np.array(
        [
            not ok and bool(r.digits) and all(d.confidence >= CONFIDENT for d in r.digits)
            for r, ok in zip(readings, right)
        ]
    )
    figures = {
        "numbers": len(numbers),
        "seed": args.seed,
        "model": args.model,
        "sources": args.sources or "all",
        "counted_right": share(counted.sum(), len(numbers)),
        "counted_right_where_ink_touches": share(counted[touching].sum(), touching.sum()),
        "numbers_where_ink_touches": int(touching.sum()),
        "digit_accuracy_inside": share(inside.sum(), len(inside)),
        "digit_accuracy_inside_matched": share(matched.sum(), len(matched)),
        "digit_accuracy_alone": share(alone.sum(), len(alone)),
        "digit_accuracy_inside_counted_right": share(
            inside[np.repeat(counted, lengths)].sum(), np.repeat(counted, lengths).sum()
        ),
        "by_digit": {
            str(k): {
                "inside": share(inside[labels == k].sum(), (labels == k).sum()),
                "inside_matched": share(matched[labels == k].sum(), (labels == k).sum()),
                "alone": share(alone[labels == k].sum(), (labels == k).sum()),
            }
            for k in range(10)
        },
        "fully_right": share(right.sum(), len(numbers)),
        "fully_right_by_length": {
            str(n): share(right[lengths == n].sum(), (lengths == n).sum()) for n in LENGTHS
        },
        "numbers_by_length": {str(n): int((lengths == n).sum()) for n in LENGTHS},
        "wrong_with_every_digit_sure": int(sure_wrong.sum()),
        "wrong_with_every_digit_sure_share": share(sure_wrong.sum(), len(numbers)),
        "wrong": int((~right).sum()),
        "seconds_per_number_median": round(float(np.median(seconds)), 4),
        "seconds_per_number_p95": round(float(np.percentile(seconds, 95)), 4),
    }
    misread = [
        {"drawn": n.text, "read": r.shown, "touching": any(n.touching)}
        for r, n, ok in zip(readings, numbers, right)
        if not ok
    ]
    print(json.dumps(misread[:40]), file=sys.stderr)
    save_figures("number_figures", figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
