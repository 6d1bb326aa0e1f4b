"""A discrete-event simulation of the factory's month (SimPy), run as two arms on the same demand.

* ``model``: the factory (lines, products, customers) and one month of random demand, with every
  random draw of the shop floor made up front so both arms see the same world;
* ``floor``: the shop floor — lines working their shifts on the CN calendar, breakdowns,
  processing-time variability, purchased parts, design changes, QC and rework;
* ``before``: the order desk as it was (Excel, WeChat, FIFO release, rush orders by phone);
* ``after``: the same orders through Zhongshu's own services on a scratch database;
* ``metrics``: late rate, lateness, lead time, promise accuracy, WIP, late rate by priority.

Used by ``benchmarks/factory_month.py``.
"""
