"""Saved models: `models/<name>.keras` plus a `<name>.json` metadata sidecar.

Saving is atomic (see atomic.py), so a crash or kill mid-save leaves either the previous
model or the complete new one, plus a hidden temporary that `remove_stale_temporaries`
clears. Listing
never loads TensorFlow and never fails on a bad file: each entry says whether it is usable
and, if not, why. Loading uses Keras's safe mode (no arbitrary code from the file).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import replace_atomically
from .data import PROJECT_DIR

MODELS_DIR = Path(os.environ.get("MNIST_MODELS_DIR") or PROJECT_DIR / "models")
DEFAULT_MODEL = "default"
SUFFIX = ".keras"
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
IMAGE_SHAPES = ([None, 28, 28], [None, 28, 28, 1])


class ModelError(RuntimeError):
    """A model file that cannot be used: missing, corrupt, foreign, or badly named."""


@dataclass(frozen=True)
class ModelInfo:
    """One saved model as listed: its file, its metadata, and why it is unusable if it is."""

    name: str
    path: Path
    metadata: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def usable(self) -> bool:
        return self.error is None

    def describe(self) -> str:
        """One line for people: name, architecture, test accuracy, date (or the problem)."""
        if self.error:
            return f"{self.name}: unusable ({self.error})"
        m = self.metadata
        parts = [self.name, m.get("arch", "unknown architecture")]
        if m.get("test_accuracy") is not None:
            parts.append(f"test accuracy {m['test_accuracy']:.2%}")
        if m.get("created"):
            parts.append(m["created"][:10])
        return " · ".join(parts)


def validate_name(name: str) -> str:
    """`name` if it is a safe model name, else ValueError saying why.

    Letters, digits, '_', '-' and '.', starting with a letter or digit, at most 64
    characters, no '..': a name can never point outside the models folder.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError("model name is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"model name is longer than {MAX_NAME_LENGTH} characters")
    if ".." in name or not _NAME.fullmatch(name):
        raise ValueError(
            f"model name {name[:40]!r} may use only letters, digits, '_', '-' and single '.'"
            ", and must start with a letter or digit"
        )
    return name


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
        raise ModelError(f"{ref}: no saved model of that name in {models_dir}")
    return path


def save_model(
    model, name: str, metadata: dict, models_dir: Path = MODELS_DIR, overwrite: bool = False
) -> ModelInfo:
    """Save `model` as `name` with `metadata`, atomically; refuses to overwrite unless asked."""
    path = model_path(name, models_dir)
    if path.exists() and not overwrite:
        raise ValueError(f"a model named {name!r} already exists; choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, model.save)
    # The sidecar names the model bytes it describes, so a crash between the two renames
    # shows up as stale metadata instead of passing for the new model's.
    metadata = {**metadata, "sha256": _sha256(path)}
    text = json.dumps(metadata, indent=2)
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


def load_model(path: Path):
    """The Keras model in `path` (safe mode), checked to map 28×28 images to 10 logits."""
    import keras

    info = inspect(Path(path))
    if not info.usable:
        raise ModelError(f"{info.path.name}: {info.error}")
    try:
        # compile=False: predicting needs no loss or optimizer, and training compiles anew
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as err:
        raise ModelError(f"{Path(path).name}: cannot be loaded ({err})") from err
    if tuple(model.output_shape) != (None, 10):
        raise ModelError(f"{Path(path).name}: outputs {model.output_shape}, not 10 digit scores")
    return model


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


def _read_metadata(path: Path) -> dict:
    sidecar = path.with_suffix(".json")
    try:
        metadata = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return {"note": "no metadata"}
    if metadata.get("sha256") not in (None, _sha256(path)):
        metadata["note"] = "metadata is from an earlier save of this name"
    return metadata


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def delete_model(name: str, models_dir: Path = MODELS_DIR) -> None:
    """Remove a saved model and its metadata (the name is validated first)."""
    path = model_path(name, models_dir)
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)
