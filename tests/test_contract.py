"""The input contract, for generated hostile inputs (hypothesis): every run of `influencer-roi` ends in exit status 0
with strict JSON, or in exit status 2 with one message; no exception escapes and no traceback or raw library
warning is printed; the inputs are byte for byte as they were; only the tool's own output names appear, and no
staged file is left behind.

The command is called in-process (cli.main, output captured), so that a few hundred cases run in about a minute.
The profile is fixed (max_examples per test, derandomize, no database, no deadline), so CI runs the same cases
every time. Signals, file modes and real exit codes are tested with subprocesses in test_faults.py.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import io
import json
import lzma
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from commandline import run, scratch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from influencer_roi import cli, paths, schema

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = pd.read_csv(ROOT / "data" / "synthetic" / "campaigns.csv", dtype=str)
POSTS = pd.read_csv(ROOT / "data" / "synthetic" / "posts.csv", dtype=str)
OWN_NAMES = {
    "analyze": set(cli.ANALYZE_FILES),
    "engagement": set(cli.ENGAGEMENT_FILES),
    "allocate": set(cli.ALLOCATE_FILES),
}

_CONTRACT = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def contract(examples: int) -> settings:
    """The suite's profile with this many generated cases."""
    return settings(_CONTRACT, max_examples=examples)


def _strict(text: str) -> dict:
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def mostly(valid: list, hostile: list) -> st.SearchStrategy:
    """Valid four times in five, hostile otherwise: each case has hostility somewhere, and about a third of them
    get through to the models (so that the fits and the reports are under test too)."""
    weight = max(1, round(4 * len(hostile) / len(valid)))
    return st.sampled_from([v for v in valid for _ in range(weight)] + list(hostile))


# ---- Values and tables

BOUNDARY = [
    "0",
    "-0",
    "1",
    "-1",
    "1e308",
    "-1e308",
    "1e400",
    "1e-300",
    str(2**63),
    str(2**64 + 1),
    "0.5",
    "1e10",
    "10000000001",
    "0.001",
]
MARKERS = ["NaN", "nan", "N/A", "n/a", "NA", "", " ", "null", "None", "-", "inf", "-inf", "Infinity", "#N/A"]
EXPORTED = [
    "353.1K",
    "1.2M",
    "2B",
    "12k",
    "0K",
    "1.23456K",
    "12,345",
    "1,234,567",
    "1,23",
    "12 345",
    "1.234,56",
    "0,034",  # a decimal comma: refused, never read as thousands
    "0,500",
    "1.200",  # one dot then three digits: refused unless the file shows which convention it uses
    "€1.200",
    "2.000",
    "1.234.567",
    "1,200",
    "$12",
    "€5",
    "$1,234.50",
    "12 USD",
    "EUR 80",
    "$-5",
    "US$9",
    "(12)",
]
UNICODE = ["١٢٣", "１２", "12\u00a0345", "½", "1\u200b2", "\ufeff12"]
hostile_value = st.one_of(
    st.sampled_from(BOUNDARY + MARKERS + EXPORTED + UNICODE),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6),
)
header_variant = mostly(["exact", "upper", "spaces", "extra"], ["duplicate", "drop"])


