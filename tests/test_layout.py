"""The package's layout (issue 25): imports point one way, downwards, and old paths warn.

The layers, lowest first.  A module may import modules of its own layer's subpackage
and of lower layers; nothing else.  The test reads the import statements of every
module of the package (also those inside functions) with ``ast``, so it fails on an
upward import, on a cycle, on an import inside a function (the way cycles were
dodged before) and on a private name taken from another subpackage.
"""

import ast
import importlib
import pathlib
import warnings

import pytest

import divergences
from divergences._backend.deprecation import MOVED_MODULES

PACKAGE = pathlib.Path(divergences.__file__).parent

#: subpackage (or top-level module) -> layer; siblings of one layer may not import each other
#: unless listed in ALLOWED_SIDEWAYS
LAYERS = {
    "_backend": 0,
    "results": 1,
    "fdiv": 2,
    "transport": 3,
    "families": 3,
    "estimators": 4,
    "generative": 4,
    "two_sample": 5,
    "benchmark": 6,
    "__init__": 7,        # the package's names: the tour and the command line use them
    "_demo": 8,
    "cli": 9,
    "__main__": 10,
}

#: old module paths: aliases of their new homes
ALIASES = MOVED_MODULES


def _modules():
    """(dotted name under divergences, path) of every module except the aliases."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = rel.parts
        if len(parts) == 1 and parts[0] in ALIASES:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _imports(name, path):
    """(target module under divergences, imported names, line, inside a function) per import."""
    tree = ast.parse(path.read_text())
    pkg = name.split(".") if name else []
    if not path.name == "__init__.py":
        pkg = pkg[:-1]
    out = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                      ast.Lambda))
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = pkg[:len(pkg) - (child.level - 1)] if child.level > 1 else pkg
                    mod = ".".join([*base, *(child.module.split(".") if child.module else [])])
                elif child.module and child.module.split(".")[0] == "divergences":
                    mod = ".".join(child.module.split(".")[1:])
                else:
                    mod = None
                if mod is not None:
                    names = [a.name for a in child.names]
                    # "from . import x" imports the submodule x
                    if not child.module:
                        for a in names:
                            out.append((f"{mod}.{a}".strip("."), [], child.lineno, inner))
                    else:
                        out.append((mod, names, child.lineno, inner))
            elif isinstance(child, ast.Import):
                for a in child.names:
                    if a.name.split(".")[0] == "divergences":
                        out.append((".".join(a.name.split(".")[1:]), [], child.lineno, inner))
            visit(child, inner)

    visit(tree, False)
    return out


def _layer(module):
    top = module.split(".")[0] if module else "__init__"
    assert top in LAYERS, f"module {module!r} has no layer: add it to LAYERS"
    return LAYERS[top]


MODULES = dict(_modules())
EDGES = [(name, *imp) for name, path in MODULES.items() for imp in _imports(name, path)]


def test_every_module_has_a_layer_and_the_edges_were_read():
    for name in MODULES:
        _layer(name)
    # a sanity check of the reader itself: known imports are seen
    targets = {(a, b) for a, b, *_ in EDGES}
    assert ("two_sample.distance", "two_sample._permutation") in targets
    assert ("fdiv.discrete", "fdiv.ffunctions") in targets
    assert ("cli", "_demo") in targets


def test_no_import_inside_a_function():
    inside = [f"divergences.{a} imports divergences.{b} inside a function (line {line})"
              for a, b, _, line, inner in EDGES if inner]
    assert not inside, "\n".join(inside)


def test_imports_point_downwards():
    bad = []
    for a, b, _, line, _ in EDGES:
        top_a, top_b = a.split(".")[0], (b.split(".")[0] if b else "__init__")
        if top_a == top_b and top_a != "__init__":
            continue                          # inside one subpackage
        if a and _layer(b) >= _layer(a):
            bad.append(f"divergences.{a} (layer {_layer(a)}) imports divergences.{b} "
                       f"(layer {_layer(b)}), line {line}")
    assert not bad, "\n".join(bad)


def test_no_cycle_between_modules():
    graph = {}
    for a, b, *_ in EDGES:
        if a and b in MODULES:
            graph.setdefault(a, set()).add(b)
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph.get(node, ()):
            if state.get(nxt) == "open":
                pytest.fail("import cycle: " + " -> ".join([*stack, node, nxt]))
            if nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_no_private_name_from_another_subpackage():
    """Shared machinery lives in _backend (or is public); a private name of one concept is
    not borrowed by another."""
    bad = []
    for a, b, names, line, _ in EDGES:
        top_a, top_b = a.split(".")[0], b.split(".")[0]
        if top_a == top_b or top_b == "_backend":
            continue
        private = [n for n in names if n.startswith("_")]
        if private:
            bad.append(f"divergences.{a} takes {', '.join(private)} from divergences.{b} "
                       f"(line {line})")
    assert not bad, "\n".join(bad)


def test_no_dispatch_by_import_string():
    for name, path in MODULES.items():
        text = path.read_text()
        if name in ("_backend.deprecation", "_backend.array"):
            continue       # the alias helper; the array layer loads a backend's namespace
        assert "import_module(" not in text and "__import__(" not in text, name


@pytest.mark.parametrize("old", sorted(ALIASES))
def test_old_module_paths_warn_and_are_the_new_modules(old):
    import sys

    sys.modules.pop(f"divergences.{old}", None)
    with pytest.warns(DeprecationWarning, match=f"divergences.{old} moved to "
                                                f"divergences.{ALIASES[old]}"):
        mod = importlib.import_module(f"divergences.{old}")
    assert mod is importlib.import_module(f"divergences.{ALIASES[old]}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # the new home and the package's names import without a warning
        importlib.import_module(f"divergences.{ALIASES[old]}")
    sys.modules.pop(f"divergences.{old}", None)


def test_public_names_are_the_same_objects_in_their_subpackages():
    for name in divergences.__all__:
        obj = getattr(divergences, name)
        homes = [sub for sub in ("fdiv", "transport", "estimators", "generative", "two_sample")
                 if name in getattr(divergences, sub).__all__]
        if name in ("TwoSampleResult", "Estimate"):
            homes = ["results"]
        assert homes, f"{name} is in divergences.__all__ but in no subpackage's __all__"
        for sub in homes:
            assert getattr(getattr(divergences, sub), name) is obj


def test_critics_stays_a_public_module_path():
    import divergences.critics as c

    assert c is divergences.critics is divergences.estimators.critics


@pytest.mark.parametrize("old", ["bench", "estimate", "wasserstein"])
def test_old_module_attributes_of_the_package_warn(old):
    import sys

    sys.modules.pop(f"divergences.{old}", None)
    vars(divergences).pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"divergences.{old} moved"):
        mod = getattr(divergences, old)
    assert mod is importlib.import_module(f"divergences.{ALIASES[old]}")
    sys.modules.pop(f"divergences.{old}", None)
    vars(divergences).pop(old, None)
    with pytest.raises(AttributeError, match="no attribute 'no_such_module'"):
        divergences.no_such_module


def test_every_alias_file_is_listed():
    files = {p.stem for p in PACKAGE.glob("*.py") if "moved(__name__" in p.read_text()}
    assert files == set(ALIASES)
