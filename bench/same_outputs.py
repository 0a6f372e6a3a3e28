"""Record what gongkai makes of a fixed corpus, and compare a later run with it (issue 16).

A speed-up must not change a byte of what a reader or the checks give. This records, for every
document of a fixed corpus, everything the reading holds (the report's JSON, sections, evidence,
origins, places, notices, raw cells), what ``gongkai parse --json`` prints and the findings
``gongkai check --json`` prints; or the message when the document cannot be read. The corpus:
the seeds (text and JSON), samples/, the fast forms under tests/data, and generated reports
(valid ones, and ones with cells changed at random so that the checks have something to find)
written as Word text, tab text, Markdown, space-aligned text, converted Markdown, HTML, DOCX and
XLSX by the test writers (tests/support), with fixed seeds.

    .venv/bin/python bench/same_outputs.py record /tmp/before.json [--generated 200]
    .venv/bin/python bench/same_outputs.py compare /tmp/before.json

``compare`` prints how many documents it compared and each one whose output differs. The record
keeps the documents themselves, and ``compare`` reads those: the generated ones depend on the code
that wrote them (the readers read them back to write the other forms) and on the literals in that
code (Hypothesis draws values among the constants of the code it has loaded), so a change of code
would otherwise change the corpus as well as the outputs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import zlib
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from parse_check import generated, packed, unpacked  # noqa: E402  (the generated corpus; keeping one)

from gongkai.batch import Loaded, findings_for  # noqa: E402
from gongkai.model.report import report_from_json, report_to_json  # noqa: E402
from gongkai.readers import UnreadableDocument, read_all_bytes  # noqa: E402

FAST_SUFFIXES = {".txt", ".md", ".html", ".htm", ".docx", ".xlsx", ".json", ".ofd"}


def _files() -> list[tuple[str, bytes]]:
    folders = [ROOT.parent / "shared" / "seeds", ROOT / "samples", ROOT / "tests" / "data"]
    return [
        (str(f.relative_to(f.parents[1])), f.read_bytes())
        for d in folders
        if d.is_dir()
        for f in sorted(d.rglob("*"))
        if f.is_file() and f.suffix.lower() in FAST_SUFFIXES and f.stat().st_size < 5_000_000
    ]


def _damaged(report: Any, rng: random.Random) -> dict[str, Any]:
    """The report's JSON with a few cells changed: off by some, blanked, negative or a fraction."""
    data = report_to_json(report)
    leaves = []
    stack = [(data[t], t) for t in ("active", "requests", "appeals")]
    while stack:
        node, path = stack.pop()
        for key, value in node.items():
            if isinstance(value, dict):
                stack.append((value, f"{path}.{key}"))
            else:
                leaves.append((node, key))
    for node, key in rng.sample(leaves, 6):
        change = rng.choice(["plus", "blank", "negative", "fraction", "big"])
        value = node[key] or 0
        node[key] = {
            "plus": value + rng.randint(1, 9),
            "blank": None,
            "negative": -rng.randint(1, 9),
            "fraction": value + 0.5,
            "big": value + 1000,
        }[change]
    return data


def _encoded(write: Any, report: Any) -> bytes:
    return write(report).encode()


def _writers() -> dict[str, Any]:
    from support.alignedwriter import write_aligned_text
    from support.convertedwriter import write_converted
    from support.htmlwriter import write_docx, write_html
    from support.textwriter import WRITERS
    from support.xlsxwriter import write_xlsx_report

    text = {name: partial(_encoded, write) for name, write in WRITERS.items()}
    return {
        **text,
        "aligned": lambda r: write_aligned_text(
            r, seed=zlib.crc32(json.dumps(r, sort_keys=True).encode())
        ).encode(),
        "converted": lambda r: write_converted(r, seed=3).encode(),
        "html": lambda r: write_html(r).encode(),
        "docx": write_docx,
        "xlsx": write_xlsx_report,
    }


def corpus(count: int) -> list[tuple[str, bytes]]:
    """The documents to record: files, then ``count`` generated reports each in one writer's form,
    half of them damaged."""
    docs = _files()
    texts = generated(count)
    docs += texts
    writers = sorted(_writers().items())
    rng = random.Random(16)
    for i, (name, data) in enumerate(texts):
        report = read_all_bytes(data, name)[0].report
        plain = report_to_json(report)
        shape, write = writers[i % len(writers)]
        source = _damaged(report, rng) if i % 2 else plain
        try:
            report_from_json(source)
        except ValueError:
            source = plain
        docs.append((f"written-{i}-{shape}{'-damaged' if i % 2 else ''}", write(source)))
    return docs


def _plain(value: Any) -> Any:
    """A reading's parts as JSON: dataclasses and models as dicts, everything else as its repr."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return [[_plain(k), _plain(v)] for k, v in value.items()]
    if isinstance(value, list | tuple | set):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set) else items
    if value is None or isinstance(value, bool | int | str):
        return value
    return repr(value)


def outputs(name: str, data: bytes) -> dict[str, Any]:
    """Everything gongkai makes of one document (``gongkai check`` treats .json files as reports)."""
    if name.endswith(".json"):
        from gongkai.batch import BadInput, _load_json

        try:
            report = _load_json(name, data)
        except BadInput as exc:
            return {"error": str(exc)}
        found = findings_for(Loaded(name, report), None, None, [])
        return {
            "report": report_to_json(report),
            "findings": [f.model_dump(mode="json", exclude_none=True) for f in found],
        }
    try:
        readings = read_all_bytes(data, name)
    except UnreadableDocument as exc:
        return {"error": str(exc)}
    out = []
    for reading in readings:
        found = findings_for(Loaded(reading.source, reading.report, reading), None, None, [])
        parsed = reading.report.model_copy(update={"findings": found})
        out.append(
            {
                "reading": _plain(reading),
                "parse_json": json.dumps(report_to_json(parsed), ensure_ascii=False, indent=2),
                "findings": [f.model_dump(mode="json", exclude_none=True) for f in found],
            }
        )
    return {"readings": out}


def _outputs_of(docs: list[tuple[str, bytes]]) -> dict[str, str]:
    return {name: json.dumps(outputs(name, data), ensure_ascii=False, sort_keys=True) for name, data in docs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["record", "compare"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--generated", type=int, default=200, help="generated reports (default 200)")
    args = parser.parse_args()
    if args.action == "record":
        docs = corpus(args.generated)
        now = _outputs_of(docs)
        args.path.write_text(json.dumps({"documents": packed(docs), "outputs": now}, ensure_ascii=False))
        print(f"recorded {len(now)} documents in {args.path}")
        return
    record = json.loads(args.path.read_text())
    if "documents" not in record:
        sys.exit(f"{args.path}: a record without its documents (made before they were kept): record again")
    docs = unpacked(record["documents"])
    before, now = record["outputs"], _outputs_of(docs)
    differ = sorted(n for n in before.keys() | now.keys() if before.get(n) != now.get(n))
    for name in differ:
        print(f"differs: {name}")
    print(f"compared {len(before.keys() & now.keys())} documents: {len(differ)} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
