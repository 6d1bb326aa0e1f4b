"""One-off syncs with external systems, run by ``zhongshu sync <source>``. Apps register their
sources in ``AppConfig.ready`` (inventory: ``tplus``; channels: ``taobao``, ``douyin``), so the one
command name serves every app without the command knowing any of them:

    from zhongshu.core import syncs
    syncs.register("tplus", run_tplus, help="current stock from T+", options={"material": "…"})

``run(**options)`` returns the lines to print and raises ``SyncFailed`` when the sync did not
complete (the command then exits non-zero). ``options`` are the extra ``--name VALUE`` flags the
source accepts; a flag given to a source that does not take it is refused.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


class SyncFailed(Exception):
    """The sync did not complete; the message says why (printed by the command)."""


@dataclass(frozen=True)
class Source:
    name: str
    run: Callable[..., list[str]]
    help: str = ""
    options: dict[str, str] = field(default_factory=dict)


_sources: dict[str, Source] = {}


def register(name: str, run: Callable[..., list[str]], *, help: str = "",
             options: dict[str, str] | None = None) -> Source:  # fmt: skip
    source = Source(name=name, run=run, help=help, options=dict(options or {}))
    _sources[name] = source
    return source


def registered() -> list[Source]:
    return sorted(_sources.values(), key=lambda s: s.name)


def get(name: str) -> Source | None:
    return _sources.get(name)
