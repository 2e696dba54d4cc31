"""UBL generation rate and validation time per document (goal: at least 500 documents/s).

Run: .venv/bin/python bench/bench_ubl.py
"""

from __future__ import annotations

import statistics
import time

from haulbill.einvoice.samples import sample_invoice
from haulbill.einvoice.ubl import build_ubl
from haulbill.einvoice.validation import ArtefactsMissing, Validator, find_artefacts

GENERATION_SECONDS = 2.0
VALIDATIONS = 50


def generation_rate() -> float:
    document = sample_invoice(10)
    build_ubl(document)  # warm imports and caches
    count = 0
    started = time.perf_counter()
    while (elapsed := time.perf_counter() - started) < GENERATION_SECONDS:
        for _ in range(50):
            build_ubl(document)
        count += 50
    return count / elapsed


def main() -> None:
    print(f"ubl_generation_rate: {generation_rate():.0f} docs/s")
    artefacts = find_artefacts()
    if artefacts is None:
        print("validation_time: skipped (set HAULBILL_PEPPOL_ARTEFACTS to the Peppol artefacts folder)")
        return
    try:
        validator = Validator(artefacts)
    except ArtefactsMissing as error:
        print(f"validation_time: skipped ({error})")
        return
    started = time.perf_counter()
    validator.warm_up()
    print(f"validator_compile_time: {(time.perf_counter() - started) * 1000:.0f} ms")
    xml = build_ubl(sample_invoice(10))
    validator.validate(xml)
    timings = [validator.validate(xml).seconds * 1000 for _ in range(VALIDATIONS)]
    print(f"validation_time_median: {statistics.median(timings):.1f} ms/doc")
    print(f"validation_time_p95: {sorted(timings)[int(len(timings) * 0.95) - 1]:.1f} ms/doc")


if __name__ == "__main__":
    main()
