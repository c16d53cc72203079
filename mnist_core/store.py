"""Saved models: `models/<name>.keras` plus a `<name>.json` metadata sidecar, and the one
typed record of that metadata (ModelMetadata) that training results, pages and the CLI read.

Saving is atomic (see atomic.py), so a crash or kill mid-save leaves either the previous
model or the complete new one, plus a hidden temporary that `remove_stale_temporaries`
clears. Listing never loads TensorFlow and never fails on a bad file: each entry says
whether it is usable and, if not, why. Loading (tf/predict.py) uses Keras's safe mode.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import zipfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from .architectures import MISTAKE_NAMES
from .atomic import replace_atomically
from .config import TrainConfig
from .data import PROJECT_DIR
from .names import validate_name
from .pinned import Pinned

MODELS_DIR = Path(os.environ.get("MNIST_MODELS_DIR") or PROJECT_DIR / "models")
DEFAULT_MODEL = "default"
# Shipped with the app (git restores them: `git checkout -- models/`), so never deleted
# from it: drawing must work on the next start whatever a class did.
BUNDLED_MODELS = (DEFAULT_MODEL, "mnist-cnn")
SUFFIX = ".keras"
IMAGE_SHAPES = ([None, 28, 28], [None, 28, 28, 1])
# A fall in MNIST test accuracy larger than this (half a point) is shown as a warning with
# a way back: smaller moves are within what two runs of the same settings differ by.
DROP_WARNING = 0.005
# A fine-tune whose "not sure" on non-digits falls by more than this (5 of 100 marks more
# read as a digit) is shown with a warning: it lost some of its honesty.
HONESTY_WARNING = 0.05


# Sidecar keys worked out from others (properties here), not read back.
DERIVED = {"epochs_trained"}


def epochs_trained(epochs_done: int, batches_done: int, steps_per_epoch: int) -> float:
    """Whole epochs plus the share of a stopped epoch's batches."""
    return epochs_done + batches_done / max(steps_per_epoch, 1)


class ModelError(RuntimeError):
    """A model file that cannot be used: missing, corrupt, foreign, or badly named."""


