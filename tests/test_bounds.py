"""Bounded work (issue 28, reliability round 3): how much of a file the command reads to find its delimiter, how
many bytes and rows it reads at most, and how long a line it says. Each bound is tested by the work done (bytes,
rows, characters counted), never by the clock."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from commandline import run, scratch

from influencer_roi import cli, schema

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "synthetic" / "campaigns.csv"
HEADER = b"influencer_id,followers,cost,revenue\n"


@pytest.fixture
def counted(monkeypatch) -> list[schema.Counted]:
    """Every capped stream the reader opens, to count the bytes it took from the file (after decompression)."""
    streams: list[schema.Counted] = []

    class Recorded(schema.Counted):
        def __init__(self, raw, limit: int) -> None:
            super().__init__(raw, limit)
            streams.append(self)

    monkeypatch.setattr(schema, "Counted", Recorded)
    return streams


@pytest.fixture
def no_sniffer(monkeypatch) -> list[int]:
    """csv.Sniffer may not be used (its regular expressions backtrack), and the delimiter detector is given at most
    HEAD_BYTES characters: the lengths it was given are recorded."""

    def refused(*args, **kwargs):
        raise AssertionError("csv.Sniffer was used")

    monkeypatch.setattr(csv, "Sniffer", refused)
    given: list[int] = []
    real = schema.detect_delimiter

    def measured(sample: str) -> str:
        given.append(len(sample))
        return real(sample)

    monkeypatch.setattr(schema, "detect_delimiter", measured)
    return given


# ---- The delimiter: a linear scan of the file's head


@pytest.mark.parametrize(
    "text, delimiter",
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1,5;2,5;3\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('a;b\n"1;5";2\n', ";"),
        ("just one column\n1\n", ","),
        ('a,b\n"x, y",2\n"z",3', ","),
    ],
)
def test_the_delimiter_is_the_one_that_splits_the_records_evenly(text, delimiter):
    assert schema.detect_delimiter(text) == delimiter


def test_the_detector_reads_at_most_the_head_however_long_the_text():
    """Given a megabyte, it looks at HEAD_BYTES of it: a delimiter past the head is not seen."""
    text = "a" * schema.HEAD_BYTES + ";b\n1;2\n" * 1000
    assert schema.detect_delimiter(text) == ","


@pytest.mark.parametrize(
    "first",
    [
        ' ,"' * 21_000,  # csv.Sniffer's quote-and-delimiter expression backtracks on this: a minute and more
        "'," * 32_000,
        "a" * 60_000,
        "influencer_id,followers,cost,revenue" + ',"x' * 20_000,
    ],
    ids=["quote-delimiter-runs", "apostrophes", "one-long-name", "unclosed-quotes"],
)
def test_a_crafted_first_line_is_read_in_a_bounded_scan(first, no_sniffer, counted):
    with scratch() as folder:
        (folder / "long.csv").write_bytes(first.encode() + b"\n" + SAMPLE.read_bytes().split(b"\n", 1)[1])
        code, out, err = run(["analyze", "long.csv", "--out", "o"])
    assert code == 2 and err.count("\n") == 1 and "long.csv" in err and "Traceback" not in err, err
    assert no_sniffer and max(no_sniffer) <= schema.HEAD_BYTES
    assert counted[0].consumed <= schema.HEAD_BYTES  # the head, and no more, to find the delimiter


def test_a_long_data_line_after_the_header_is_read_as_data(no_sniffer):
    """A first data line of 60 KiB (a long id) leaves the header and delimiter as they are: the file is read."""
    with scratch() as folder:
        lines = SAMPLE.read_bytes().split(b"\n", 2)
        (folder / "wide.csv").write_bytes(lines[0] + b"\n" + b"x" * 60_000 + lines[1] + b"\n" + lines[2])
        code, out, err = run(["analyze", "wide.csv", "--out", "o"])
    assert code == 0, err
    assert no_sniffer and max(no_sniffer) <= schema.HEAD_BYTES


def test_a_first_line_longer_than_the_head_is_refused_as_no_header(no_sniffer, counted):
    with scratch() as folder:
        (folder / "noheader.csv").write_bytes(b"a," * 100_000 + b"\n" + SAMPLE.read_bytes())
        code, _, err = run(["analyze", "noheader.csv", "--out", "o"])
    assert code == 2 and f"line 1: no line break in its first {schema.HEAD_BYTES:,} bytes" in err, err
    assert not no_sniffer  # refused before any detection
    assert [s.consumed for s in counted] == [schema.HEAD_BYTES]


# ---- Bytes and rows: caps, counted as read


def _repetitive(rows: int) -> bytes:
    """A campaign file of `rows` rows that compresses a thousandfold: a decompression bomb in miniature."""
    return HEADER + b"a,1000,5,6\n" * rows


def _compress(data: bytes, suffix: str) -> bytes:
    if suffix == ".gz":
        return gzip.compress(data)
    if suffix == ".bz2":
        return bz2.compress(data)
    if suffix == ".xz":
        return lzma.compress(data)
    if suffix == ".zst":
        sink = pa.BufferOutputStream()
        with pa.CompressedOutputStream(sink, "zstd") as stream:
            stream.write(data)
        return sink.getvalue().to_pybytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("campaigns.csv", data)
    return buffer.getvalue()


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz", ".zip", ".zst"])
def test_decompression_stops_at_max_bytes(suffix, counted):
    data = _repetitive(200_000)  # 2.2 MB of text
    with scratch() as folder:
        (folder / f"bomb.csv{suffix}").write_bytes(_compress(data, suffix))
        code, _, err = run(["analyze", f"bomb.csv{suffix}", "--out", "o", "--max-bytes", "100000"])
    assert code == 2 and err.count("\n") == 1, err
    assert f"bomb.csv{suffix}: more than 100,000 bytes of CSV text (counted after decompression)" in err
    assert "--max-bytes" in err
    # every stream took at most the cap and one byte: the rest of the file was never decompressed
    assert counted and all(s.consumed <= 100_001 for s in counted)
    assert sum(s.consumed for s in counted) < len(data) / 10


def test_rows_are_counted_as_read_and_reading_stops_past_max_rows(counted):
    """Twenty million bytes of rows, a cap of 1,000: the reader stops within its read-ahead (about 35 blocks)."""
    data = _repetitive(2_000_000)
    with scratch() as folder:
        (folder / "rows.csv.gz").write_bytes(gzip.compress(data, compresslevel=1))
        code, _, err = run(["analyze", "rows.csv.gz", "--out", "o", "--max-rows", "1000"])
    assert code == 2 and err.count("\n") == 1, err
    assert "rows.csv.gz: more than 1,000 rows after the header; breaks rule: at most 1,000 rows" in err
    assert "raise --max-rows" in err
    table_read = counted[-1].consumed
    assert table_read <= 40 * schema.BLOCK_BYTES < len(data) / 2


def test_a_plain_csv_over_max_bytes_is_refused_after_reading_only_the_cap(counted):
    with scratch():
        code, _, err = run(["analyze", str(SAMPLE), "--out", "o", "--max-bytes", "1000"])
    assert code == 2 and "more than 1,000 bytes of CSV text; breaks rule: at most 1,000 bytes" in err, err
    assert "decompression" not in err
    assert [s.consumed for s in counted] == [1001]


def test_a_file_at_the_caps_is_read_and_one_row_less_is_refused():
    rows = SAMPLE.read_bytes().count(b"\n") - 1
    size = SAMPLE.stat().st_size
    with scratch():
        at_caps = ["--max-rows", str(rows), "--max-bytes", str(size)]
        code, _, err = run(["analyze", str(SAMPLE), "--out", "o", *at_caps])
        assert code == 0, err
        code, _, err = run(["analyze", str(SAMPLE), "--out", "p", "--max-rows", str(rows - 1)])
        assert code == 2 and f"at most {rows - 1:,} rows" in err, err


def test_parquet_is_refused_over_a_cap_from_its_metadata(monkeypatch):
    """A Parquet file's rows and uncompressed size are in its footer: refused before a column is decompressed."""
    read: list[object] = []
    monkeypatch.setattr(pq.ParquetFile, "read", lambda self, *a, **k: read.append(1))
    table = pa.table({"influencer_id": ["a"] * 5000, "followers": [1000] * 5000, "cost": [5.0] * 5000})
    table = table.append_column("revenue", pa.array([6.0] * 5000))
    with scratch() as folder:
        pq.write_table(table, folder / "c.parquet")
        code, _, err = run(["analyze", "c.parquet", "--out", "o", "--max-rows", "4999"])
        assert code == 2 and "c.parquet: more than 4,999 rows" in err, err
        code, _, err = run(["analyze", "c.parquet", "--out", "o", "--max-bytes", "100"])
        assert code == 2 and "more than 100 bytes in the columns read (uncompressed)" in err, err
    assert not read