@st.composite
def campaign_table(
    draw,
    base: pd.DataFrame = SAMPLE,
    required=("influencer_id", "followers", "cost", "revenue"),
    optional=("brand", "campaign_id"),
):
    """A table drawn from the sample (so that many cases are valid and reach the models), with hostile values at
    random places and hostile headers."""
    n = draw(mostly(list(range(25, 46)), [0, 1, 2, 3, 19, 20, 21]))
    start = draw(st.integers(min_value=0, max_value=len(base) - 50))
    columns = list(required) + [c for c in optional if draw(st.booleans())]
    frame = base.iloc[start : start + n][columns].reset_index(drop=True).copy()
    if n and draw(mostly([False], [True])):
        for _ in range(draw(st.integers(min_value=1, max_value=4))):
            frame.iloc[draw(st.integers(0, n - 1)), draw(st.integers(0, len(columns) - 1))] = draw(hostile_value)
    if n and "campaign_id" in frame and draw(mostly([False], [True])):  # a campaign exported again
        again = frame.sample(n=draw(st.integers(1, n)), random_state=draw(st.integers(0, 99)))
        if draw(st.booleans()):  # ... with different values: a contradiction, refused
            again = again.assign(**{required[-1]: "1"})
        frame = pd.concat([frame, again], ignore_index=True)
    if n and "revenue" in frame and draw(mostly([False], [True])):  # campaigns that sold nothing: some, or all
        zeros = draw(st.integers(1, n))
        frame.loc[frame.index[:zeros], "revenue"] = draw(st.sampled_from(["0", "0.00", "$0", "-0"]))
    if n and draw(mostly([False], [True])):  # degenerate: one row repeated, or one follower count for all
        if draw(st.booleans()):
            frame = pd.concat([frame.iloc[[0]]] * n, ignore_index=True)
        else:
            frame["followers"] = frame["followers"].iloc[0]
    variant = draw(header_variant)
    if variant == "upper":
        frame.columns = [c.upper() for c in frame.columns]
    elif variant == "spaces":
        frame.columns = [f" {c} " for c in frame.columns]
    elif variant == "duplicate":
        frame[draw(st.sampled_from(columns)).title()] = frame[columns[1]]
    elif variant == "drop":
        frame = frame.drop(columns=draw(st.sampled_from(columns)))
    elif variant == "extra":
        frame["notes, free text"] = 'a, "quoted"\nvalue'
    return frame


