"""Small UTF-8 CSV files typed in by staff (roster, inspections, complaints): read as stripped text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_text_csv(path: Path, required: tuple[str, ...], error: type[Exception], missing_label: str = "") -> pd.DataFrame:
    """Every cell as text (empty = ""), header names stripped; `error` names the file when it is absent,
    not UTF-8 CSV, or lacks a required column. `missing_label` goes before the path of an absent file."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{missing_label}{path}：文件不存在")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise error(f"{path.name}：无法按 UTF-8 编码的 CSV 文件读取（{exc}）") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise error(f"{path.name}：缺少列 {', '.join(missing)}")
    return frame
