"""Evaluate page without a browser: a model trained here can be deleted after one question,
the bundled ones cannot, and a model made with a mistake says so."""

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from mnist_core.data import PROJECT_DIR
from mnist_core.store import MODELS_DIR

PAGE = str(PROJECT_DIR / "app_pages" / "evaluate.py")


@pytest.fixture
def models(tmp_path, monkeypatch):
    """A models folder with the bundled default, and `mine`: a copy of it whose metadata
    says it was made with the from_logits mistake."""
    import ui.services

    for name in ("default", "mine"):
        shutil.copy(MODELS_DIR / "default.keras", tmp_path / f"{name}.keras")
    metadata = json.loads((MODELS_DIR / "default.json").read_text())
    (tmp_path / "default.json").write_text(json.dumps(metadata))
    metadata.pop("sha256", None)
    metadata["config"] = {**metadata.get("config", {}), "mistake": "no_from_logits"}
    (tmp_path / "mine.json").write_text(json.dumps(metadata))
    monkeypatch.setattr(ui.services.saved_models, "__defaults__", (tmp_path,))
    return tmp_path


def test_a_model_is_deleted_only_after_a_yes_and_bundled_ones_stay(models):
    # "mine" and "default" are the same file: one test of the 10,000 digits serves both
    page = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not page.exception
    assert "bundled with the app" in " ".join(c.value for c in page.caption)
    assert not [b for b in page.button if b.key == "eval_delete"]
    table = page.dataframe[0].value  # mistakes named in words, not internal names
    assert dict(zip(table["model"], table["made with a mistake"])) == {
        "default": "",
        "mine": "from_logits forgotten",
    }
    page.selectbox(key="eval_model").set_value("mine").run()
    assert "classic mistake on purpose (from_logits forgotten)" in page.warning[0].value
    page.button(key="eval_delete").click().run()
    assert "Delete `mine` for everyone?" in " ".join(w.value for w in page.warning)
    page.button(key="eval_delete_no").click().run()  # cancel: nothing goes
    assert (models / "mine.keras").exists()
    page.button(key="eval_delete").click().run()
    page.button(key="eval_delete_yes").click().run()
    assert not page.exception
    assert not (models / "mine.keras").exists() and not (models / "mine.json").exists()
    assert "Deleted `mine`." in page.success[0].value
    assert page.selectbox(key="eval_model").value == "default"
    assert (models / "default.keras").exists()


def test_changes_are_in_points_and_no_change_is_said_plainly():
    from ui.evaluate import points_change

    assert points_change(0.9754, 0.9712, "default") == "+0.4 points against default (97.1%)"
    assert points_change(0.98, 0.98, "default") == "no change against default (98.0%)"
