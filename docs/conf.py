"""Sphinx configuration for the divergences documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath(".."))

project = "divergences"
author = "the divergences developers"
copyright = "2026, the divergences developers"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
]

numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_default_options = {"members": False}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
doctest_global_setup = "import numpy as np\nimport torch\nimport divergences as dv"
doctest_default_flags = __import__("doctest").ELLIPSIS | __import__("doctest").NORMALIZE_WHITESPACE | __import__("doctest").DONT_ACCEPT_TRUE_FOR_1
# The examples in docstrings run under pytest (--doctest-modules); the doctest
# builder runs only the explicit ``.. doctest::`` blocks of the .rst pages.
doctest_test_doctest_blocks = ""