@dataclass(frozen=True)
class ModelMetadata:
    """What is known of a saved model: how it was made and how well it does.

    The field names are the sidecar file's keys. Every field may be missing: models saved
    by earlier versions, or by hand, have fewer; keys this version does not know are kept
    in `other` and written back unchanged.
    """

    # How it was made. The fields are ordered by topic.
    arch: str | None = None
    config: TrainConfig | None = None
    params: int | None = None
    stopped_early: bool = False
    epochs_done: int | None = None  # whole epochs
    batches_done: int = 0  # of an epoch a Stop cut short
    steps_per_epoch: int = 0
    training_seconds: float | None = None
    images_per_second: float | None = None
    history: dict[str, list[float]] = field(default_factory=dict)  # Keras's, per epoch
    # How well it reads the 10,000 MNIST test digits, and the model of that name it replaced
    test_accuracy: float | None = None
    test_loss: float | None = None
    replaced_accuracy: float | None = None
    created: str = ""  # ISO 8601, UTC
    # A fine-tune: the model it started from, measured on the same test digits just before,
    # and the person's drawings it learnt from, read before and after
    fine_tuned_from: str | None = None
    base_accuracy: float | None = None
    base_loss: float | None = None
    drawings: int = 0
    drawings_accuracy_before: float | None = None
    drawings_accuracy_after: float | None = None
    drawing_repeats: int = 0  # times each drawing went into an epoch
    # Share of the marks that are no digit (non_digit_tests.NonDigitSet) it answers "not
    # sure", and for a fine-tune the model it started from, on the same marks
    non_digits_not_sure: float | None = None
    base_non_digits_not_sure: float | None = None
    # The bundled model's card (tf/default_model.py)
    temperature: float | None = None
    trained_on: str | None = None
    calibration: str | None = None
    handwriting_recipe: dict[str, object] | None = None
    note: str = ""  # for people: e.g. "no metadata"
    sha256: str | None = None  # of the model file this describes
    other: dict = field(default_factory=dict)

    @property
    def epochs_trained(self) -> float | None:
        """Epochs trained, a stopped epoch counted by its share of batches."""
        if self.epochs_done is None:
            return None
        return epochs_trained(self.epochs_done, self.batches_done, self.steps_per_epoch)

    @classmethod
    def from_json(cls, saved: dict) -> ModelMetadata:
        """The record from a sidecar's JSON object, of this version or an earlier one."""
        known = {f.name for f in fields(cls)} - {"other"}
        values = {k: v for k, v in saved.items() if k in known}
        if values.get("config") is not None:
            if not isinstance(values["config"], dict):
                raise TypeError(f"config is {type(values['config']).__name__}, not an object")
            values["config"] = TrainConfig.from_dict(values["config"])
        unknown = {k: v for k, v in saved.items() if k not in known | DERIVED}
        return cls(**values, other=unknown)

    def to_json(self) -> dict:
        """The sidecar's JSON object: the fields that are set, under their own names."""
        saved = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "other"}
        if self.config is not None:
            saved["config"] = asdict(self.config)
        if self.epochs_trained is not None:  # for earlier versions, which read it
            saved["epochs_trained"] = round(self.epochs_trained, 3)
        defaults = ModelMetadata()
        return {
            **{k: v for k, v in saved.items() if v is not None and v != getattr(defaults, k, None)},
            **self.other,
        }

    @property
    def mistake(self) -> str | None:
        """The classic mistake this model was trained with on purpose, in a few words
        (MISTAKE_NAMES), or None for a normal run."""
        if self.config is None or self.config.mistake == "none":
            return None
        return MISTAKE_NAMES.get(self.config.mistake, self.config.mistake)

    @property
    def previous_accuracy(self) -> float | None:
        """Test accuracy of the model that came before: the base of a fine-tune, or the
        saved model this one replaced; None for a new name."""
        if self.base_accuracy is not None:
            return self.base_accuracy
        return self.replaced_accuracy

    @property
    def accuracy_change(self) -> float | None:
        before = self.previous_accuracy
        if before is None or self.test_accuracy is None:
            return None
        return self.test_accuracy - before

    @property
    def less_honest(self) -> bool:
        """True when a fine-tune answers "not sure" to clearly fewer marks that are no
        digit than the model it started from (more than HONESTY_WARNING fewer)."""
        before, after = self.base_non_digits_not_sure, self.non_digits_not_sure
        return before is not None and after is not None and after < before - HONESTY_WARNING

    @property
    def worse(self) -> bool:
        """True when test accuracy fell by more than DROP_WARNING against what came before."""
        change = self.accuracy_change
        return change is not None and change < -DROP_WARNING

    @property
    def regressed(self) -> bool:
        """Worse than what came before on MNIST, or less honest on non-digits: either way
        the old model is offered back."""
        return self.worse or self.less_honest

    def trained(self, planned_epochs: int) -> str:
        """How much it trained, truthfully: '5 epochs', or for a stopped run 'epoch 2/5,
        batch 120/328 (1 whole epoch trained)'."""
        epochs = self.epochs_done or 0
        whole = f"{epochs} whole epoch{'s' if epochs != 1 else ''}"
        if not self.batches_done:
            if self.stopped_early:
                return f"{whole} of {planned_epochs}"
            return whole.replace("whole ", "")
        return (
            f"epoch {epochs + 1}/{planned_epochs}, batch {self.batches_done}/"
            f"{self.steps_per_epoch} ({whole} trained)"
        )


