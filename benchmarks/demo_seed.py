"""Demo seeding benchmark: what `zhongshu demo` spends making the demo factory, seed by seed.

    uv run python benchmarks/demo_seed.py                  # SQLite, a fresh database
    uv run python benchmarks/demo_seed.py --profile        # and the 30 costliest calls (cProfile)

A fresh SQLite database (ZHONGSHU_DATA_DIR, default /tmp/zs-demo-bench) is migrated, then
seeded as `zhongshu demo` seeds it (one transaction). Prints the CPU seconds (user + sys) and the
statements of each app's seed, the total CPU and wall seconds, and the load average beside the
wall figure (on a shared machine the CPU figure is the one to compare). Target: under 20 s.
"""

import cProfile
import io
import os
import pstats
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
os.environ.setdefault("ZHONGSHU_DATA_DIR", "/tmp/zs-demo-bench")
os.environ.pop("DATABASE_URL", None)
TARGET_SECONDS = 20


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _fresh_database() -> None:
    db = Path(os.environ["ZHONGSHU_DATA_DIR"]) / "zhongshu.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def main() -> None:
    import django

    _fresh_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhongshu.core import demo

    call_command("migrate", interactive=False, verbosity=0)
    timings: list[tuple[str, float, int]] = []
    seeds = demo.demo_modules()
    originals = {m: m.seed for m in seeds}

    def timed(module):
        def run(ctx):
            c0 = _cpu()
            with CaptureQueriesContext(connection) as q:
                originals[module](ctx)
            timings.append((module.__name__, _cpu() - c0, len(q.captured_queries)))

        return run

    for m in seeds:
        m.seed = timed(m)
    profile = cProfile.Profile() if "--profile" in sys.argv else None
    c0, w0 = _cpu(), time.monotonic()
    if profile:
        profile.enable()
    demo.seed_demo(io.StringIO())
    if profile:
        profile.disable()
    cpu, wall = _cpu() - c0, time.monotonic() - w0
    for name, seconds, statements in sorted(timings, key=lambda t: -t[1]):
        print(f"  {name:<32} {seconds:6.2f} s CPU  {statements:6d} statements")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"demo seeded: {cpu:.1f} s CPU, {wall:.1f} s wall (load average {load}); "
        f"target < {TARGET_SECONDS} s"
    )
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
