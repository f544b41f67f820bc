"""Users' campaign and post files: the formats accepted, and a corpus of bad files (tests/bad_inputs/campaigns,
tests/bad_inputs/posts) with the message each must produce. Every bad file: exit status 2, one message naming file,
line, column, value and rule, no traceback, the input untouched, no output left behind. The command runs
in-process (commandline.run); test_cli.py and test_faults.py run the real command, its exit statuses and its
process."""

import gzip
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from commandline import run

from influencer_roi import schema, validation

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "bad_inputs" / "campaigns"
POST_CORPUS = ROOT / "tests" / "bad_inputs" / "posts"
SAMPLE = ROOT / "data" / "synthetic" / "campaigns.csv"

EXPECTED = {
    "missing_column.csv": "missing required column(s) revenue",
    "empty.csv": "the file is empty",
    "header_only.csv": "the file has a header but no rows",
    "non_numeric.csv": "non_numeric.csv, line 4, column cost: value 'about 240' breaks rule: must be an amount such as",
    "zero_followers.csv": "zero_followers.csv, line 6, column followers: value '0' breaks rule: must be at least 1",
    "negative_cost.csv": "negative_cost.csv, line 3, column cost: value '-3.5' breaks rule: must be at least 0.01",
    "fractional_followers.csv": "line 8, column followers: value '1234.5' breaks rule: must be a whole number",
    "missing_value.csv": "missing_value.csv, line 5, column revenue: value blank",
    "spreadsheet_as.csv": "most likely an .xlsx spreadsheet; export the sheet as CSV",
    "xls_as.csv": "this is an .xls spreadsheet, not a CSV file",
    "binary_as.csv": "this is a binary file (it contains NUL bytes)",
    "too_few.csv": "too_few.csv: 19 campaign(s) with revenue; the models need at least 20",
    # non-finite and overflowing numbers
    "infinite_revenue.csv": "line 6, column revenue: value 'inf' breaks rule: must be an amount such as",
    "overflowing_revenue.csv": "line 8, column revenue: value '1e400' breaks rule: must be a finite number",
    "followers_past_int64.csv": "line 4, column followers: value '9223372036854775808' breaks rule: must be at "
    "most 10,000,000,000",
    "unicode_digits.csv": "line 5, column followers: value '١٢٣٤' breaks rule: must be a number such as",
    # missing-value markers quoted as written, not as "blank"
    "na_marker.csv": "na_marker.csv, line 9, column revenue: value 'N/A' breaks rule: must not be missing",
    # headers: two columns that would both be followers
    "duplicate_header.csv": "columns 4 ('followers') and 7 ('Followers') would both be followers",
    # real exports: one currency throughout; a decimal comma is not a thousands separator
    "mixed_currency.csv": "amounts in more than one currency ('$' in 1 value(s), first at line 3; '€' in 1 "
    "value(s), first at line 10)",
    "decimal_comma.csv": "decimal_comma.csv, line 7, column cost: value '1.234,56' breaks rule: must be an amount",
    # physical lines: a blank line and a value over two lines before the bad one
    "line_numbers.csv": "line_numbers.csv, line 9, column followers: value 'abc' breaks rule",
    "ragged_row.csv": "ragged_row.csv, line 7: 7 value(s) where the header has 6 columns",
    "not_utf8.csv": "not_utf8.csv, line 4: is not UTF-8 text; save the file as 'CSV UTF-8'",
    "utf16.csv": "this is UTF-16 text (Excel's 'Unicode text'); save it as 'CSV UTF-8' instead",
    # degenerate data: refused with the reason
    "same_followers.csv": "every campaign with revenue has the same follower count (25,000)",
    # one campaign_id repeated exactly 30 times: the repeats are dropped and counted, one campaign is left
    "one_row_repeated.csv": "1 campaign(s) with revenue (29 row(s) that repeated a campaign exactly dropped)",
    # a European export: 1.200 could be 1200 or 1.2, and no other amount says which
    "euro_thousands_dot.csv": "euro_thousands_dot.csv, line 7, column revenue: value '€1.200' breaks rule: "
    "ambiguous: one dot then three digits (1.200) could be one thousand two hundred or one point two, and no other "
    "amount in the file shows which; say --thousands . or --decimal .",
    # one campaign and creator on two rows with different revenue: which is right cannot be told
    "conflicting_campaign_ids.csv": "conflicting_campaign_ids.csv, line 9 and line 32, columns campaign_id and "
    "influencer_id: values 'C0007' and 'I0111' break rule: (campaign_id, influencer_id) must name one row; these "
    "rows repeat it with different revenue",
    "revenue_equals_cost.csv": "every campaign with revenue has the same revenue per dollar (1)",
}