@pytest.mark.parametrize("command", ["analyze", "engagement"])
@pytest.mark.parametrize("option", ["--max-rows", "--max-bytes"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "1.5", "1e30"])
def test_the_cap_options_are_whole_numbers_in_range(command, option, value):
    with scratch():
        code, _, err = run([command, str(SAMPLE), "--out", "o", option, value])
    assert code == 2 and option in err and err.count("\n") == 1, err


def test_allocate_reads_its_campaigns_under_the_caps(counted):
    with scratch():
        code, _, err = run(["allocate", "--budget", "10000", "--campaigns", str(SAMPLE), "--max-rows", "10"])
    assert code == 2 and "at most 10 rows" in err, err


# ---- Lines the command says


def test_no_stdout_line_is_longer_than_the_cap_and_no_word_of_prose_is_lost():
    """A custom mix typed with a thousand zeros is echoed in the table and the answer: cut there, while the answer's
    paragraph (over 500 characters at four worlds) is broken at spaces, every word kept."""
    share = "0.5" + "0" * 1000
    with scratch():
        code, out, err = run(
            [
                "allocate",
                "--budget",
                "100000",
                "--draws",
                "100",
                "--worlds",
                "4",
                "--strategy",
                f"nano={share},micro=0.5",
            ]
        )
    assert code == 0, err
    assert max(len(line) for line in (out + err).splitlines()) <= cli.MAX_LINE
    assert "custom nano=0.500" in out