RAW_DAMAGE = {  # what exports and editors do to a CSV file's bytes
    "ragged row": lambda b: b + b"A1,1000,5,6,7,8\n",
    "blank lines": lambda b: b.replace(b"\n", b"\n\n", 3),
    "byte-order mark": lambda b: b"\xef\xbb\xbf" + b,
    "latin-1": lambda b: b.replace(b"\n", "\n\u00e9l\u00e8ve,".encode("latin-1"), 1),
    "utf-16": lambda b: b.decode("utf-8").encode("utf-16"),
    "unterminated quote": lambda b: b + b'A9,"1000,5,6\n',
    "NUL byte": lambda b: b[:20] + b"\x00" + b[20:],
    "CRLF": lambda b: b.replace(b"\n", b"\r\n"),
    "no final newline": lambda b: b.rstrip(b"\n"),
    "truncated": lambda b: b[: len(b) // 2],
    "two byte-order marks": lambda b: b"\xef\xbb\xbf\xef\xbb\xbf" + b,
    "CR only": lambda b: b.replace(b"\n", b"\r"),
    "blank first line": lambda b: b"\n" + b,
}
raw_damage = mostly([None], list(RAW_DAMAGE))


def write_table(frame: pd.DataFrame, kind: str, folder: Path, damage: str | None = None) -> Path:
    if kind == "parquet":
        path = folder / "input.parquet"
        frame.astype(object).where(frame.notna(), None).astype("string").to_parquet(path)
    elif kind in ("zip", "corrupt zip"):
        path = folder / "input.csv.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("input.csv", frame.to_csv(index=False))
        if kind == "corrupt zip":
            path.write_bytes(path.read_bytes()[: max(30, path.stat().st_size // 2)])
    elif kind == "gzip":
        path = folder / "input.csv.gz"
        with gzip.open(path, "wt", encoding="utf-8", newline="") as stream:
            frame.to_csv(stream, index=False)
    else:
        path = folder / "input.csv"
        frame.to_csv(path, index=False, sep={"csv": ",", "semicolon": ";", "tab": "\t"}[kind])
        if damage:
            path.write_bytes(RAW_DAMAGE[damage](path.read_bytes()))
    return path


file_kind = st.sampled_from(["csv", "csv", "csv", "semicolon", "tab", "gzip", "parquet", "zip", "corrupt zip"])
share_option = mostly(["0.1", "0.5", "1", "0"], ["nan", "-0.1", "2", "inf", "x"])
seed_option = mostly(["0", "7", str(2**32 - 1)], ["-1", "nan", str(2**32), "1.5"])


# ---- Running the command and checking the contract


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder`: file bytes (None for folders and links)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        found[key] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return found


def check_contract(folder: Path, before: dict, argv: list[str], own: set[str], out: str | None) -> tuple[int, str]:
    """Run argv in `folder` and assert the contract; return (exit status, stderr)."""
    code, stdout, stderr = run(argv)
    with contextlib.suppress(InvalidArgument):  # outside @given there are no statistics to add to
        event(f"exit status {code}")
    where = f"argv={argv}\nstdout={stdout[-2000:]}\nstderr={stderr[-3000:]}"
    assert code in (0, 2), where
    assert "Traceback" not in stderr and "Warning" not in stderr, where
    longest = max((len(line) for line in (stdout + stderr).splitlines()), default=0)
    assert longest <= cli.MAX_LINE, f"a line of {longest} characters\n{where}"
    after = snapshot(folder)
    for name, content in before.items():  # inputs, and every file that was there, untouched
        if content is not None:
            assert after.get(name) == content, f"{name} changed\n{where}"
    new = [name for name in after if name not in before or after[name] != before[name]]
    assert not [n for n in new if paths.PARTIAL in n], f"staged files left: {new}\n{where}"
    allowed = own | {paths.MANIFEST}
    for name in new:
        assert out is not None, f"wrote {name} without --out\n{where}"
        inside = name[len(out) + 1 :] if name.startswith(f"{out}/") else (None if name == out else name)
        if out in (".", ""):
            inside = name
        assert inside is None or inside in allowed, f"wrote {name}, not one of the tool's names\n{where}"
    if code == 0:
        if out is not None and "results.json" in own:
            record = _strict((folder / out / "results.json").read_text(encoding="utf-8"))
            assert record["run"]["tool"] == "influencer-roi"
            assert (folder / out / "report.html").is_file()
    else:
        lines = [line for line in stderr.splitlines() if line.startswith("influencer-roi")]
        assert len(lines) == 1 and stderr.startswith("influencer-roi"), f"not one message\n{where}"
        if out is not None and out not in before and out not in (".", ""):
            assert not (folder / out).exists(), f"output left after a refusal\n{where}"
    return code, stderr


out_place = mostly(["new", "new", "existing-own", "input"], ["user-file", "dangling", "nested", "is-file"])


def prepare_out(folder: Path, place: str, names: set[str], source: Path) -> str:
    """An --out of the given kind of hostility, made in `folder`; returns the argument."""
    if place == "existing-own":
        (folder / "out").mkdir()
        (folder / "out" / "notes.txt").write_text("the user's own notes")
        return "out"
    if place == "user-file":
        (folder / "out").mkdir()
        (folder / "out" / sorted(names)[0]).write_text("the user's own file under one of the tool's names")
        return "out"
    if place == "input":
        return "."  # the input's folder: the tool writes its own names only
    if place == "dangling":
        (folder / "out").symlink_to(folder / "missing")
        return "out"
    if place == "nested":
        return "no/such/folder"
    if place == "is-file":
        return source.name
    if place == "dot":
        return "."
    return "out"


@contract(60)
@given(
    table=campaign_table(),
    kind=file_kind,
    drop=st.booleans(),
    share=share_option,
    seed=seed_option,
    place=out_place,
    mapped=mostly([False], [True]),
    damage=raw_damage,
    convention=mostly(
        [[]],
        [["--decimal", ","], ["--thousands", "."], ["--thousands", "none"], ["--decimal", ".", "--thousands", "."]],
    ),
)
def test_analyze_keeps_the_contract(table, kind, drop, share, seed, place, mapped, damage, convention):
    with scratch() as folder:
        source = write_table(table, kind, folder, damage)
        out = prepare_out(folder, place, OWN_NAMES["analyze"], source)
        argv = ["analyze", source.name, "--out", out, "--seed", seed, *convention]
        if drop:
            argv += ["--drop-invalid", "--max-drop-share", share]
        if mapped:
            argv += ["--column", f"followers={table.columns[min(1, len(table.columns) - 1)]}"]
        check_contract(folder, snapshot(folder), argv, OWN_NAMES["analyze"], out)


@contract(45)
@given(
    table=campaign_table(
        base=POSTS, required=("account_id", "followers", "likes", "comments"), optional=("platform", "sponsored")
    ),
    kind=file_kind,
    drop=st.booleans(),
    place=out_place,
    damage=raw_damage,
)
def test_engagement_keeps_the_contract(table, kind, drop, place, damage):
    with scratch() as folder:
        source = write_table(table, kind, folder, damage)
        out = prepare_out(folder, place, OWN_NAMES["engagement"], source)
        argv = ["engagement", source.name, "--out", out] + (["--drop-invalid", "--max-drop-share", "1"] if drop else [])
        check_contract(folder, snapshot(folder), argv, OWN_NAMES["engagement"], out)


money_option = mostly(["100000", "5000", "1", "1e12"], ["0", "-5", "nan", "inf", "-inf", "1e13", "abc", ""])
strategy_option = mostly(
    ["nano=0.5,micro=0.5", "nano=1", "micro=0.3,mega=0.7"],
    ["nano=0.5,nano=0.5", "nano=nan", "giga=1", "nano=inf,micro=-inf", "", "nano"],
)


@contract(30)
@given(
    budget=money_option,
    draws=mostly(["100", "150"], ["99", "200001", "1e3", "-100", "nan"]),
    management=mostly(["250", "0", "1e9"], ["-1", "nan", "inf", "1e10"]),
    breakeven=mostly(["1", "2.5", "1000"], ["0", "0.5", "-1", "nan", "inf", "1001"]),
    strategy=st.one_of(st.none(), strategy_option),
    out=st.sampled_from([None, "alloc", ""]),
    campaigns=st.booleans(),
    # a few worlds of the evidence (the default, hundreds, takes seconds a run), and bad counts of them
    worlds=mostly(["0", "3"], ["-1", "nan", "5001", "1.5", ""]),
    # the decision's inputs (issue 26): supply per tier, price elasticity, margin, a market assumption
    extra=st.one_of(
        st.just([]),
        st.tuples(
            st.just("--supply"),
            mostly(["nano=10,micro=0", "mega=1"], ["giga=1", "nano=-1", "nano=1.5", "nano=1,nano=2", "", "nano"]),
        ).map(list),
        st.tuples(st.just("--price-elasticity"), mostly(["0.4", "1", "0"], ["-0.1", "2.5", "nan", "x"])).map(list),
        st.tuples(st.just("--margin"), mostly(["0.5", "1"], ["0", "1.5", "-0.2", "inf"])).map(list),
        st.tuples(st.just("--niche-audience"), mostly(["1e6"], ["0", "-1", "1e11", "nan"])).map(list),
        # campaigns per world: its bounds, and --worlds x --inner over the cap (refused with one message)
        st.tuples(st.just("--inner"), mostly(["2", "4"], ["1", "201", "2.5", "nan", ""])).map(list),
        st.just(["--worlds", "5000", "--inner", "41"]),
    ),
)
def test_allocate_keeps_the_contract(budget, draws, management, breakeven, strategy, out, campaigns, worlds, extra):
    with scratch() as folder:
        argv = [
            "allocate",
            "--budget",
            budget,
            "--draws",
            draws,
            "--management-cost",
            management,
            "--breakeven",
            breakeven,
            "--worlds",
            worlds,
            *extra,
        ]
        if "--margin" in extra:  # --margin and --breakeven exclude each other: keep the margin
            del argv[argv.index("--breakeven") : argv.index("--breakeven") + 2]
        if strategy is not None:
            argv += ["--strategy", strategy]
        if campaigns:
            SAMPLE.iloc[:60].to_csv(folder / "campaigns.csv", index=False)
            argv += ["--campaigns", "campaigns.csv"]
        if out is not None:
            argv += ["--out", out]
        check_contract(folder, snapshot(folder), argv, OWN_NAMES["allocate"] if out else set(), out)


@contract(20)
@given(
    n=mostly(["5", "3"], ["0", "-1", "1e3", "abc", str(cli.MAX_CAMPAIGNS + 1)]),
    posts=st.booleans(),
    same=st.booleans(),
    params_into=st.sampled_from(["here", "missing-folder", None]),
    existing=st.booleans(),
)
def test_simulate_keeps_the_contract(n, posts, same, params_into, existing):
    with scratch() as folder:
        if existing:
            (folder / "sim.csv").write_text("the user's own file\n")
        argv = ["simulate", "--n", n, "--seed", "1", "--out", "sim.csv"] + (["--posts"] if posts else [])
        params = {"here": "sim.csv" if same else "params.json", "missing-folder": "gone/params.json"}.get(params_into)
        if params:
            argv += ["--params-out", params]
        code, _ = check_contract(folder, snapshot(folder), argv, {"sim.csv", "params.json"}, ".")
        if params_into == "missing-folder":  # all or nothing: no CSV without its parameters
            assert code == 2 and not (folder / "sim.csv").exists() or existing


LEDGER_DAMAGE = {  # what can happen to one file of an evidence folder, beyond an export's damage (RAW_DAMAGE)
    **RAW_DAMAGE,
    "emptied": lambda b: b"",
    "header only": lambda b: b.split(b"\n", 1)[0] + b"\n",
    "binary": lambda b: bytes(range(256)) * 4,
}


@contract(30)
@given(
    target=st.sampled_from(["audit.csv", "evidence/claims.csv", "evidence", "", "nowhere/a.csv"]),
    evidence=st.sampled_from(["copy", "missing", "file", "empty", "damaged", "damaged", "damaged"]),
    ledger_file=st.sampled_from(
        ["sources.csv", "claims.csv", "metrics.csv", "tier_definitions.csv", "audit_checks.csv"]
    ),
    damage=st.sampled_from(sorted(LEDGER_DAMAGE)),
)
def test_audit_keeps_the_contract(target, evidence, ledger_file, damage):
    with scratch() as folder:
        if evidence in ("copy", "damaged"):
            shutil.copytree(paths.evidence_dir(), folder / "evidence")
        if evidence == "damaged":
            damaged = folder / "evidence" / ledger_file
            damaged.write_bytes(LEDGER_DAMAGE[damage](damaged.read_bytes()))
        elif evidence == "file":
            (folder / "evidence").write_text("not a folder")
        elif evidence == "empty":
            (folder / "evidence").mkdir()
        argv = ["audit", "--evidence", "evidence", "--out", target]
        check_contract(folder, snapshot(folder), argv, {"audit.csv"}, ".")


# ---- Bounded work (issue 28, round 3): generated long first lines, compressed files over a cap, long values

# pieces a crafted first line repeats: runs of quotes and delimiters (csv.Sniffer's regular expressions backtrack on
# them), letters, spaces, and line ends inside quotes
line_piece = st.text(st.sampled_from(list(",;\t|\"' ax1\r")), min_size=1, max_size=6)


@contract(30)
@given(
    piece=line_piece,
    repeats=st.integers(min_value=1_000, max_value=40_000),
    header_first=st.booleans(),
    kind=st.sampled_from(["csv", "gzip"]),
)
def test_a_long_first_line_is_read_in_a_bounded_scan(piece, repeats, header_first, kind):
    """A first line of up to a few hundred KiB, the header's names before it or not: the contract holds, csv.Sniffer
    is never used, and the delimiter detector is given at most HEAD_BYTES characters."""
    given: list[int] = []
    real = schema.detect_delimiter

    def measured(sample: str) -> str:
        given.append(len(sample))
        return real(sample)

    def refused(*args, **kwargs):
        raise AssertionError("csv.Sniffer was used")

    first = ("influencer_id,followers,cost,revenue," if header_first else "") + piece * repeats
    rows = SAMPLE.iloc[:30][["influencer_id", "followers", "cost", "revenue"]].to_csv(index=False).split("\n", 1)[1]
    data = (first + "\n" + rows).encode("utf-8")
    with scratch() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(csv, "Sniffer", refused)
        patch.setattr(schema, "detect_delimiter", measured)
        name = "long.csv.gz" if kind == "gzip" else "long.csv"
        (folder / name).write_bytes(gzip.compress(data, compresslevel=1) if kind == "gzip" else data)
        check_contract(folder, snapshot(folder), ["analyze", name, "--out", "o"], OWN_NAMES["analyze"], "o")
    assert all(n <= schema.HEAD_BYTES for n in given)


def _compressed(data: bytes, suffix: str) -> bytes:
    if suffix == ".zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("campaigns.csv", data)
        return buffer.getvalue()
    return {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix](data)


@contract(30)
@given(
    suffix=st.sampled_from([".gz", ".bz2", ".xz", ".zip"]),
    copies=st.integers(min_value=1, max_value=100),
    option=st.sampled_from(["--max-bytes", "--max-rows"]),
    share=st.floats(min_value=0.0, max_value=1.5),
)
def test_a_compressed_file_over_a_small_cap_is_stopped_at_it(suffix, copies, option, share):
    """A compressed campaign file of up to 100 copies of 40 rows (up to about 150 KB of text), under a cap drawn
    as a share of its size (bytes or rows: about two cases in three over the cap, the rest analysed whole): the
    contract holds; a file over the cap is refused naming the option, and no stream of it gave more than the cap and
    one byte (--max-bytes)."""
    rows = SAMPLE.iloc[:40][["influencer_id", "followers", "cost", "revenue"]].to_csv(index=False).split("\n", 1)
    text = (rows[0] + "\n" + rows[1] * copies).encode("utf-8")
    cap = max(1, int(share * (len(text) if option == "--max-bytes" else 40 * copies)))
    streams: list[schema.Counted] = []

    class Recorded(schema.Counted):
        def __init__(self, raw, limit: int) -> None:
            super().__init__(raw, limit)
            streams.append(self)

    with scratch() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr(schema, "Counted", Recorded)
        name = f"campaigns.csv{suffix}"
        (folder / name).write_bytes(_compressed(text, suffix))
        argv = ["analyze", name, "--out", "o", option, str(cap)]
        code, stderr = check_contract(folder, snapshot(folder), argv, OWN_NAMES["analyze"], "o")
    over = len(text) > cap if option == "--max-bytes" else 40 * copies > cap
    if over:
        assert code == 2 and option in stderr and f"at most {cap:,}" in stderr, stderr
    if option == "--max-bytes":
        assert all(s.consumed <= cap + 1 for s in streams)


long_value = st.builds(
    lambda piece, repeats: piece * repeats,
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=4),
    st.integers(min_value=100, max_value=3_000),
)


@contract(20)
@given(value=long_value, where=st.sampled_from(["header", "column", "strategy", "id", "out"]))
def test_a_long_value_echoed_back_makes_no_long_line(value, where):
    """A value of hundreds to thousands of characters where the command may echo it (a header, a --column, a
    --strategy, a campaign's id, the --out folder): every line it says, on stdout and stderr, is at most
    MAX_LINE characters (check_contract asserts it), whatever the outcome."""
    with scratch() as folder:
        frame = SAMPLE.iloc[:30][["influencer_id", "followers", "cost", "revenue"]].copy()
        if where == "header":
            frame = frame.rename(columns={"followers": value})
        if where == "id":
            frame["influencer_id"] = value
        frame.to_csv(folder / "campaigns.csv", index=False)
        if where == "strategy":
            argv = ["allocate", "--budget", "10000", "--draws", "100", "--worlds", "0", "--strategy", value]
            check_contract(folder, snapshot(folder), argv, set(), None)
            argv[-1] = "nano=0.5" + "0" * len(value) + ",micro=0.5"
            check_contract(folder, snapshot(folder), argv, set(), None)
            return
        # a name the filesystem takes (at most 255 bytes: 60 characters of up to four); longer ones: test_hostile_files
        out = value.replace("/", "_").replace("\x00", "_")[:60] if where == "out" else "o"
        argv = ["analyze", "campaigns.csv", "--out", out]
        if where == "column":
            argv += ["--column", f"followers={value}"]
        check_contract(folder, snapshot(folder), argv, OWN_NAMES["analyze"], out)


def test_the_generated_cases_reach_both_outcomes():
    """The strategies are not all refusals: a plain sample passes the same checks with exit status 0."""
    with scratch() as folder:
        source = write_table(SAMPLE.iloc[:40][["influencer_id", "followers", "cost", "revenue"]], "csv", folder)
        code, _ = check_contract(
            folder, snapshot(folder), ["analyze", source.name, "--out", "out"], OWN_NAMES["analyze"], "out"
        )
        assert code == 0


@pytest.mark.parametrize(
    "argv", [["analyze", "x.csv", "--out", ""], ["analyze", "", "--out", "o"], ["simulate", "--n", "5", "--out", ""]]
)
def test_empty_paths_are_refused(argv):
    with scratch() as folder:
        (folder / "x.csv").write_text("influencer_id,followers,cost,revenue\nA,1000,1,2\n")
        code, _, err = run(argv)
        assert code == 2 and "an empty path" in err
