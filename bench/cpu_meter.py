"""CPU time of an app's parts over a window, in cores: the server, each of its child
processes by role (found by their command lines, also those that start or end inside the
window), this process (the load driver) and the whole machine."""

from __future__ import annotations

import os
import threading
import time

from testkit.apprunner import child_processes
from testkit.figures import cpu_seconds, total_cpu_seconds


def role(command: str) -> str | None:
    """A child's part, from its command line (`python -m MODULE FD [LANE …]`, see
    mnist_core.child), or None for a process that is none of the app's."""
    words = command.split()
    if "mnist_core.processes.training" in words:
        return "training"
    if "mnist_core.processes.prediction" in words:
        lane = words[words.index("mnist_core.processes.prediction") + 2 :][:1]
        return f"{lane[0] if lane else 'prediction'} lane"
    return None


SAMPLE_S = 0.2  # a process that ends is counted up to its last sample


class CpuMeter:
    """Samples while open; `cores()` gives each part's CPU seconds per second of the window."""

    def __init__(self, server_pid: int):
        self._server = server_pid
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._role: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)

    def __enter__(self) -> CpuMeter:
        self._machine, self._began = total_cpu_seconds(), time.monotonic()
        self._sample(first=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.seconds = time.monotonic() - self._began
        self._machine = total_cpu_seconds() - self._machine

    def _processes(self) -> dict[int, str]:
        found = {self._server: "server", os.getpid(): "load driver (this process)"}
        for pid, command in child_processes(self._server).items():
            if (part := role(command)) is not None:
                found[pid] = part
        return found

    def _sample(self, first: bool = False) -> None:
        for pid, part in self._processes().items():
            try:
                used = cpu_seconds(pid)
            except OSError:
                continue  # ended: its last sample stands
            # a process started inside the window counts from 0
            self._first.setdefault(pid, used if first else 0.0)
            self._last[pid], self._role[pid] = used, part

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self._sample()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds each part used in the window."""
        used: dict[str, float] = {}
        for pid, part in self._role.items():
            used[part] = used.get(part, 0.0) + self._last[pid] - self._first[pid]
        return used

    def cores(self) -> dict[str, float]:
        """Each part's CPU seconds per second, the rest of the machine, and its total."""
        used = self.cpu_seconds()
        cores = {part: round(seconds / self.seconds, 3) for part, seconds in used.items()}
        cores["everything else"] = round((self._machine - sum(used.values())) / self.seconds, 3)
        cores["machine"] = round(self._machine / self.seconds, 3)
        return cores