def test_show_breaks_prose_at_spaces_and_cuts_what_cannot_be_broken(capsys):
    prose = " ".join(f"word{i}" for i in range(400))  # 3,000 characters
    cli._show(prose)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and max(map(len, lines)) <= cli.MAX_LINE
    assert " ".join(lines).split() == prose.split()
    cli._show("x" * 100_000 + "\n" + "table  row  " + "y" * 1000)
    lines = capsys.readouterr().out.splitlines()
    assert [len(line) for line in lines] == [cli.MAX_LINE, cli.MAX_LINE]
    assert lines[0].endswith("…") and lines[1].startswith("table  row")


# ---- Options that multiply work: estimated first, then shown step by step


@pytest.fixture
def recorded_steps(monkeypatch) -> list[tuple[int, list[str]]]:
    """Every progress display the command opens: its announced total, and the steps it was told, in order."""
    import contextlib

    from influencer_roi import progress

    shown: list[tuple[int, list[str]]] = []

    @contextlib.contextmanager
    def steps(total: int, enabled=None, delay: float = 1.0):
        labels: list[str] = []
        shown.append((total, labels))
        yield labels.append

    monkeypatch.setattr(progress, "steps", steps)
    return shown


def test_allocate_says_its_work_first_and_its_progress_advances_strategy_by_strategy(monkeypatch, recorded_steps):
    monkeypatch.setattr(cli, "ESTIMATE_FROM", 0.0)  # say it for a run of a second, as for one of an hour
    with scratch() as folder:
        code, out, err = run(["allocate", "--budget", "10000", "--draws", "100", "--worlds", "2", "--out", "a"])
        assert code == 0, err
        record = json.loads((folder / "a" / "results.json").read_text(), parse_constant=_refuse)
    strategies = len(record["strategies"])
    units = strategies * (100 + 2 * cli.INNER + cli.REGION_DRAWS)
    assert err.startswith(f"note: about {units:,} simulated campaigns ({strategies} strategies x (100 draws + 2 worlds")
    assert "roughly" in err and "on the benchmarks' machine" in err
    [(total, labels)] = recorded_steps
    assert total == len(labels) == 3 * strategies
    names = list(record["strategies"])
    assert labels == (
        [f"100 draws: {n}" for n in names] + [f"2 worlds: {n}" for n in names] + [f"regions: {n}" for n in names]
    )


def test_a_short_allocation_says_nothing_before_its_answer(recorded_steps):
    with scratch():
        code, out, err = run(["allocate", "--budget", "10000", "--draws", "100", "--worlds", "0"])
    assert code == 0 and err == "", err
    [(total, labels)] = recorded_steps
    assert total == len(labels) > 0


def test_the_default_allocation_is_estimated_at_its_measured_cost():
    """The default run (10,000 draws, 200 worlds) at $1,000,000 is over the threshold: its estimate is the benchmark's
    cost per campaign times the campaigns, a few seconds, not minutes."""
    from influencer_roi import progress

    campaigns = 8 * (10_000 + cli.WORLDS * cli.INNER + cli.REGION_DRAWS)
    seconds = campaigns * progress.allocate_seconds(1_000_000)
    assert cli.ESTIMATE_FROM < seconds < 60
    assert progress.allocate_seconds(1e12) == progress.allocate_seconds(1e6)  # the creator supply caps the work
    assert progress.allocate_seconds(1) == progress.allocate_seconds(1e4)
    budgets = [1e4, 3e4, 1e5, 3e5, 1e6]
    costs = [progress.allocate_seconds(b) for b in budgets]
    assert costs == sorted(costs)