POST_EXPECTED = {
    "no_engagement_columns.csv": "a post file needs the column(s) likes + comments or engagements",
    "negative_likes.csv": "negative_likes.csv, line 3, column likes: value '-4' breaks rule: must be at least 0",
    "fractional_comments.csv": "line 4, column comments: value '2.5' breaks rule: must be a whole number",
    "bad_sponsored.csv": "line 4, column sponsored: value 'maybe' breaks rule: must be one of true/yes/1/false/no/0",
    "blank_account.csv": "blank_account.csv, line 3, column account_id: value blank",
    "units_in_followers.csv": "line 3, column followers: value '12 thousand' breaks rule: must be a number such as",
    "two_accounts.csv": "2 account(s) with engagement; the elasticity needs posts from at least 3 accounts",
    "same_followers.csv": "every post with engagement has the same follower count (5,000)",
    "na_likes.csv": "na_likes.csv, line 5, column likes: value 'N/A' breaks rule: must not be missing",
    "bad_abbreviation.csv": "line 6, column followers: value '1.2.3K' breaks rule: must be a number such as",
}

# Hostile but analysable: each file is accepted (exit 0), and what it needs said is said.
ACCEPTED = ROOT / "tests" / "bad_inputs" / "accepted"
ACCEPTED_EXPECTED = {  # file: (command, text in the terminal output, check on results.json)
    "export_abbreviated.csv": (
        "analyze",
        "abbreviated followers value(s) (such as",
        lambda r: (
            r["input_formats"]["followers"]["abbreviated"] > 0
            and r["currency"] == "$"
            and r["input_formats"]["cost"]["thousands_separators"] > 0
        ),
    ),
    "one_tier.csv": (
        "analyze",
        "The tiers could not be compared",
        lambda r: r["tier_contrasts"] == [] and any(n.startswith("tier_contrasts: not estimable") for n in r["notes"]),
    ),
    "two_follower_counts.csv": (
        "analyze",
        "campaigns",
        lambda r: any(n.startswith("curvature: not estimable") for n in r["notes"]),
    ),
    "giant_outlier.csv": ("analyze", "campaigns", lambda r: r["n_campaigns"] == 60),
    # every campaign_id repeated five times, exactly: analysed as 30 campaigns, the 120 repeats dropped and said
    "repeated_campaign_ids.csv": (
        "analyze",
        "30 campaigns (120 row(s) that repeated a campaign exactly dropped)",
        lambda r: r["n_campaigns"] == 30 and r["dropped_duplicates"] == 120,
    ),
    "three_accounts_one_post_each.csv": (
        "engagement",
        "3 posts by 3 accounts",
        lambda r: any(n.startswith("curvature: not estimable") for n in r["notes"]),
    ),
}


