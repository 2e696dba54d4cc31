"""Seeding rate: how fast `haulbill seed-demo --transports 100000` writes transports (bulk inserts)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

N = int(os.environ.get("BENCH_SEED_TRANSPORTS", "100000"))


def main() -> None:
    var = tempfile.mkdtemp(prefix="haulbill-bench-seed-")
    os.environ["HAULBILL_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haulbill.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    from haulbill.core.demo import seed_demo
    from haulbill.transports.models import PriceLine

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    result = seed_demo(transports=N)
    elapsed = time.perf_counter() - started
    print(f"seed_transports: {result.transports} transports")
    print(f"seed_price_lines: {PriceLine.objects.count()} price lines")
    print(f"seed_time: {elapsed:.1f} s")
    print(f"seed_rate: {result.transports / elapsed:,.0f} transports/s")


if __name__ == "__main__":
    main()
