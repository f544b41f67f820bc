"""The book's real Instagram posts: the loader (duplicates, category mapping, flags), the figures its README states,
and the command reproducing the chapter's elasticity."""

import json
from pathlib import Path

import pandas as pd
import pytest
from commandline import run

from influencer_roi import instagram, real_posts

HEADER = (
    "account,followers,followees,account_posts,category,post,taken_at,is_video,likes,comments,caption_words,"
    "hashtags,sponsor_tag,ad_hashtag"
)


def write(tmp_path, rows: list[str]) -> Path:
    path = tmp_path / "posts.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_the_loader_drops_exact_duplicates_maps_categories_and_reads_flags(tmp_path):
    path = write(
        tmp_path,
        [
            "a1,5000,10,100,fasion,p1,2019-01-02,0,100,5,3,1,0,1",
            "a1,5000,10,100,fasion,p1,2019-01-02,0,100,5,3,1,0,1",  # an exact copy
            "a1,5000,10,100,fashion 0.5,p2,2018-06-30,0,0,0,3,1,1,0",  # no engagement at all
            "a2,80000,10,100,food,p3,2017-03-04,0,900,20,3,1,0,0",
        ],
    )
    posts = instagram.load_posts(path)
    assert list(posts["post_id"]) == ["p1", "p2", "p3"] and posts.attrs["dropped_duplicates"] == 1
    assert list(posts["category"]) == ["fashion", "fashion", "food"]
    assert list(posts["category_as_labelled"]) == ["fasion", "fashion 0.5", "food"]
    assert list(posts["sponsored"]) == [True, True, False]
    assert list(posts["year"]) == [2019, 2018, 2017]
    data = instagram.load(path)
    assert len(data) == 2 and data.attrs["dropped_zero_engagement"] == 1 and data.attrs["rows"] == 4


def test_a_bad_flag_is_named_with_its_line(tmp_path):
    path = write(tmp_path, ["a1,5000,10,100,food,p1,2019-01-02,0,100,5,3,1,2,0"])
    with pytest.raises(instagram.validation.ValidationError, match="line 2, column sponsor_tag: value '2'"):
        instagram.load_posts(path)


def test_the_real_file_holds_what_its_readme_says():
    posts = instagram.load_posts()
    readme = (instagram.path().parent / "README.md").read_text(encoding="utf-8")
    assert f"{posts.attrs['rows']:,} rows" in readme and f"{len(posts):,} distinct posts" in readme
    assert f"{posts.attrs['dropped_duplicates']} rows are exact duplicates" in readme
    assert f"{posts['account_id'].nunique():,} accounts" in readme
    assert set(posts["category"]) & set(instagram.CATEGORY_FIXES) == set()


@pytest.mark.slow
def test_the_command_reproduces_the_chapters_elasticity(tmp_path):
    # in-process (commandline.run): the estimate is the command's, whichever process runs it
    code, _, err = run(
        ["engagement", str(instagram.path()), *instagram.command_columns(), "--out", str(tmp_path / "out")]
    )
    assert code == 0, err
    record = json.loads((tmp_path / "out" / "results.json").read_text())
    slope = real_posts.engagement_slope()
    assert record["elasticity"]["engagement_rate"]["estimate"] == pytest.approx(slope["estimate"], abs=1e-12)
    assert record["elasticity"]["engagement_rate"]["ci_low"] == pytest.approx(slope["ci_low"], abs=1e-12)
    assert record["n_posts"] == slope["n_posts"]


def test_timing_sensitivity_uses_posts_near_the_snapshot():
    data = instagram.cached()
    table = real_posts.timing_sensitivity(data, months=(6,)).set_index("sample")
    assert table["posts"].iloc[0] == len(data) and table["posts"].iloc[1] < len(data)
    since = pd.Timestamp(table["since"].iloc[1])
    assert since == data["date"].max() - pd.DateOffset(months=6)
