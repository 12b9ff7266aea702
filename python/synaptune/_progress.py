"""Progress bars for long calls: tqdm's (a widget in notebooks) when tqdm is
installed, nothing otherwise. The native side calls ``tick(n)`` with the
number of units done, from whichever thread finished one."""

from __future__ import annotations

import threading
import warnings
from typing import Callable, Optional

_enabled = True


def set_progress(enabled: bool) -> None:
    """Show progress bars for long calls (default) or not."""
    global _enabled
    _enabled = bool(enabled)


def _tqdm():
    """tqdm's notebook bar where it can draw (ipywidgets), its text bar
    elsewhere; None without tqdm."""
    try:
        import tqdm.std as std
    except ImportError:
        return None
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return std.tqdm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", std.TqdmWarning)
        from tqdm.auto import tqdm
    return tqdm


class Bar:
    """A progress bar of ``total`` units; use as a context manager and pass
    ``bar.tick`` to the native call."""

    def __init__(self, total: int, desc: str, enabled: Optional[bool] = None):
        self._bar = None
        self._lock = threading.Lock()
        show = _enabled if enabled is None else enabled
        if show and total > 1:
            tqdm = _tqdm()
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=desc, leave=False)

    @property
    def tick(self) -> Optional[Callable[[int], None]]:
        """The callback for the native side (None without a bar)."""
        if self._bar is None:
            return None

        def tick(n: int) -> None:
            with self._lock:
                if n > self._bar.n:
                    self._bar.update(n - self._bar.n)

        return tick

    def __enter__(self) -> "Bar":
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
