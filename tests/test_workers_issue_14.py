"""Every document read under the same limits, in workers of its own (issue 14 §2, §7, §8).

The pool's workers are spawned, so a server's size is not passed on to them, and the memory limit
counts the document's work alone; a worker that dies or hangs costs its own item, never the rest
of a batch; every command that reads a document reads at most the limit plus one byte and stops at
the time limit, whatever the input is (``/dev/zero``, a FIFO nobody writes to, standard input).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from support import workload
from support.web import client_as, site  # noqa: F401 (the fixture)

from gongkai.batch import BadInput, CheckOptions, check_file, check_files, load_reports_within
from gongkai.web.uploads import read_uploads
from gongkai.workers import InputTooLarge, LimitedPool, WorkerFailure, memory_limit, read_input

SAMPLE = ROOT / "samples" / "2020-示例区民政局.txt"
GONGKAI = Path(sys.executable).parent / "gongkai"


def test_a_worker_that_dies_costs_only_its_own_item() -> None:
    with LimitedPool(1, seconds=5, memory_mb=256) as pool:
        outcomes = list(pool.map(workload.echo, [(1,)]))
        outcomes += list(pool.map(workload.die, [()]))
        outcomes += list(pool.map(workload.echo, [(3,)]))
    assert outcomes[0] == 1 and outcomes[2] == 3
    assert isinstance(outcomes[1], WorkerFailure) and outcomes[1].kind == "memory"
    assert outcomes[1].reason.startswith("读取进程意外退出（被信号 9 终止）")


def test_a_death_in_a_chunk_costs_only_the_item_that_caused_it() -> None:
    """Items handed over several at a time: when one kills its worker, the others of its chunk are
    read again alone, and only the culprit fails."""
    items = [("a",), ("b",), ("die",), ("c",), ("d",)]
    with LimitedPool(2, seconds=5, memory_mb=256) as pool:
        outcomes = list(pool.map(workload.act, items, chunk_size=3))
    assert outcomes[:2] == ["a", "b"] and outcomes[3:] == ["c", "d"]
    assert isinstance(outcomes[2], WorkerFailure) and "意外退出" in outcomes[2].reason


def test_a_worker_stuck_past_its_alarm_is_stopped_by_the_pool() -> None:
    started = time.monotonic()
    with LimitedPool(2, seconds=1, memory_mb=256, hard_stop_grace=1) as pool:
        outcomes = list(pool.map(workload.stuck, [(60,)]))
        after = pool.run(workload.echo, "next")
    assert outcomes == [WorkerFailure("读取超过1秒，已停止", "time")] and after == "next"
    assert time.monotonic() - started < 30  # not the 60 s it asked for


def test_a_defect_is_named_as_one_not_blamed_on_the_file() -> None:
    with LimitedPool(1, seconds=5, memory_mb=256) as pool:
        outcome = pool.run(workload.fail)
    assert outcome.kind == "defect" and "KeyError" in outcome.reason and "请报告此问题" in outcome.reason


def test_the_memory_limit_counts_the_documents_work_alone() -> None:
    """A caller already holding 600 MB (as a busy server does) leaves its workers their full
    300 MB: with the limit counted from nothing, or inherited by a fork, the first would fail."""
    held = workload.allocate(600)
    with LimitedPool(1, seconds=20, memory_mb=300) as pool:
        fits, too_much = list(pool.map(workload.allocate, [(200,), (400,)]))
    assert held == 600 and fits == 200
    assert too_much == WorkerFailure("读取时内存超过300 MB，已停止", "memory")


def test_a_nested_memory_limit_never_loosens_and_is_restored() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with memory_limit(400):
        outer = resource.getrlimit(resource.RLIMIT_AS)[0]
        with memory_limit(4000):
            assert resource.getrlimit(resource.RLIMIT_AS)[0] == outer
        with memory_limit(100):
            assert resource.getrlimit(resource.RLIMIT_AS)[0] < outer
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_an_upload_batch_reads_every_file_after_one_fails() -> None:
    """One file over the memory limit is refused with the reason; the files after it are read
    (before, the first failure marked the rest 「未读取」)."""
    huge = "\t0\n" * 1_300_000  # 3.9 MB of one-cell lines: far more than 64 MB to place
    files = [("huge.txt", huge.encode()), ("sample.txt", SAMPLE.read_bytes()), ("b.txt", SAMPLE.read_bytes())]
    reads = read_uploads(files, memory_mb=64)
    assert reads[0].problem == "huge.txt: 读取时内存超过64 MB，已停止"
    assert [r.problem for r in reads[1:]] == [None, None] and all(r.reports for r in reads[1:])


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
def test_an_endless_file_is_read_only_to_the_limit() -> None:
    result = check_file("/dev/zero", CheckOptions(seconds=20))
    assert result == {"file": "/dev/zero", "error": "/dev/zero: 文件超过 50 MB，不像年度报告，未读取"}


def test_a_file_is_read_whole_up_to_the_limit_and_refused_past_it(tmp_path) -> None:
    """A regular file is read to the size it says it has (no buffer of the whole limit), exactly."""
    exact = tmp_path / "exact.txt"
    exact.write_bytes(b"x" * 1000)
    assert read_input(str(exact), limit=1000) == b"x" * 1000
    over = tmp_path / "over.txt"
    over.write_bytes(b"x" * 1001)
    with pytest.raises(InputTooLarge):
        read_input(str(over), limit=1000)
    assert read_input(str(tmp_path / "exact.txt")) == b"x" * 1000  # under the default 50 MB


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc on this system")
def test_a_file_holding_more_than_its_size_says_is_read_whole() -> None:
    """Files of /proc say they hold 0 bytes: what they hold is read all the same, to the limit."""
    assert os.stat("/proc/self/status").st_size == 0
    assert b"VmSize" in read_input("/proc/self/status")
    with pytest.raises(InputTooLarge):
        read_input("/proc/self/status", limit=10)


def test_an_endless_standard_input_is_read_only_to_the_limit() -> None:
    with open("/dev/zero", "rb") as zero:
        done = subprocess.run(
            [str(GONGKAI), "check", "-"], stdin=zero, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 2 and done.stderr.strip() == "标准输入: 文件超过 50 MB，不像年度报告，未读取"


def test_a_fifo_nobody_writes_to_ends_at_the_time_limit(tmp_path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    with pytest.raises(BadInput) as refused:
        load_reports_within(str(fifo), seconds=1)
    assert str(refused.value) == f"{fifo}: 读取超过1秒，已停止（可用 --timeout 放宽）"
    stuck, sample = check_files([str(fifo), str(SAMPLE)], CheckOptions(seconds=1), jobs=2)
    assert stuck["error"] == f"{fifo}: 读取超过1秒，已停止（可用 --timeout 放宽）" and "findings" in sample


def test_parse_runs_under_the_memory_limit(tmp_path) -> None:
    """``gongkai parse`` (and render, draft) read under the same limits as ``check``: a file that
    needs more than the limit is refused with one line, not read with all the memory there is.
    In a fresh process: a test process's heap has room freed by earlier tests, which the limit (on
    growth of the address space) does not count."""
    huge = tmp_path / "huge.txt"
    huge.write_text("\t0\n" * 1_300_000, encoding="utf-8")
    code = (
        "import sys\nfrom gongkai.batch import BadInput, load_reports_within\n"
        "try:\n    load_reports_within(sys.argv[1], memory_mb=64)\n"
        "except BadInput as exc:\n    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(huge)], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == f"{huge}: 读取时内存超过64 MB，已停止（可用 --memory 放宽）", done.stderr


@pytest.mark.ocr  # in a worker process, out of the guard's sight
def test_a_scan_uploaded_to_a_big_server_is_read(scanned_report: bytes) -> None:
    """The server holds 1.2 GB (after a burst of traffic) and a scan is uploaded: the worker reads
    it under its own 1 GB. Before, the worker inherited the server's size under a 1 GB cap and
    every scan failed with 「没有安装 OCR 组件」."""
    held = workload.allocate(1200)
    (read,) = read_uploads([("scan.pdf", scanned_report)])
    assert held == 1200 and read.problem is None
    assert read.reports[0]["agency"] == "示例市科学技术局" and read.reports[0]["year"] == 2024


@pytest.mark.ocr  # in a worker process, out of the guard's sight
def test_ocr_short_of_memory_says_so_rather_than_not_installed(scanned_report: bytes) -> None:
    (read,) = read_uploads([("scan.pdf", scanned_report)], memory_mb=200)
    assert "没有安装" not in read.problem and ("内存" in read.problem or "意外退出" in read.problem)


@pytest.mark.ocr  # in a worker process, out of the guard's sight
@pytest.mark.ocr  # in a worker process, out of the guard's sight
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_citizen_files_while_a_scan_is_read_in_the_console(site, scanned_report: bytes) -> None:  # noqa: F811
    """The upload's reading holds no transaction (issue 14 §1): on SQLite, whose writers take the
    one write lock in turn, a filing made while a scan is read is answered before the upload is,
    instead of waiting for it (and failing after 15 s with 「database is locked」)."""
    import threading

    from fastapi.testclient import TestClient
    from support.web import file_online, upload

    supervisor = client_as(site, "supervisor")
    finished: list[str] = []
    outcome: dict[str, object] = {}

    def uploading() -> None:
        outcome["upload"] = upload(supervisor, [("scan.pdf", scanned_report)], organ="kj")
        finished.append("upload")

    reader = threading.Thread(target=uploading)
    reader.start()
    time.sleep(1.5)  # the upload is being read now (its worker takes seconds to start and read)
    filing = file_online(TestClient(site))
    finished.append("filing")
    reader.join(120)
    assert filing.status_code == 200 and "查询码" in filing.text
    assert (
        outcome["upload"].status_code == 200 and "scan.pdf: 已归入 某某区科学技术局" in outcome["upload"].text
    )
    assert finished == ["filing", "upload"]


def test_a_number_of_thousands_of_digits_in_json_is_one_line(tmp_path) -> None:
    """Found by the fuzzer: a report JSON whose year has 5,000 digits gave a traceback."""
    path = tmp_path / "report.json"
    path.write_text('{"schema": "gongkai.report/1", "year": ' + "9" * 5000 + "}", encoding="utf-8")
    assert check_file(str(path), CheckOptions()) == {
        "file": str(path),
        "error": f"{path}: JSON 中有位数过多的数字（超过 4,300 位），不是年度报告的数字",
    }


def test_a_library_that_cannot_load_near_the_limit_is_the_memory_limit() -> None:
    from gongkai.workers import failure_reason

    exc = ImportError("_rust.abi3.so: failed to map segment from shared object")
    assert failure_reason(exc, 30, 1024) == WorkerFailure("读取时内存超过1024 MB，已停止", "memory")
    assert failure_reason(ImportError("No module named x"), 30, 1024).kind == "defect"


def test_a_library_that_hides_the_loaders_failure_is_the_memory_limit() -> None:
    """OpenCC, imported under a tight limit, raises its own ImportError from the loader's: what a
    file read on a cluster under a 1 MB limit got, 「内部错误（ImportError: opencc_clib not found in
    Bazel runfiles）」, once files were no longer read into a 50 MB buffer first."""
    from gongkai.workers import failure_reason

    def load_opencc() -> None:
        try:
            raise ImportError("opencc_clib.so: failed to map segment from shared object")
        except ImportError:
            raise ImportError("opencc_clib not found in Bazel runfiles") from None

    with pytest.raises(ImportError) as raised:
        load_opencc()
    assert failure_reason(raised.value, 30, 1) == WorkerFailure("读取时内存超过1 MB，已停止", "memory")
    pdfium = OSError("libpdfium.so: failed to map segment from shared object")  # ctypes.CDLL's
    assert failure_reason(pdfium, 30, 1).kind == "memory"
    assert failure_reason(OSError("libpdfium.so: cannot open shared object file"), 30, 1).kind == "defect"
    try:
        try:
            raise ValueError("a defect")
        except ValueError as first:
            raise ImportError("No module named x") from first
    except ImportError as second:
        assert failure_reason(second, 30, 1).kind == "defect"


def test_a_native_librarys_failed_allocation_is_the_memory_limit() -> None:
    # What ONNX Runtime raised for a fuzzed scan (seed 20261207, input 65813) short of memory.
    from gongkai.workers import failure_reason

    class RuntimeException(Exception):  # onnxruntime.capi.onnxruntime_pybind11_state's
        pass

    exc = RuntimeException(
        "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running "
        "ReorderOutput node. Name:'ReorderOutput_token_158' Status Message: std::bad_alloc"
    )
    assert failure_reason(exc, 30, 1024) == WorkerFailure("读取时内存超过1024 MB，已停止", "memory")
    assert failure_reason(RuntimeException("[ONNXRuntimeError] : 1 : FAIL"), 30, 1024).kind == "defect"


def test_parse_render_and_draft_take_the_limits_check_takes(tmp_path) -> None:
    """The hint a refusal gives (「可用 --timeout 放宽」) works on every command that reads."""
    from typer.testing import CliRunner

    from gongkai.cli import app

    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    for argv in (
        ["parse", "--timeout", "1", str(fifo)],
        ["render", "--timeout", "1", str(fifo), "--to", "md"],
        ["draft", "--timeout", "1", "--from", str(fifo), "--year", "2025"],
    ):
        result = CliRunner().invoke(app, argv)
        assert result.exit_code == 2, argv
        assert f"{fifo}: 读取超过1秒，已停止（可用 --timeout 放宽）" in result.stderr, argv
    roomy = CliRunner().invoke(app, ["parse", "--memory", "2048", str(SAMPLE)])
    assert roomy.exit_code == 0 and "示例区民政局" in roomy.stdout
