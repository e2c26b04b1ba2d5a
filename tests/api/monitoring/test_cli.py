"""The terminal commands: `python -m api.monitoring.review` and `python -m api.monitoring.retention`."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.monitoring import outcomes
from api.monitoring.ingest import IngestResult
from api.monitoring.models import MonitoredTurn, PrivacyAudit
from api.monitoring.retention import main as retention_main
from api.monitoring.review.__main__ import main as review_main
from api.settings import Settings, get_settings
from sportello.paths import REPO_ROOT
from tests.api.monitoring.rasa_events import Conversation


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The commands read the settings from the environment, like every process."""
    monkeypatch.setenv("SPORTELLO_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SPORTELLO_MONITORING_KEY", settings.monitoring_key.get_secret_value())
    monkeypatch.setenv("SPORTELLO_TRACKER_URL", settings.tracker_url)
    get_settings.cache_clear()
    return settings


def test_review_from_a_terminal(
    environment: Settings,
    store: Callable[..., IngestResult],
    session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    conversation = Conversation("rest-cli", at=datetime.now(timezone.utc) - timedelta(hours=2)).start()
    store(conversation.not_understood("posso pagare il veterinario?").not_understood("veterinario col welfare").events)
    assert review_main(["inbox"]) == 0
    out = capsys.readouterr().out
    assert "[2] «" in out and "not_understood 2" in out
    ids = [turn.id for turn in session.scalars(select(MonitoredTurn))]
    kb = tmp_path / "kb"
    shutil.copytree(REPO_ROOT / "knowledge_base", kb)
    turns = ",".join(map(str, ids))
    new_topic = ["new-topic", "--turns", turns, "--title", "Veterinario", "--by", "anna", "--kb-dir", str(kb)]
    assert review_main(new_topic) == 0
    assert "bozza_veterinario" in capsys.readouterr().out
    assert review_main(["dismiss", "--turns", turns]) == 1  # nothing left to review
    assert "Nessuno di questi messaggi" in capsys.readouterr().err
    session.expire_all()
    assert {t.review for t in session.scalars(select(MonitoredTurn))} == {outcomes.NEW_TOPIC}


def test_purge_and_erase_from_a_terminal(
    environment: Settings, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    assert retention_main(["purge", "--by", "cron"]) == 0
    assert "tracker_events: 0 righe cancellate" in capsys.readouterr().out
    assert retention_main(["erase", "--ticket", "SW-2026-000404"]) == 1
    assert "Non trovo il ticket" in capsys.readouterr().err
    assert retention_main(["erase", "--conversation", "telegram:1", "--by", "anna"]) == 0
    assert [(a.action, a.actor) for a in session.scalars(select(PrivacyAudit).order_by(PrivacyAudit.id))] == [
        ("purge", "cron"),
        ("erasure", "anna"),
    ]
