"""The same ingest on a Dask distributed cluster (issue 17 §2): a local cluster of two worker
processes reads the files, each under the same limits as on one machine, and the store holds
exactly what a local ingest of the same files holds; a second run doubles nothing. Without the
extra, or with an address nobody answers at, one clear line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import dask
import pytest
from conftest import clean_report_2021, load_json, needs_seeds, seed_pairs
from sqlalchemy import func, select
from support.commands import gk, ok  # noqa: F401 (the fixture)
from support.htmlwriter import write_docx, write_pdf
from support.zipwriter import write_zip

from gongkai import cluster
from gongkai.batch_ingest import Outcome, ingest
from gongkai.store.db import open_store, transaction
from gongkai.store.records import add_organ
from gongkai.store.tables import CorpusReport, CorpusSource


@pytest.fixture(scope="module")
def scheduler() -> str:
    """The address of a local Dask cluster of two worker processes (one thread each)."""
    distributed = pytest.importorskip(
        "distributed", reason="the cluster extra: pip install 'gongkai[cluster]'"
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local.scheduler_address


def write_folder(folder: Path) -> Path:
    """The five seed reports as text, one of them again under another name, a broken PDF, and a
    zip archive holding a Word report."""
    folder.mkdir()
    for text, _ in seed_pairs():
        shutil.copyfile(text, folder / text.name)
    first = seed_pairs()[0][0]
    shutil.copyfile(first, folder / f"copy of {first.name}")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n not really a PDF")
    write_zip(folder / "more.zip", {"2024年/示例.docx": write_docx(clean_report_2021())})
    return folder


@pytest.fixture
def fresh_store(migrated_sqlite: Path, tmp_path: Path):
    """Makes stores on copies of the migrated SQLite file, each knowing the first seed's organ;
    their engines are disposed afterwards."""
    made = []

    def make(name: str):
        shutil.copyfile(migrated_sqlite, tmp_path / f"{name}.db")
        made.append(open_store(f"sqlite:///{tmp_path / name}.db"))
        with transaction(made[-1]) as s:
            add_organ(s, "kj", load_json(seed_pairs()[0][1])["agency"], actor="t")
        return made[-1]

    yield make
    for store in made:
        store.kw["bind"].dispose()


def contents(store) -> tuple[list, list]:
    """Everything a run keeps (but the times): each source, and each report with its findings."""
    with transaction(store) as s:
        sources = sorted(
            s.execute(
                select(
                    CorpusSource.name,
                    CorpusSource.sha256,
                    CorpusSource.size,
                    CorpusSource.form,
                    CorpusSource.error,
                )
            ).all()
        )
        reports = sorted(
            (
                s.get(CorpusSource, r.source_id).name,
                r.position,
                r.organ_id,
                r.organ_name,
                r.organ_key,
                r.year,
                r.format,
                json.dumps(r.body, sort_keys=True, ensure_ascii=False),
                json.dumps(r.findings, sort_keys=True, ensure_ascii=False),
            )
            for r in s.scalars(select(CorpusReport))
        )
    return sources, reports


def on_the_cluster(test):
    """Marks a test of the local cluster: slow, and kept to one xdist worker, which alone starts it."""
    for mark in (needs_seeds, pytest.mark.slow, pytest.mark.xdist_group("dask-cluster")):
        test = mark(test)
    return test


@on_the_cluster
def test_the_cluster_keeps_what_one_machine_keeps(scheduler: str, fresh_store, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in")
    local, remote = fresh_store("local"), fresh_store("cluster")
    here = ingest(local, [str(folder)], jobs=2)
    there = ingest(remote, [str(folder)], cluster=scheduler)
    counts = ("files", "new", "held", "repeat", "unreadable", "reports", "unmatched")
    assert [getattr(there, c) for c in counts] == [getattr(here, c) for c in counts] == [8, 6, 0, 1, 1, 6, 5]
    kept = contents(remote)
    assert kept == contents(local)
    sources, reports = kept
    broken = str(folder / "broken.pdf")
    errors = {name: error for name, *_, error in sources if error}
    assert list(errors) == [broken] and errors[broken].startswith(f"{broken}: ")  # not the worker's copy
    assert f"{folder / 'more.zip'}/2024年/示例.docx" in {r[0] for r in reports}
    assert sum(r[2] is not None for r in reports) == 1  # the organ registered matched its report
    again = ingest(remote, [str(folder)], cluster=scheduler)
    assert (again.new, again.held, again.repeat, again.reports) == (0, 7, 1, 0)
    assert contents(remote) == kept


@on_the_cluster
def test_the_cluster_reads_under_the_same_limits(scheduler: str, fresh_store, tmp_path: Path) -> None:
    """A memory limit no document fits in stops every reading on the workers, as it does here; the
    workers themselves are not limited, and read the next run's files as usual."""
    folder = write_folder(tmp_path / "in")
    store = fresh_store("limited")
    tally = ingest(store, [str(folder)], cluster=scheduler, memory_mb=1)
    assert (tally.new, tally.unreadable, tally.reports) == (0, 7, 0)
    with transaction(store) as s:
        errors = list(s.scalars(select(CorpusSource.error)))
    assert len(errors) == 7 and all("内存超过1 MB" in e for e in errors)
    retried = ingest(store, [str(folder)], cluster=scheduler, retry_errors=True)
    assert (retried.unreadable, retried.reports) == (1, 6)  # only the broken PDF now