def analyze(path: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `influencer-roi analyze`, in-process (commandline.run): test_cli.py and
    test_faults.py run the real command, its exit statuses and its process."""
    return run(["analyze", str(path), "--out", str(out), *extra])


def test_the_corpora_are_complete():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)
    assert sorted(p.name for p in POST_CORPUS.iterdir()) == sorted(POST_EXPECTED)
    assert sorted(p.name for p in ACCEPTED.iterdir()) == sorted(ACCEPTED_EXPECTED)
    assert sorted(p.name for p in CORPUS.parent.iterdir()) == ["accepted", "campaigns", "posts"]


def refused_clearly(command: str, path: Path, expected: str, tmp_path: Path) -> None:
    """In-process (commandline.run); test_cli.py and test_faults.py run the real command."""
    before = path.read_bytes()
    out = tmp_path / "out"
    code, stdout, stderr = run([command, str(path), "--out", str(out)])
    assert code == 2, stdout + stderr
    assert expected in stderr, stderr
    assert "Traceback" not in stderr and len(stderr.strip().split("\n  ")[0].splitlines()) == 1
    assert path.read_bytes() == before and not out.exists()
    assert list(tmp_path.iterdir()) == []  # no staging folder either


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_campaign_file_is_refused_clearly(tmp_path, name):
    refused_clearly("analyze", CORPUS / name, EXPECTED[name], tmp_path)


@pytest.mark.parametrize("name", sorted(POST_EXPECTED))
def test_bad_post_file_is_refused_clearly(tmp_path, name):
    refused_clearly("engagement", POST_CORPUS / name, POST_EXPECTED[name], tmp_path)


@pytest.mark.parametrize("name", sorted(ACCEPTED_EXPECTED))
def test_hostile_but_analysable_files_are_accepted_and_say_what_they_need_to(tmp_path, name):
    command, said, check = ACCEPTED_EXPECTED[name]
    path = ACCEPTED / name
    before = path.read_bytes()
    # in-process (commandline.run): a library warning not turned into a note would be summarised on stderr by
    # cli.main ("note: a library warned (...Warning: ...)"), as the real command prints it
    code, stdout, stderr = run([command, str(path), "--out", str(tmp_path / "out")])
    assert code == 0, stderr
    assert said in stdout + stderr and "Traceback" not in stderr
    assert "Warning" not in stderr  # statsmodels' warnings become notes in the results, never raw
    record = json.loads((tmp_path / "out" / "results.json").read_text(), parse_constant=float.fromhex)
    assert check(record), record.get("notes")
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["spreadsheet_as.csv", "xls_as.csv", "binary_as.csv", "empty.csv"])
def test_files_that_are_not_tables_are_refused_as_post_files_too(tmp_path, name):
    refused_clearly("engagement", CORPUS / name, EXPECTED[name], tmp_path)


def test_unknown_column_mapping_and_an_output_with_nowhere_to_go(tmp_path):
    code, _, stderr = analyze(SAMPLE, tmp_path / "o", "--column", "likes=Likes")
    assert code == 2 and "'likes' is not a column this analysis uses" in stderr
    code, _, stderr = analyze(SAMPLE, tmp_path / "o", "--column", "followers=Follower Count")
    assert code == 2 and "which the file does not have" in stderr
    not_a_folder = tmp_path / "a_file"
    not_a_folder.write_text("x")
    code, _, stderr = analyze(SAMPLE, not_a_folder / "out")  # the output's parent is a file: nowhere to write
    assert code == 2 and "does not exist" in stderr and "Traceback" not in stderr


def semicolon_renamed(tmp_path: Path) -> Path:
    frame = pd.read_csv(SAMPLE, dtype=str, nrows=300).rename(columns={"followers": "Follower Count"})
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False, sep=";")
    return path


def test_delimiter_is_sniffed_and_headers_mapped(tmp_path):
    path = semicolon_renamed(tmp_path)
    frame = schema.load_campaigns(path, schema.parse_column_map(["followers=Follower Count"], schema.CAMPAIGNS.known))
    assert len(frame) == 300 and frame["followers"].dtype == "int64"


def other_formats(source: Path, tmp_path: Path) -> list[Path]:
    """The same table as gzip-compressed CSV and as Parquet."""
    gz = tmp_path / (source.name + ".gz")
    with open(source, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    parquet = tmp_path / (source.stem + ".parquet")
    pd.read_csv(source).to_parquet(parquet)
    return [gz, parquet]


@pytest.mark.parametrize(
    "load, source, total",
    [
        (schema.load_campaigns, SAMPLE, "revenue"),
        (schema.load_posts, ROOT / "data" / "synthetic" / "posts.csv", "engagements"),
    ],
)
def test_compressed_csv_and_parquet_are_read(tmp_path, load, source, total):
    plain = load(source)
    for path in other_formats(source, tmp_path):
        frame = load(path)
        assert len(frame) == len(plain)
        assert frame[total].sum() == pytest.approx(plain[total].sum())


def test_drop_invalid_drops_and_reports(tmp_path):
    out = tmp_path / "out"
    frame = pd.read_csv(SAMPLE, dtype=str, nrows=60)
    frame.loc[3, "cost"] = "lots"
    frame.to_csv(tmp_path / "export.csv", index=False)
    code, _, stderr = analyze(tmp_path / "export.csv", out, "--drop-invalid")
    assert code == 0, stderr
    assert "dropped 1 of 60 row(s) (1.7%)" in stderr and "column cost: must be an amount" in stderr
    assert json.loads((out / "results.json").read_text())["n_campaigns"] == 59


def test_post_files_likes_and_comments_or_engagements(tmp_path):
    both = tmp_path / "posts.csv"
    both.write_text("handle,followers,likes,comments,sponsored\nA1,1200,40,2,Yes\nA2,56000,900,10,0\n")
    frame = schema.load_posts(both, schema.parse_column_map(["account_id=handle"], schema.POSTS.known))
    assert frame["engagements"].tolist() == [42, 910] and frame["sponsored"].tolist() == [True, False]
    own = tmp_path / "own.csv"
    own.write_text("account_id,followers,likes,comments,engagements\nA1,1200,40,2,50\n")
    assert schema.load_posts(own)["engagements"].tolist() == [50]  # the file's own count wins


def test_post_drop_invalid_drops_and_reports(tmp_path):
    out = tmp_path / "out"
    path = tmp_path / "posts.csv"
    rows = [f"A{i},{1000 * (i + 1)},{40 + i},{i % 5}" for i in range(30)] + ["A99,5000,-1,2"]
    path.write_text("account_id,followers,likes,comments\n" + "\n".join(rows) + "\n")
    code, stdout, stderr = run(["engagement", str(path), "--out", str(out), "--drop-invalid"])
    assert code == 0, stderr
    assert "dropped 1 of 31 row(s)" in stderr and "column likes: must be at least 0" in stderr
    assert "30 posts by 30 accounts" in stdout


def uneven_drops(tmp_path: Path) -> Path:
    """The sample with the cost of every account above 300,000 followers exported as 'n/a': 7% of the rows, but
    nearly half of macro and all of mega."""
    frame = pd.read_csv(SAMPLE, dtype=str)
    frame.loc[frame["followers"].astype(int) >= 300_000, "cost"] = "n/a"
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    return path


def test_drop_invalid_reports_the_share_by_tier_and_warns_on_the_terminal_and_the_first_screen(tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = run(["analyze", str(uneven_drops(tmp_path)), "--out", str(out), "--drop-invalid"])
    assert code == 0, stderr
    assert "dropped 217 of 3,000 row(s) (7.2%); by tier: nano 0.0% (0 of 1,914)" in stderr
    assert "mega 100.0% (88 of 88)" in stderr
    assert "warning: 7.2% of the rows were dropped, more than 5.0%" in stderr
    assert "warning: the share dropped differs by tier" in stderr and "mega 100.0%" in stderr
    record = json.loads((out / "results.json").read_text())
    assert record["drop_invalid"]["by_tier"]["mega"] == {"rows": 88, "dropped": 88, "share": 1.0}
    page = (out / "report.html").read_text()
    first_screen = page[: page.index("<figure")]
    assert 'class="warning"' in first_screen and "differs by tier" in first_screen


def test_drop_invalid_refuses_above_the_stated_share_unless_raised(tmp_path):
    frame = pd.read_csv(SAMPLE, dtype=str)
    frame.loc[frame.index % 5 == 0, "revenue"] = "N/A"  # a fifth of the rows
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    code, _, stderr = run(["analyze", str(path), "--out", str(tmp_path / "out"), "--drop-invalid"])
    assert code == 2 and "would drop 600 of 3,000 rows (20.0%), more than --max-drop-share allows (10.0%)" in stderr
    assert "The first: line 2, column revenue: value 'N/A' breaks rule: must not be missing" in stderr
    assert not (tmp_path / "out").exists()
    code, _, stderr = run(
        ["analyze", str(path), "--out", str(tmp_path / "out"), "--drop-invalid", "--max-drop-share", "0.25"]
    )
    assert code == 0 and "warning: 20.0% of the rows were dropped" in stderr


def test_an_export_with_abbreviated_counts_loses_no_row_to_drop_invalid(tmp_path):
    """The issue's export: every account above 10k written '353.1K'. Read, not dropped, and the slope is the
    one of the exact counts."""
    exact = pd.read_csv(SAMPLE, dtype=str)
    export = exact.copy()
    big = exact["followers"].astype(int) >= 10_000
    export.loc[big, "followers"] = (exact.loc[big, "followers"].astype(int) / 1000).round(1).astype(str) + "K"
    export.to_csv(tmp_path / "export.csv", index=False)
    exact.to_csv(tmp_path / "exact.csv", index=False)
    code, _, stderr = run(["analyze", str(tmp_path / "export.csv"), "--out", str(tmp_path / "a"), "--drop-invalid"])
    assert code == 0 and "dropped 0" not in stderr and "abbreviated followers value(s)" in stderr
    assert run(["analyze", str(tmp_path / "exact.csv"), "--out", str(tmp_path / "b")])[0] == 0
    rounded, truth = (json.loads((tmp_path / d / "results.json").read_text()) for d in "ab")
    assert rounded["drop_invalid"]["dropped"] == 0 and rounded["n_campaigns"] == 3000
    assert rounded["elasticity"]["roi"]["estimate"] == pytest.approx(truth["elasticity"]["roi"]["estimate"], abs=2e-3)
    assert rounded["input_formats"]["followers"]["abbreviated"] == int(big.sum())


def test_identifiers_that_differ_only_by_surrounding_spaces_are_one_account(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text(
        "account_id,followers,likes,comments\nA1,1200,40,2\n A1 ,1200,38,1\nA2,56000,900,10\n"
        "A3,810000,5000,120\nA4,3000,80,3\n"
    )
    frame = schema.load_posts(path)
    assert frame["account_id"].nunique() == 4 and frame["account_id"].tolist()[1] == "A1"


def test_counts_and_amounts_as_exported_are_read_exactly(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        'influencer_id,followers,cost,revenue\nA,353.1K,"$1,234.50","$12,000"\nB,"12,345",$80,$0\n'
        "C,2B,$5,$6\nD,1.2m,$5,$6\n"
    )
    frame = schema.load_campaigns(path)
    assert frame["followers"].tolist() == [353_100, 12_345, 2_000_000_000, 1_200_000]
    assert frame["cost"].tolist() == [1234.5, 80.0, 5.0, 5.0] and frame["revenue"].tolist()[:2] == [12000.0, 0.0]
    formats = frame.attrs["formats"]
    assert formats["followers"]["abbreviated"] == 3 and formats["followers"]["thousands_separators"] == 1
    assert formats["followers"]["rounding_max"] == pytest.approx(0.25)  # 2B is 1.5B to 2.5B
    assert formats["followers"]["rounding_max_value"] == "2B" and frame.attrs["currency"] == "$"


@pytest.mark.parametrize("value", ["0,034", "0,500", "00,345", "012,345"])
def test_a_decimal_comma_is_refused_not_read_as_thousands(tmp_path, value):
    """A comma after a leading zero is never a thousands separator: a European export's '0,034' must not become 34."""
    path = tmp_path / "decimal.csv"
    path.write_text(f'influencer_id,followers,cost,revenue\nA,1200,"{value}",10\nB,56000,80,100\nC,810000,900,1000\n')
    with pytest.raises(schema.InputError, match=rf"line 2, column cost: value '{value}'"):
        schema.load_campaigns(path)


def test_a_european_export_is_read_exactly_when_its_convention_is_stated(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        'influencer_id,followers,cost,revenue\nA,"1.200","€1.234,56","€1.200"\nB,"12.345.678","€0,034","€80"\n'
        'C,"353,1K","€5","€6,5"\n'
    )
    with pytest.raises(schema.InputError, match="ambiguous"):
        schema.load_campaigns(path)
    for decimal, thousands in ((",", None), (None, "."), (",", ".")):
        frame = schema.load_campaigns(path, convention=validation.Convention.from_options(decimal, thousands))
        assert frame["followers"].tolist() == [1_200, 12_345_678, 353_100]
        assert frame["cost"].tolist() == [1234.56, 0.034, 5.0] and frame["revenue"].tolist() == [1200.0, 80.0, 6.5]
    with pytest.raises(ValueError, match="one mark cannot be both"):
        validation.Convention.from_options(".", ".")


@pytest.mark.parametrize(
    "revenue, other, read",
    [
        ("€1.200", "€80.50", 1.2),  # another amount has a decimal point: the dot is one
        ("$1,200", "$80.50", 1200.0),  # ... so a comma is a thousands separator
        ("1,200", "1,234,567", 1200.0),  # two comma groups: the comma groups thousands
        ("1.200", "1,234.5", 1.2),
        ("€1.200", "€1.234,56", None),  # the other amount shows another convention: refused, not read
        ("1,200", "0,5", None),
        ("€1.200", "€80", None),  # nothing shows which
        ("0.500", "80", 0.5),  # a leading 0 is no thousands group
        ("1234.500", "80", 1234.5),  # nor are four digits
    ],
)
def test_a_value_that_could_be_read_two_ways_is_read_only_when_the_file_shows_how(tmp_path, revenue, other, read):
    path = tmp_path / "export.csv"
    path.write_text(f'influencer_id,followers,cost,revenue\nA,1200,"{other}","{revenue}"\nB,5000,8,9\n')
    if read is None:
        with pytest.raises(
            schema.InputError,
            match=rf"line 2, column revenue: value '{re.escape(revenue)}' breaks "
            "rule: ambiguous",
        ):
            schema.load_campaigns(path)
    else:
        assert schema.load_campaigns(path)["revenue"].tolist()[0] == read


def test_a_follower_count_with_a_dot_group_is_ambiguous_and_a_comma_group_is_not(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text('influencer_id,followers,cost,revenue\nA,2.000,8,9\nB,"12,345",8,9\n')
    with pytest.raises(schema.InputError, match="line 2, column followers: value '2.000' breaks rule: ambiguous"):
        schema.load_campaigns(path)
    path.write_text('influencer_id,followers,cost,revenue\nA,2000,8,9\nB,"12,345",8,9\n')
    assert schema.load_campaigns(path)["followers"].tolist() == [2000, 12_345]


def test_a_campaign_with_several_creators_is_kept_and_exact_repeats_are_counted(tmp_path):
    path = tmp_path / "campaigns.csv"
    path.write_text(
        "campaign_id,influencer_id,followers,cost,revenue\nC1,A,1200,8,9\nC1,B,5000,8,9\nC1,A,1200,8.00,9\n"
        ",A,1200,8,9\n,A,1200,8,9\n"
    )
    frame = schema.load_campaigns(path)
    assert len(frame) == 4 and frame.attrs["dropped_duplicates"] == 1 and "campaign_id" not in frame.columns


def test_the_options_state_the_convention_on_the_command_line(tmp_path):
    path = tmp_path / "export.csv"
    frame = pd.read_csv(SAMPLE, dtype=str, nrows=60)
    euro = frame.assign(
        cost=frame["cost"]
        .astype(float)
        .map(lambda v: f"€{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")),
        revenue=frame["revenue"]
        .astype(float)
        .map(lambda v: f"{v:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")),
    )
    euro.to_csv(path, index=False, sep=";")
    frame.to_csv(tmp_path / "plain.csv", index=False)
    code, _, stderr = run(["analyze", str(path), "--out", str(tmp_path / "a")])
    assert code == 2 and "breaks rule: must be an amount" in stderr
    code, _, stderr = run(["analyze", str(path), "--out", str(tmp_path / "a"), "--decimal", ","])
    assert code == 0, stderr
    assert "numbers read with decimal mark ',', thousands separator '.'" in stderr
    assert run(["analyze", str(tmp_path / "plain.csv"), "--out", str(tmp_path / "b")])[0] == 0
    stated, plain = (json.loads((tmp_path / d / "results.json").read_text()) for d in "ab")
    assert stated["elasticity"] == plain["elasticity"]
    assert stated["number_convention"] == {"decimal": ",", "thousands": ".", "stated": True}
    code, _, stderr = run(["analyze", str(path), "--out", str(tmp_path / "c"), "--decimal", ",", "--thousands", ","])
    assert code == 2 and "one mark cannot be both" in stderr and "Traceback" not in stderr
