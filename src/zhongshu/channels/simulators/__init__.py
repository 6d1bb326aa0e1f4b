"""Local stand-ins for Taobao TOP and Douyin shop, for the demo, the tests and the benchmark.

Both verify the platform's signing exactly as ``platforms`` computes it and answer in the platform's
response shapes (errors included). Each keeps an in-memory order book that can be driven from Python:

    sim = TaobaoSimulator(app_key="k", secret="s", session="sess").start("127.0.0.1", 19201)
    tid = sim.add_order(lines=[("sku-1", "OUT-1", "螺栓", 2, "9.90")])   # paid by default
    sim.set_status(tid, "TRADE_CLOSED")                                  # a refund
    sim.generate(500, skus=[...])                                        # a realistic stream
    sim.throttle_next = 2                                                # the next 2 calls: limit
    sim.push(url, tid)                                                   # signed push to Zhongshu

``snapshot(id)`` returns an order as the platform shows it now; ``push(url, snapshot)`` sends any
snapshot, so old versions can be replayed out of order. Orders are listed by modified time, then id.
"""

from ._base import (
    ADDRESSES,
    BUYERS,
)
from .douyin import (
    DouyinSimulator,
)
from .taobao import (
    TaobaoSimulator,
)

__all__ = [
    "ADDRESSES",
    "BUYERS",
    "DouyinSimulator",
    "TaobaoSimulator",
]
