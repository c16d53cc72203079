"""What the bench scripts share for the figures they report: a bare `model.fit` speed to
compare with, training from the Train page, CPU and memory readings, and bench/out/*.json."""

import json
import os
import time

from mnist_core.config import TrainConfig

from .apprunner import PROJECT_DIR


def bare_fit_images_per_second(config: TrainConfig) -> float:
    """Images/s of a plain `model.fit` on the same model, data and validation as `config`,
    with nothing else: no callbacks, no progress output, numpy arrays in."""
    from mnist_core.data import load_mnist
    from mnist_core.tf.models import build_model
    from mnist_core.tf.training import split

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


def start_training_from_page(page, url, name, **settings) -> None:
    """Open the Train page, fill in `settings` (see apprunner.fill_training_form), Start."""
    from .apprunner import fill_training_form

    page.goto(f"{url}/train")
    fill_training_form(page, name, **settings)
    page.locator(".st-key-train_start button").click()


def wait_trained(page, name) -> None:
    """Until the Train page shows the outcome of the training `name`."""
    from playwright.sync_api import expect

    # the page keeps showing the previous training's outcome until this one ends
    expect(page.get_by_text(f"saved as {name}")).to_be_visible(timeout=600000)
    expect(
        page.locator("[data-testid='stMetric']").filter(has_text="Test accuracy")
    ).to_be_visible()


def train_from_page(page, url, name, **settings) -> None:
    start_training_from_page(page, url, name, **settings)
    wait_trained(page, name)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; OSError once it is gone."""
    from .apprunner import proc_stat

    fields = proc_stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_ticks() -> dict[str, int]:
    """Clock ticks (os.sysconf("SC_CLK_TCK") a second) all the machine's cores have spent
    in each state since boot, from /proc/stat's first line: user, nice, system, idle."""
    with open("/proc/stat") as f:
        ticks = f.readline().split()[1:5]
    return dict(zip(("user", "nice", "system", "idle"), map(int, ticks)))


def total_cpu_seconds() -> float:
    """CPU time of the whole machine (all processes), from /proc/stat."""
    ticks = machine_cpu_ticks()
    return (ticks["user"] + ticks["nice"] + ticks["system"]) / os.sysconf("SC_CLK_TCK")


def idle_cpu_seconds() -> float:
    """Seconds the machine's cores have spent idle since boot, all added (/proc/stat)."""
    return machine_cpu_ticks()["idle"] / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """A process's resident memory now, in MB."""
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
    return round(kb / 1024, 1)


def images_per_second(models, name: str, config: TrainConfig) -> float:
    """The training speed saved with model `name`, checked to be a run of `config`."""
    meta = json.loads((models / f"{name}.json").read_text())
    assert meta["config"] == config.as_dict(), meta["config"]
    return meta["images_per_second"]


OUT_DIR = PROJECT_DIR / "bench" / "out"


def save_figures(name: str, figures: dict) -> None:
    """Write `figures` to bench/out/NAME.json, where the README's figures come from."""
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / f"{name}.json").write_text(json.dumps(figures, indent=2))


def report_rounds(name: str, figures: dict, rounds: int) -> None:
    """A bench of timed rounds' ending: `figures` stamped with the rounds and the time,
    saved (save_figures), and printed as one JSON object on the last line of stdout."""
    figures["rounds"] = rounds
    figures["when"] = time.strftime("%Y-%m-%d %H:%M")
    save_figures(name, figures)
    print(json.dumps(figures))
