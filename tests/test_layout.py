"""The layout's rule, read from the code: only mnist_core/tf imports TensorFlow or Keras, and
the server's code reaches it only through the child processes' entry points.

Streamlit clears the Keras session after every script run once Keras is imported in its
process, so one stray import makes every stroke's answer slower; test_server_imports.py
checks a running server, this checks every line, including imports inside functions.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TENSORFLOW = ("tensorflow", "keras", "tf_keras")
# Where mnist_core.tf may be imported from outside it: a child process's main function
# (it runs in the child, never in the server) and the CLI once its checks have passed.
ENTRY_POINTS = {
    "mnist_core/processes/prediction.py": {"child_main"},
    "mnist_core/processes/training.py": {"child_main"},
    "mnist_core/cli.py": {"cmd_train", "cmd_evaluate", "cmd_predict", "cmd_explain"},
}


def outside_tf() -> list[Path]:
    """Every module the server may import: app.py, app_pages/, ui/, server/, mnist_core/
    but tf/."""
    files = [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    files += [*(ROOT / "server").glob("*.py")]
    core = ROOT / "mnist_core"
    files += [p for p in core.rglob("*.py") if (core / "tf") not in p.parents]
    return sorted(files)


def imports(source: str, package: str) -> list[tuple[str, str | None]]:
    """(absolute module imported, the function it is imported in, None at module level)
    for each import in `source`, a module of `package`."""
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, function or child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parent = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(parent + ([base] if base else []))
                found.extend(
                    (base if child.module else f"{base}.{alias.name}", function)
                    for alias in child.names
                )
            visit(child, function)

    visit(ast.parse(source), None)
    return found


def check(source: str, relative: str) -> None:
    """AssertionError naming the first import in `source` (the file at `relative`) that
    breaks the rule."""
    package = ".".join(Path(relative).with_suffix("").parts[:-1])
    for module, function in imports(source, package):
        top = module.split(".")[0]
        assert top not in TENSORFLOW, f"{relative} imports {module} (in {function})"
        if module == "mnist_core.tf" or module.startswith("mnist_core.tf."):
            allowed = ENTRY_POINTS.get(relative, set())
            assert function in allowed, (
                f"{relative} imports {module} "
                + (f"in {function}()" if function else "at module level")
                + ": only the TensorFlow processes' entry points may"
            )


@pytest.mark.parametrize("path", outside_tf(), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_mnist_core_tf_imports_tensorflow(path):
    check(path.read_text(), str(path.relative_to(ROOT)))


@pytest.mark.parametrize(
    "source",
    [
        "def later():\n    from mnist_core.tf.predict import evaluate\n",
        "def later():\n    from ..tf import training\n",
        "import keras\n",
        "def later():\n    import tensorflow as tf\n",
    ],
)
def test_the_rule_catches_a_stray_import(source):
    """The check itself finds TensorFlow imports, hidden in functions or relative."""
    with pytest.raises(AssertionError):
        check(source, "mnist_core/processes/stray.py")
    # the same import of TensorFlow code in a child's entry point is allowed
    if "mnist_core.tf" in source or "..tf" in source:
        check(source.replace("later", "child_main"), "mnist_core/processes/training.py")


def test_the_entry_points_exist():
    """A renamed entry point would leave the allowance above pointing at nothing."""
    for relative, functions in ENTRY_POINTS.items():
        tree = ast.parse((ROOT / relative).read_text())
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert functions <= defined, relative
