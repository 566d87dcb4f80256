"""Words and file names that the read-only commands print or look up, without the rendering stack.

`credit cycle status`, `credit objection list` and `credit letters` need these and nothing else of
reports/lifecycle.py, which imports pandas, openpyxl and Jinja2 (issue 14: interactive commands load none).
"""

from __future__ import annotations

# 第十九条 复核意见: the three outcomes, as `credit objection decide --decision` names them.
DECISIONS = {
    "rejected": ("维持", "异议不成立，维持原评价结果"),
    "partly_upheld": ("部分采纳", "异议部分成立，予以部分采纳"),
    "upheld": ("采纳", "异议成立，予以采纳"),
}
# the share package's file names are these constants, never built from data.
RESULTS_CSV, RESULTS_JSON = "results.csv", "results.json"
CHANGES_CSV, CHANGES_JSON = "changes.csv", "changes.json"
COVER_LETTER, MANIFEST = "cover_letter.html", "manifest.json"
