"""The `backorder` console entry point, in groups of a few orders, SIGKILLed by itself at
a chosen point of a bulk backorder (`create`) or of `ready --ship`: exactly where a kill
matters, with no sleeps.

Usage: python -m tests.helpers.killed_bulk WHERE GROUP NTH ARGS...

GROUP orders per group (`services.groups.GROUP_ORDERS`; no time limit). WHERE is
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
from backorder_cli.cli.output import records
from backorder_cli.services import backorders as backorders_service
from backorder_cli.services import fulfilment, groups

where, size, nth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
groups.GROUP_ORDERS = size
groups.GROUP_SECONDS = 3600.0  # groups of exactly GROUP orders, however slow the machine
calls: list[Any] = []


def kill_at(count: int) -> None:
    if len(calls) == count:
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)


ready = "ready" in sys.argv[4:]
if where == "writing" and ready:
    real_ship = fulfilment._ship_under_policy

    def ship(*args: Any, **kwargs: Any) -> Any:
        shipped = real_ship(*args, **kwargs)
        calls.append(args)
        kill_at(size * nth)  # the NTH group's last order is written
        return shipped

    fulfilment._ship_under_policy = ship
elif where == "writing":
    real_write = backorders_service._write_backorders

    def write(conn: Any, splits: Any) -> Any:
        written = real_write(conn, splits)
        calls.append(splits)
        kill_at(nth)
        return written

    backorders_service._write_backorders = write
else:
    module, name = (records, "shipped_text") if ready else (backorders_cli, "_created_text")
    real_text = getattr(module, name)

    def text(outcome: Any) -> str:
        calls.append(outcome)
        kill_at(size * (nth - 1) + 1)
        return real_text(outcome)

    setattr(module, name, text)

sys.argv = ["backorder", *sys.argv[4:]]
main()
