"""One log line for a compile that keeps the caller waiting.

XLA compiles a minibatch step in well under a second, but a long unrolled graph, a scan
or a loaded machine can take many seconds, and a call that compiles looks like a call that
hangs. A compile still running after ``NOTICE_SECONDS`` logs one line (logger
``symgraph``, level INFO) naming what is compiled and its size.
"""
import contextlib
import logging
import threading

logger = logging.getLogger('symgraph')

NOTICE_SECONDS = 2.0


@contextlib.contextmanager
def long_compile_notice(what, n_nodes, lengths=()):
    """Log ``what`` (a function's name) with its node count and slice lengths once its
    compile has taken ``NOTICE_SECONDS``; nothing for a shorter one."""
    detail = ', slice lengths %s' % (list(lengths),) if lengths else ''
    timer = threading.Timer(NOTICE_SECONDS, logger.info, (
        'compiling %s (%d nodes%s): still compiling after %.0f s', what, n_nodes, detail,
        NOTICE_SECONDS))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