@pytest.mark.parametrize("posts", [False, True])
def test_simulate_says_its_work_and_advances(monkeypatch, recorded_steps, posts):
    monkeypatch.setattr(cli, "ESTIMATE_FROM", 0.0)
    with scratch() as folder:
        code, out, err = run(["simulate", "--n", "50", "--out", "s.csv"] + (["--posts"] if posts else []))
        assert code == 0 and (folder / "s.csv").is_file(), err
    rows, what = (250, "simulated posts (--n 50 accounts x about 5 posts)") if posts else (50, "simulated campaigns")
    assert err.startswith(f"note: about {rows:,} {what}"), err
    [(total, labels)] = recorded_steps
    assert total == len(labels) == 2 and labels[0].startswith("simulating") and labels[1].startswith("writing")


def test_the_estimates_costs_are_the_benchmarks():
    from influencer_roi import progress

    bench = json.loads((ROOT / "benchmarks" / "results" / "allocate_draws.json").read_text())
    campaigns = bench["worlds"] * bench["inner"] * 8
    measured = {row["budget"]: row["seconds"] / campaigns for row in bench["across_worlds"]}
    for budget, seconds in progress.ALLOCATE_SECONDS:
        assert seconds == pytest.approx(measured[budget], rel=0.05)
    scaling = json.loads((ROOT / "benchmarks" / "results" / "analyze_scaling.json").read_text())
    largest = max(scaling["rows"], key=lambda row: row["campaigns"])
    assert progress.SIMULATE_SECONDS == pytest.approx(largest["simulate_s"] / largest["campaigns"], rel=0.05)


def test_an_estimate_counts_the_runs_fixed_start_up():
    """The estimate is the fixed part (start-up, imports, the worlds, the market) plus the campaigns' cost: at the
    benchmarks' default run it gives the whole command's measured time, not only its campaigns' share (2 to 6 times
    less); with no campaigns at all it is still the fixed part; simulate's likewise."""
    from influencer_roi import progress

    bench = json.loads((ROOT / "benchmarks" / "results" / "allocate_draws.json").read_text())
    units = 8 * (bench["draws"] + bench["worlds"] * bench["inner"] + cli.REGION_DRAWS)
    for row in bench["command"]:
        whole = progress.allocate_run_seconds(units, row["budget"])
        assert whole == pytest.approx(row["seconds"], rel=0.05)
        assert whole > 1.5 * units * progress.allocate_seconds(row["budget"])  # the fixed part is most of it
        assert progress.allocate_run_seconds(0, row["budget"]) == pytest.approx(
            row["seconds"] - units * progress.allocate_seconds(row["budget"]), rel=0.05
        )
    scaling = json.loads((ROOT / "benchmarks" / "results" / "analyze_scaling.json").read_text())
    for row in scaling["rows"]:
        assert progress.simulate_run_seconds(row["campaigns"]) == pytest.approx(row["simulate_s"], rel=0.25)
    smallest = min(scaling["rows"], key=lambda row: row["campaigns"])
    assert progress.simulate_run_seconds(0) == pytest.approx(smallest["simulate_s"], rel=0.05)


def test_the_said_estimate_is_the_whole_runs(monkeypatch):
    """What allocate says is duration(fixed part + campaigns' cost): a fixed part of an hour says an hour."""
    from influencer_roi import progress

    monkeypatch.setattr(cli, "ESTIMATE_FROM", 0.0)
    monkeypatch.setattr(progress, "ALLOCATE_START", ((10_000, 3600.0), (1_000_000, 3600.0)))
    with scratch():
        code, out, err = run(["allocate", "--budget", "10000", "--draws", "100", "--worlds", "0"])
    assert code == 0, err
    assert "roughly 60 min on the benchmarks' machine" in err.splitlines()[0]


def _refuse(constant):
    raise ValueError(f"not strict JSON: {constant}")


def test_a_ledger_file_is_read_up_to_a_cap_and_no_further(monkeypatch):
    """audit --evidence reads a user's copy of the ledger whole: a file over validation.TEXT_MAX_BYTES (lowered here
    to the size of the book's claims.csv less one byte) is refused after reading the cap and one byte."""
    import shutil

    from influencer_roi import paths, validation

    size = (paths.evidence_dir() / "claims.csv").stat().st_size
    monkeypatch.setattr(validation, "TEXT_MAX_BYTES", size - 1)
    asked: list[int] = []
    real_open = open

    def measured_open(file, mode="r", *args, **kwargs):
        stream = real_open(file, mode, *args, **kwargs)
        if str(file).endswith("claims.csv") and "b" in mode:
            read = stream.read
            stream.read = lambda n=-1: asked.append(n) or read(n)  # type: ignore[method-assign]
        return stream

    monkeypatch.setattr("builtins.open", measured_open)
    with scratch() as folder:
        shutil.copytree(paths.evidence_dir(), folder / "evidence")
        code, _, err = run(["audit", "--evidence", "evidence"])
    assert code == 2 and err.count("\n") == 1, err
    assert f"claims.csv: more than {size - 1:,} bytes" in err
    assert asked == [size]
