"""One validator serves a web process: its threads, and the workers forked from it."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from haulbill.einvoice.samples import sample_invoice
from haulbill.einvoice.ubl import build_ubl
from tests.einvoice.conftest import TimedValidator


def test_it_validates_from_several_threads_at_once(validator: TimedValidator) -> None:
    xml = build_ubl(sample_invoice())
    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(lambda _: validator.validate(xml), range(12)))
    assert all(report.is_valid for report in reports)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_worker_compiles_its_own_stylesheets_and_validates(validator: TimedValidator) -> None:
    real = validator.validator
    xml = build_ubl(sample_invoice())
    assert real.validate(xml).is_valid  # compiled in this process first
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            ok = real.validate(xml).is_valid and real._compiled is not None and real._compiled.pid == os.getpid()
            os.write(write_end, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    assert os.read(read_end, 1) == b"1"
    os.close(read_end)
    assert status == 0
