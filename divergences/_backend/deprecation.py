"""Deprecations, in one place: renamed keyword arguments and moved modules.

A renamed keyword keeps working for a release with a ``DeprecationWarning`` that
names the new keyword; passing both the old and the new name is a ``TypeError``.
A moved module's old path stays importable as an alias of the new module, with a
``DeprecationWarning`` on import.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import warnings

#: the package's folder: frames inside it are the library's own
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

__all__ = ["renamed_keywords", "moved", "MOVED_MODULES", "moved_module_attribute", "warn_user"]

#: old module of the package -> its new home (both under ``divergences``)
MOVED_MODULES = {
    "ffunctions": "fdiv.ffunctions", "discrete": "fdiv.discrete", "gaussian": "fdiv.gaussian",
    "wasserstein": "transport.wasserstein", "aggregated": "two_sample.aggregated",
    "deep_kernel": "two_sample.deep_kernel", "classifier_test": "two_sample.classifier",
    "bounds": "estimators.bounds", "estimate": "estimators.estimate",
    "classical": "estimators.classical", "adversarial": "generative.adversarial",
    "discriminator": "generative.discriminator", "problems": "benchmark.problems",
    "bench": "benchmark.harness",
}


def warn_user(message, category):
    """``warnings.warn`` attributed to the first frame outside the package: the user's
    call, however deep in the library (and behind how many decorators) it is raised."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def renamed_keywords(**renames):
    """Decorator: ``@renamed_keywords(alpha="level")`` accepts ``alpha=`` for ``level=``,
    with a DeprecationWarning."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{fn.__name__}() got both {old}= (the old name) and "
                                        f"{new}=: pass {new}= only")
                    warn_user(f"{fn.__name__}(): the keyword {old}= is renamed {new}= (the "
                              f"library's vocabulary, docs/conventions.rst); {old}= will be "
                              f"removed in a future release", DeprecationWarning)
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        wrapper.renamed_keywords = dict(renames)
        return wrapper

    return decorate


def moved(old: str, new: str) -> None:
    """Warn that module ``old`` moved to ``new`` and make ``old`` an alias of it."""
    warnings.warn(f"{old} moved to {new}; import it from there (or use the names at "
                  f"divergences.*): the old path will be removed in a future release",
                  DeprecationWarning, stacklevel=3)
    sys.modules[old] = importlib.import_module(new)


def moved_module_attribute(package: str, name: str):
    """``divergences.<old module>`` as an attribute (``dv.bench``): the alias module,
    which warns on first import; AttributeError for any other name."""
    if name in MOVED_MODULES:
        return importlib.import_module(f"{package}.{name}")
    raise AttributeError(f"module {package!r} has no attribute {name!r}")
