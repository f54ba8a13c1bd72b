"""The date a report shows: today, or the day of SOURCE_DATE_EPOCH (reproducible builds)."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from civicpulse_report.pipeline.stages import report_date


def test_without_source_date_epoch_a_report_shows_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert report_date() == dt.date.today().isoformat()


@pytest.mark.parametrize(
    ("epoch", "day"),
    [("1767225600", "2026-01-01"), ("1767311999", "2026-01-01"), ("0", "1970-01-01")],
)
def test_source_date_epoch_fixes_the_date_on_any_day(
    monkeypatch: pytest.MonkeyPatch, epoch: str, day: str
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)  # 1767311999 = 2026-01-01 23:59:59 UTC
    assert report_date() == day


def test_a_source_date_epoch_that_is_not_seconds_is_ignored_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "2026-01-01")
    with caplog.at_level(logging.WARNING):
        assert report_date() == dt.date.today().isoformat()
    assert "SOURCE_DATE_EPOCH='2026-01-01' is not a Unix time" in caplog.text
