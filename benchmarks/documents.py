"""PDF rendering benchmark: task sheets and delivery notes of the demo factory, one PDF each,
side by side with a bare fpdf2 page carrying the same text with the same embedded font.

    uv run python benchmarks/documents.py                   # 200 of each on SQLite
    BENCH_DOCS=50 uv run python benchmarks/documents.py     # quicker

A fresh database (ZHONGSHU_DATA_DIR, default /tmp/zs-doc-bench) is migrated and seeded with the
demo; then for each kind the first BENCH_DOCS documents (task sheets, delivery notes; repeated
round-robin when the demo has fewer) are fetched as ``?format=pdf`` through the real view as the
administrator (permission checks, reads, the template, the QR codes, fpdf2 layout and font
subsetting). The baseline renders, for each document, its text (the same template rendered,
tags stripped) onto a bare fpdf2 page with Noto Sans SC embedded and subset: what any PDF with
that text costs at least. Prints ms per document for both and the ratio.
"""

import html
import io
import os
import re
import statistics
import sys
import time
from pathlib import Path

DOCS = int(os.environ.get("BENCH_DOCS", 200))

# benchmarks/ holds scripts named like packages (rules.py …): never import from it
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
os.environ.setdefault("ZHONGSHU_DATA_DIR", "/tmp/zs-doc-bench")
os.environ.pop("DATABASE_URL", None)  # SQLite: the figure is about rendering, not the database


def _fresh_database() -> None:
    db = Path(os.environ["ZHONGSHU_DATA_DIR"]) / "zhongshu.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def _text_of(body: str) -> str:
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def _bare_pdf(text: str) -> bytes:
    from fpdf import FPDF
    from pylopdf_fonts_zh_cn import sans_path

    pdf = FPDF(format="A4")
    pdf.add_font("zh", fname=str(sans_path()))
    pdf.set_font("zh", size=9)
    pdf.add_page()
    pdf.multi_cell(0, 5, text)
    return bytes(pdf.output())


def _timed(fn, items) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    import logging

    import django

    logging.getLogger("fpdf").setLevel(logging.ERROR)  # "width/height on <img>": known, harmless

    _fresh_database()
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from zhongshu.core import demo
    from zhongshu.inventory.models import Shipment
    from zhongshu.production.models import TaskSheet

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    demo.seed_demo(io.StringIO())
    print(f"demo seeded in {time.perf_counter() - t0:.1f} s")
    admin = get_user_model().objects.get(username="admin")  # the demo's administrator
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    kinds = {
        "task sheet": ("/documents/task-sheets/{}/", list(TaskSheet.objects.values_list("pk", flat=True)[:DOCS])),
        "delivery note": ("/documents/shipments/{}/", list(Shipment.objects.values_list("pk", flat=True)[:DOCS])),
    }  # fmt: skip
    print(
        f"{'document':<14}{'n':>5}{'PDF ms/doc':>12}{'p95':>8}{'bare fpdf2':>12}{'ratio':>8}{'KB':>7}"
    )
    for name, (pattern, ids) in kinds.items():
        if not ids:
            print(f"{name:<14}    0  (the demo has none)")
            continue
        urls = [pattern.format(ids[i % len(ids)]) for i in range(DOCS)]
        client.get(urls[0] + "?format=pdf")  # warm-up: font loading, template compilation
        sizes: list[int] = []

        def fetch(url: str, sizes: list[int] = sizes) -> None:
            response = client.get(url + "?format=pdf")
            assert response.status_code == 200, (url, response.status_code)
            sizes.append(len(response.content))

        texts = [_text_of(client.get(u).content.decode()) for u in urls]
        ours = _timed(fetch, urls)
        bare = _timed(_bare_pdf, texts)
        mean_ours, mean_bare = statistics.mean(ours), statistics.mean(bare)
        p95 = statistics.quantiles(ours, n=20)[-1] if len(ours) > 1 else ours[0]
        print(f"{name:<14}{DOCS:>5}{mean_ours:>12.1f}{p95:>8.1f}{mean_bare:>12.1f}"
              f"{mean_ours / mean_bare:>8.2f}{statistics.mean(sizes) / 1024:>7.0f}")  # fmt: skip
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
