"""Numbers the whole package shares, in one place: the book's follower range, its reference account, the
confidence level of its intervals, the loss threshold of a budget, the percentiles that summarise a spread, how
much of a user's file is read. (Standard library only: the command imports it at start-up.)"""

from __future__ import annotations

from statistics import NormalDist

# The book's follower range: tiers start at 1,000 followers (the canonical nano tier) and the open mega tier is
# read up to ten million where a finite end is needed (the largest simulated account; the old rule for open ranges).
FOLLOWER_FLOOR = 1_000.0
FOLLOWER_CAP = 10_000_000.0
# F_ref, the reference account: the geometric midpoint of the canonical micro tier (10k to 100k), rounded.
REFERENCE_FOLLOWERS = 31_623.0
# Every interval in the book is a 95% interval; Z95 is the normal quantile where a normal interval is meant.
ALPHA = 0.05  # so that CONFIDENCE is exactly 0.95 (1 - 0.95 is not exactly 0.05 in floating point)
CONFIDENCE = 1 - ALPHA
Z95 = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)
# Loss, in the allocation of a budget: revenue below BREAKEVEN times spend. 2 is a brand whose goods cost half their
# price (a 50% gross margin): revenue must pay for the goods as well as for the campaign. One definition for the
# chapter and the command.
BREAKEVEN = 2.0
# A spread of simulated outcomes (across campaigns, or across the evidence's worlds) is summarised by its 5th and
# 95th percentiles: 90% of draws inside. The level of return per dollar is uncertain over the same range.
SPREAD_LOW, SPREAD_HIGH = 0.05, 0.95
# How much of a user's file is read, at most (schema.Limits; --max-rows, --max-bytes raise them): the rows the
# benchmarks measured (ten million campaigns: about 22 s and 3 GB of memory for analyze), and the bytes of text, after
# decompression, of such a file with a few wide columns more. (A gzip expanding to thirty million rows once reached
# 5 GB of memory before Python gave up.)
MAX_INPUT_ROWS = 10_000_000
MAX_INPUT_BYTES = 4_000_000_000
