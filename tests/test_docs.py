"""The Sphinx documentation builds without warnings and its doctests pass."""

import pathlib
import shutil
import subprocess
import sys

import pytest

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"

pytestmark = pytest.mark.skipif(shutil.which("sphinx-build") is None and
                                subprocess.run([sys.executable, "-c", "import sphinx"]).returncode,
                                reason="sphinx is not installed")


@pytest.mark.slow
@pytest.mark.parametrize("builder", ["html", "doctest"])
def test_sphinx_build_is_warning_free(tmp_path, builder):
    res = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", builder,
         str(DOCS), str(tmp_path / builder)],
        capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_every_public_function_documents_parameters_returns_and_examples():
    import inspect

    from numpydoc.docscrape import ClassDoc, FunctionDoc

    import divergences as dv

    missing = {}
    for name in dv.__all__:
        obj = getattr(dv, name)
        if inspect.isfunction(obj):
            doc = FunctionDoc(obj)
            need = ["Returns", "Examples"]
            if inspect.signature(obj).parameters:
                need.append("Parameters")
        elif inspect.isclass(obj):
            doc, need = ClassDoc(obj), ["Examples"]
        else:
            continue
        gaps = [section for section in need if not doc[section]]
        if gaps:
            missing[name] = gaps
    assert not missing, missing