@dataclass(frozen=True)
class ModelInfo:
    """One saved model as listed: its file, its metadata, and why it is unusable if it is."""

    name: str
    path: Path
    metadata: ModelMetadata = field(default_factory=ModelMetadata)
    error: str | None = None

    @property
    def usable(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """One line for people: name, architecture, test accuracy, date (or the problem)."""
        if self.error:
            return f"{self.name}: unusable ({self.error})"
        m = self.metadata
        parts = [self.name, m.arch or "unknown architecture"]
        if m.test_accuracy is not None:
            parts.append(f"test accuracy {m.test_accuracy:.2%}")
        if m.created:
            parts.append(m.created[:10])
        if m.mistake:
            parts.append(f"made with a mistake on purpose: {m.mistake}")
        return " · ".join(parts)


def model_path(name: str, models_dir: Path = MODELS_DIR) -> Path:
    return Path(models_dir) / f"{validate_name(name)}{SUFFIX}"


def resolve(ref: str, models_dir: Path = MODELS_DIR) -> Path:
    """A model reference (a saved name, or a path to a .keras file) as an existing path."""
    as_path = Path(ref)
    if as_path.suffix == SUFFIX and as_path.exists():
        return as_path
    try:
        path = model_path(ref, models_dir)
    except ValueError:
        raise ModelError(f"{ref}: no such model file or saved model name") from None
    if not path.exists():
        saved = [p.stem for p in Path(models_dir).glob(f"*{SUFFIX}")]
        close = difflib.get_close_matches(ref, saved, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ModelError(f"{ref}: no saved model of that name in {models_dir}{hint}")
    return path


def save_model(
    model,
    name: str,
    metadata: ModelMetadata,
    models_dir: Path = MODELS_DIR,
    overwrite: bool = False,
) -> ModelInfo:
    """Save the Keras `model` as `name` with `metadata`, atomically; refuses to overwrite
    unless asked. Needs no TensorFlow import here: the model saves itself."""
    path = model_path(name, models_dir)
    if path.exists() and not overwrite:
        raise ValueError(f"a model named {name!r} already exists; choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, model.save)
    # The sidecar names the model bytes it describes, so a crash between the two renames
    # shows up as stale metadata instead of passing for the new model's.
    metadata = replace(metadata, sha256=_sha256(path))
    text = json.dumps(metadata.to_json(), indent=2)
    replace_atomically(path.with_suffix(".json"), lambda tmp: tmp.write_text(text))
    return ModelInfo(name, path, metadata)


def list_models(models_dir: Path = MODELS_DIR) -> list[ModelInfo]:
    """Every `*.keras` in the folder (hidden temporaries skipped), the default first."""
    paths = sorted(p for p in Path(models_dir).glob(f"*{SUFFIX}") if not p.name.startswith("."))
    infos = [inspect(p) for p in paths]
    return sorted(infos, key=lambda i: (i.name != DEFAULT_MODEL, i.name.lower()))


def inspect(path: Path) -> ModelInfo:
    """What can be told about a model file without loading it: metadata, or the problem."""
    name = path.name[: -len(SUFFIX)]
    try:
        with zipfile.ZipFile(path) as archive:
            if "config.json" not in archive.namelist():
                raise ModelError("not a Keras model file (no config.json inside)")
            config = json.loads(archive.read("config.json"))
            if archive.testzip() is not None:
                raise ModelError("corrupt: a part of the file fails its checksum")
    except ModelError as err:
        return ModelInfo(name, path, error=str(err))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        return ModelInfo(name, path, error=f"corrupt or not a .keras file ({err})")
    shape = _input_shape(config)
    if shape not in IMAGE_SHAPES:
        return ModelInfo(name, path, error=f"expects input {shape}, not 28×28 images")
    return ModelInfo(name, path, _read_metadata(path))


def _input_shape(config) -> list | None:
    """The first `batch_shape` in a Keras config: the model's input shape."""
    if isinstance(config, dict):
        if "batch_shape" in config:
            return config["batch_shape"]
        values = config.values()
    elif isinstance(config, list):
        values = config
    else:
        return None
    for value in values:
        found = _input_shape(value)
        if found is not None:
            return found
    return None


def _read_metadata(path: Path) -> ModelMetadata:
    sidecar = path.with_suffix(".json")
    try:
        saved = json.loads(sidecar.read_text())
        metadata = ModelMetadata.from_json(saved)
    except (OSError, ValueError, TypeError, AttributeError):
        # missing, unreadable, or not an object of known fields: the model still works
        return ModelMetadata(note="no metadata")
    if metadata.sha256 not in (None, _sha256(path)):
        metadata = replace(metadata, note="metadata is from an earlier save of this name")
    return metadata


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def delete_saved_model(name: str, models_dir: Path = MODELS_DIR) -> None:
    """Delete a model a person chose to delete: ValueError for a bundled one, which stays."""
    if name in BUNDLED_MODELS:
        raise ValueError(f"{name!r} is bundled with the app and can't be deleted")
    delete_model(name, models_dir)


def delete_model(name: str, models_dir: Path = MODELS_DIR) -> None:
    """Remove a saved model and its metadata (the name is validated first)."""
    path = model_path(name, models_dir)
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)


@dataclass(frozen=True)
class TrainingRequest:
    """A run to do: its settings, and where its model goes (saved as `name` in
    `models_dir`, replacing one of that name only if `overwrite`); a fine-tune reads the
    person's drawings from `drawings_dir` (None: the app's folder). `pinned`: inputs whose
    probabilities the run reports as it trains (None: none).

    Checked once, when it is made (check_new_run: ValueError with a one-line reason), and
    trusted after: the training slot, the child process and train_and_save take it as it
    is. (Sent to the child, it is unpickled without being made again.)
    """

    config: TrainConfig
    name: str
    models_dir: Path
    overwrite: bool = False
    drawings_dir: Path | None = None
    pinned: Pinned | None = None

    def __post_init__(self):
        check_new_run(self.config, self.name, self.models_dir, self.overwrite)


def check_new_run(config: TrainConfig, name: str, models_dir, overwrite: bool = False) -> None:
    """ValueError with a one-line reason unless `config` (valid, as every TrainConfig is)
    can train a model saved as `name`."""
    if config.base_model is not None and not model_path(config.base_model, models_dir).exists():
        raise ValueError(f"there is no saved model {config.base_model!r} to fine-tune")
    if config.base_model == name:
        # kept apart so that the result can be compared with it, and undone
        raise ValueError(
            "a fine-tune is saved under a new name: the model it starts from stays, to "
            "compare with and to go back to"
        )
    if model_path(name, models_dir).exists() and not overwrite:
        raise ValueError(f"a model named {name!r} already exists; choose another name")
