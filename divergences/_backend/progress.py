"""Progress display on stderr for the loops a person waits on.

``progress=None`` (the default of every public function that takes it) shows a
bar only when stderr is a terminal, and only once the loop has run for
``delay`` seconds, so short calls and redirected output stay silent.
``progress=True`` always reports: a ``tqdm`` bar on a terminal, plain
newline-terminated lines otherwise (so a log file gets readable lines, not one
line glued together by carriage returns).  ``progress=False`` is silent.
"""

from __future__ import annotations

import sys
import time

__all__ = ["progress_bar"]


def _stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


class _Silent:
    def update(self, n=1, **info):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Lines(_Silent):
    """One plain line per tenth of the work (and at the end), for logs."""

    def __init__(self, total, desc, unit):
        self.total, self.desc, self.unit = total, desc, unit
        self.done = 0
        self.next_mark = max(1, total // 10)
        self.start = time.perf_counter()

    def update(self, n=1, **info):
        self.done += n
        if self.done >= self.next_mark or self.done >= self.total:
            elapsed = time.perf_counter() - self.start
            extra = "".join(f", {k} {v:.4g}" if isinstance(v, float) else f", {k} {v}"
                            for k, v in info.items())
            print(f"{self.desc}: {self.unit} {self.done}/{self.total}{extra} ({elapsed:.1f} s)",
                  file=sys.stderr, flush=True)
            step = max(1, self.total // 10)
            while self.next_mark <= self.done:
                self.next_mark += step


class _Bar(_Silent):
    def __init__(self, total, desc, unit, delay):
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, delay=delay,
                        leave=False, dynamic_ncols=True)

    def update(self, n=1, **info):
        if info:
            self.bar.set_postfix({k: (f"{v:.4g}" if isinstance(v, float) else v)
                                  for k, v in info.items()}, refresh=False)
        self.bar.update(n)

    def close(self):
        self.bar.close()


def check_progress(progress):
    """Validate a ``progress=`` argument (None, True or False)."""
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be None, True or False, got {progress!r}")
    return progress


def progress_bar(progress, total, desc, *, unit="step", delay=2.0):
    """A progress reporter with ``update(n, **info)`` and ``close()``.

    Parameters
    ----------
    progress : None, True or False
        None: a bar on a terminal after ``delay`` seconds, nothing otherwise.
        True: a bar on a terminal, plain lines otherwise.  False: nothing.
    total : int
        Number of units of work.
    desc : str
        Label shown before the count.
    unit : str, default "step"
    delay : float, default 2.0
        Seconds before an automatic (``progress=None``) bar appears.
    """
    check_progress(progress)
    if progress is False or total <= 0:
        return _Silent()
    if _stderr_is_terminal():
        return _Bar(total, desc, unit, delay if progress is None else 0.0)
    if progress:
        return _Lines(total, desc, unit)
    return _Silent()
