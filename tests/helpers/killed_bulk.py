"""The `backorder` console entry point, in groups of a few orders, SIGKILLed by itself at
a chosen point of a bulk backorder: exactly where a kill matters, with no sleeps.

Usage: python -m tests.helpers.killed_bulk WHERE GROUP NTH ARGS...

GROUP orders per group (`services.groups.GROUP_ORDERS`). WHERE is
- `writing`: once the NTH group's orders are all written, before its commit (the kill
  that must lose the group, which was never reported);
- `printing`: as the first line of the NTH group is about to be printed, after its
  commit (the kill that must lose nothing but lines).
"""

import os
import signal
import sys
from typing import Any

from backorder_cli.cli import main
from backorder_cli.cli.commands import backorders as backorders_cli
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import groups

where, size, nth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
groups.GROUP_ORDERS = size
calls: list[Any] = []


def kill_at(count: int) -> None:
    if len(calls) == count:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


if where == "writing":
    real_write = backorders_service._write_backorders

    def write(conn: Any, splits: Any) -> Any:
        written = real_write(conn, splits)
        calls.append(splits)
        kill_at(nth)
        return written

    backorders_service._write_backorders = write
else:
    real_text = backorders_cli._created_text

    def text(outcome: Any) -> str:
        calls.append(outcome)
        kill_at(size * (nth - 1) + 1)
        return real_text(outcome)

    backorders_cli._created_text = text

sys.argv = ["backorder", *sys.argv[4:]]
main()
