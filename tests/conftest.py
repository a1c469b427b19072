"""Shared fixtures: the shipped sample data as a real file source."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.marketdata.files import FileSource, samples_dir

SAMPLES = samples_dir()


@pytest.fixture(scope="session")
def source() -> FileSource:
    """The shipped real market data (read once per test session)."""
    return FileSource(SAMPLES)


@pytest.fixture
def sample_path() -> Path:
    """The folder of shipped sample files."""
    return SAMPLES
