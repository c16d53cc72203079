"""How a training holds up beside a room's load, without browsers (issue 17's ratio).

bench/room_figures.py measures the real thing: the Train page in Chromium, 30 light
sessions, the Evaluate page, some ten minutes a run. One run's training ratio moves by
±0.07 there, so a change to how the training runs (its threads, its nice value, its
scheduling policy) needs several runs to judge. This script isolates the training: the
Train page's `cnn` (as room_figures.py trains it) runs in this process, at the training
child's nice value, and after --alone epochs a synthetic load starts beside it, shaped
like the room measured there at 30 people:

- the server: 45 page reruns a second (15 digits, three reruns each), 8.5 ms of CPU each;
- the Train page's browser: 4 bursts a second of 40 ms (its charts, 0.16 core);
- the load driver: 15 bursts a second of 4.5 ms (0.07 core);

each a process of its own at nice 0 doing busy work at random (Poisson) moments. The
figures: the cores the room really took, each epoch's seconds, the training's cores and
the machine's idle cores per epoch, and the ratio of its mean loaded epoch to its mean
alone epoch (the first epoch, which builds the graph, is left out).

TensorFlow's settings come from the environment, as the app's children take them:
    TF_NUM_INTRAOP_THREADS=4 python bench/training_under_load.py
    TF_ENABLE_ONEDNN_OPTS=0 python bench/training_under_load.py
Last line: one JSON object, also saved to bench/out/training_under_load.json.

--room-scale 0.67 makes the room's load two thirds as large: on these two cores, the
share of the machine that 30 people's room takes of three cores (the training's threads
and cores both scale with the machine; the room does not). A stand-in for the bigger
machine that the issue's ratio needs, not a measurement of one.

usage: python bench/training_under_load.py [--alone 2] [--loaded 2] [--nice 5]
       [--room-scale 1.0] [--batch-policy]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field, replace

# TensorFlow runs in this process: its C++ log shows errors only (set before it loads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mnist_core.processes.child import THREAD_SETTINGS  # noqa: E402
from mnist_core.processes.training import NICENESS  # noqa: E402
from testkit.figures import cpu_seconds, idle_cpu_seconds, save_figures  # noqa: E402

# What TensorFlow reads from the environment about how it runs on the CPU
TF_SETTINGS = (*THREAD_SETTINGS, "TF_ENABLE_ONEDNN_OPTS")


@dataclass(frozen=True)
class Burst:
    """One part of the synthetic room: `per_second` bursts of `cpu_ms` busy CPU each."""

    name: str
    per_second: float
    cpu_ms: float


ROOM_AT_30 = (  # room_figures.py --sessions 30, cores measured while loaded (README)
    Burst("server", 45, 8.5),
    Burst("train page browser", 4, 40),
    Burst("load driver", 15, 4.5),
)


@dataclass
class EpochClock:
    """Wall time, this process's CPU time and the machine's idle time at each epoch's end."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    idle: list[float] = field(default_factory=list)

    def tick(self) -> None:
        times = os.times()
        self.wall.append(time.perf_counter())
        self.cpu.append(times.user + times.system)
        self.idle.append(idle_cpu_seconds())

    def per_epoch(self) -> list[dict]:
        rows = []
        for k in range(1, len(self.wall)):
            seconds = self.wall[k] - self.wall[k - 1]
            rows.append(
                {
                    "seconds": round(seconds, 2),
                    "training_cores": round((self.cpu[k] - self.cpu[k - 1]) / seconds, 2),
                    "idle_cores": round((self.idle[k] - self.idle[k - 1]) / seconds, 2),
                }
            )
        return rows


def burn(burst: Burst, seconds: float, seed: int) -> None:
    """The load of one part, in this process, for `seconds`: busy work at random moments,
    arriving at `burst.per_second` whatever each burst takes (a late one starts at once)."""
    rng = random.Random(seed)
    now = time.monotonic()
    end, due = now + seconds, now
    while due < end:
        due += rng.expovariate(burst.per_second)
        time.sleep(max(0.0, due - time.monotonic()))
        began = time.thread_time()
        while time.thread_time() - began < burst.cpu_ms / 1000:
            pass


def start_room(seconds: float, scale: float = 1.0) -> list[subprocess.Popen]:
    """The synthetic room's processes, each part's bursts `scale` times as frequent as at
    30 people, waiting for a line on their input to begin (see begin). Started before
    this process lowers its priority, so they keep nice 0 and the normal policy: raising
    a priority again would need root."""
    return [
        subprocess.Popen(
            [sys.executable, __file__, "--burn", json.dumps(asdict(part)), str(seconds)],
            stdin=subprocess.PIPE,
        )
        for part in (replace(burst, per_second=burst.per_second * scale) for burst in ROOM_AT_30)
    ]


def begin(room: list[subprocess.Popen]) -> None:
    for process in room:
        process.stdin.write(b"go\n")
        process.stdin.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alone", type=int, default=2, help="epochs measured alone")
    ap.add_argument("--loaded", type=int, default=2, help="epochs measured beside the room")
    ap.add_argument("--nice", type=int, default=NICENESS, help="the training's nice value")
    ap.add_argument(
        "--room-scale",
        type=float,
        default=1.0,
        help="the room's load as a multiple of 30 people's (2/3: 30 people's share of 3 cores)",
    )
    ap.add_argument(
        "--batch-policy", action="store_true", help="the training under Linux's SCHED_BATCH"
    )
    ap.add_argument("--burn", nargs=2, help=argparse.SUPPRESS)  # a load process's own entry
    args = ap.parse_args()
    if args.burn:
        sys.stdin.readline()  # until the training has trained alone
        burn(Burst(**json.loads(args.burn[0])), float(args.burn[1]), seed=os.getpid())
        return
    room = start_room(seconds=600, scale=args.room_scale)
    os.nice(args.nice)
    if args.batch_policy:  # before TensorFlow starts its threads: they inherit it
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))

    from room_figures import training

    from mnist_core.data import load_mnist
    from mnist_core.tf.training import Progress, train

    config = training(1 + args.alone + args.loaded)
    clock = EpochClock()
    room_cpu_at_start: list[float] = []  # the room's own start-up, not counted in its cores

    def on_batch(epoch: int, batch: int, logs: dict) -> None:
        if epoch == 0 and batch == 0:
            clock.tick()  # the first epoch counts from its first batch, after the start-up

    def on_epoch(epoch: int, logs: dict) -> None:
        clock.tick()
        if epoch == args.alone:  # the first epoch and --alone epochs done: the room comes
            room_cpu_at_start.append(sum(cpu_seconds(process.pid) for process in room))
            begin(room)

    try:
        train(config, load_mnist(), Progress(on_batch, on_epoch))
        room_cpu = sum(cpu_seconds(process.pid) for process in room) - room_cpu_at_start[0]
    finally:
        for process in room:
            process.kill()
    epochs = clock.per_epoch()
    alone = [e["seconds"] for e in epochs[1 : 1 + args.alone]]
    loaded = [e["seconds"] for e in epochs[1 + args.alone :]]
    settings = {name: os.environ[name] for name in TF_SETTINGS if name in os.environ}
    figures = {
        "settings": {**settings, "nice": args.nice, "batch_policy": args.batch_policy},
        "room_cores": round(room_cpu / sum(loaded), 2),
        "epochs": epochs,
        "training_ratio": round((sum(alone) / len(alone)) / (sum(loaded) / len(loaded)), 3),
    }
    save_figures("training_under_load", figures)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
