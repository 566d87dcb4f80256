"""How the institutions' result notices stand, for `cycle status` (issue 13 item 3).

Apart from tasks/notices.py so that `cycle status` counts them without importing pandas or the renderers.
"""

from __future__ import annotations

from typing import Any

SENT, FAILED, POST = "sent", "failed", "post"  # notice_deliveries.status (store/notices.py)


def notice_counts(uow: Any, year: int) -> dict[str, int]:
    """The newest notice of each institution: delivered, failed after its retries, to be delivered by post."""
    counts = {"notices": 0, "delivered": 0, "failed": 0, "to_post": 0, "not_sent_yet": 0}
    for notice in uow.notices.notices(year):
        counts["notices"] += 1
        if notice.delivered:
            counts["delivered"] += 1
        elif notice.last_status == FAILED:
            counts["failed"] += 1
        elif notice.last_status == POST:
            counts["to_post"] += 1
        else:
            counts["not_sent_yet"] += 1
    return counts
