"""Lambda SnapStart (template parameter ``SnapStart``): what happens before the snapshot and
after each restore.

With SnapStart, Lambda runs a function's init once per published version, snapshots the
execution environment, and starts every later environment from that snapshot. The runtime's
``snapshot_restore_py`` module calls the hooks registered here:

- before the snapshot (``prime``): everything a first event would otherwise pay for, made now
  so it is in the snapshot: the lexicon with every pattern compiled, the adapters wired and the
  DynamoDB client made (its service model loaded);
- after each restore (``refresh``): what must differ between environments restored from the
  same snapshot: the ``random`` generator (botocore's retry jitter draws from it) is seeded
  anew, the trace emitter opens a socket of its own, and the first invocation after a restore
  counts as a cold start. Ids (uuid4, ``os.urandom``) are drawn per call, never at init.

Without SnapStart (the default) the hooks are registered and never called: on-demand cold
starts pay nothing for this module. Outside Lambda the runtime module is absent: nothing is
registered.
"""

from __future__ import annotations

import random
from collections.abc import Callable


def prime() -> None:
    from bounceback import aws
    from bounceback.analysis import compiled
    from bounceback.analysis.lexicon import lexicon
    from bounceback.services import services

    compiled.prime(lexicon())
    services()
    aws.dynamodb()


def refresh() -> None:
    from bounceback import tracing

    random.seed()
    tracing.emitter.reset()
    tracing.mark_cold_start()


def register() -> bool:
    """Register ``prime`` and ``refresh`` with the runtime; False where it has no SnapStart."""
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    before: Callable[[Callable[[], None]], object] = register_before_snapshot
    after: Callable[[Callable[[], None]], object] = register_after_restore
    before(prime)
    after(refresh)
    return True
