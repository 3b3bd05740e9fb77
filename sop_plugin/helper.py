"""The helper process of :class:`sop_plugin.parallel.Helper`: ``python -m sop_plugin.helper CALLS ANSWER``.

It reads calls (a module-level function and its arguments, pickled) from the pipe
``CALLS`` and makes them in order until ``None`` or the end of the pipe (the build
ended), then writes the first error (or ``None``) to the pipe ``ANSWER``.  It
imports only the standard library and the modules of the functions it is handed.
"""

from __future__ import annotations

import signal
import sys
from multiprocessing.connection import Connection


def main(argv: list[str]) -> int:
    calls = Connection(int(argv[0]), writable=False)
    answer = Connection(int(argv[1]), readable=False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the build's to handle; it stops the helper
    error: BaseException | None = None
    while True:
        try:
            call = calls.recv()
        except EOFError:  # the build ended without saying so
            return 0
        except Exception as exc:  # a call that cannot be read here (its module does not import)
            error = error or exc
            continue
        if call is None:
            break
        fn, args = call
        try:
            fn(*args)
        except Exception as exc:
            error = error or exc
    try:
        answer.send(error)
    except Exception:  # an error that cannot be sent as it is (it does not pickle)
        answer.send(RuntimeError(f"{type(error).__name__}: {error}"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