@on_the_cluster
def test_a_file_whose_task_fails_for_good_is_not_kept(fresh_store, tmp_path: Path) -> None:
    """Workers killed mid-task, on a cluster that gives a task up at the first death: the files of
    the tasks they held are said to be unreadable, in one line each, and not kept; the next run
    keeps them."""
    distributed = pytest.importorskip(
        "distributed", reason="the cluster extra: pip install 'gongkai[cluster]'"
    )
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):  # PDFs, a task each: a worker has its next one before the client hears
        report = clean_report_2021().model_copy(update={"agency": f"示例市第{i}局"})
        (folder / f"{i:02d}.pdf").write_bytes(write_pdf(report))
    store = fresh_store("lost")
    lost: list[str] = []
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as local,
        distributed.Client(local) as client,
    ):
        workers = list(client.run(os.getpid).values())

        def kill_the_workers(outcome: Outcome) -> None:
            if outcome.status == "new" and workers:
                while workers:
                    os.kill(workers.pop(), signal.SIGKILL)
            elif outcome.status == "unreadable":
                lost.append(outcome.error)

        first = ingest(store, [str(folder)], cluster=local.scheduler_address, on_file=kill_the_workers)
        assert lost and first.unreadable == len(lost) and first.new == 12 - len(lost)
        assert all(e.endswith("集群中读取它的工作进程多次意外退出，未收入") and "\n" not in e for e in lost)
        with transaction(store) as s:
            assert s.scalar(select(func.count()).select_from(CorpusSource)) == first.new
        again = ingest(store, [str(folder)], cluster=local.scheduler_address)
    assert (again.new, again.held, again.unreadable) == (len(lost), first.new, 0)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_without_the_extra_the_cluster_is_one_line(gk, tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("报告", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: import fails
    code, _, stderr = gk("ingest", tmp_path / "in", "--cluster", "tcp://127.0.0.1:8786")
    assert code == 2
    assert (
        stderr.strip()
        == "--cluster 需要 Dask distributed：请先安装集群组件（pip install 'gongkai[cluster]'）"
    )


def test_an_address_nobody_answers_at_is_one_line(gk, tmp_path: Path, monkeypatch) -> None:  # noqa: F811
    pytest.importorskip("distributed", reason="the cluster extra: pip install 'gongkai[cluster]'")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("报告", encoding="utf-8")
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 0.5)  # the wait, not what is said after it
    address = f"tcp://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("GONGKAI_CLUSTER", address)
    code, stdout, stderr = gk("ingest", tmp_path / "in")
    assert code == 2 and not stdout
    assert stderr.startswith(f"无法连接集群 {address}：") and "dask scheduler" in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "共" not in stderr  # nothing was taken in
