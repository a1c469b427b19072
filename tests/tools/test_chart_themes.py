"""Chart PNGs come in the light palette (Slack, Discord, files) and the dark one (the web
page): checked on the image's pixels, and through the chat service per channel."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd

from tools.charts import THEMES, equity_chart, levels_chart


def _corner(png: bytes) -> np.ndarray:
    """Return the RGB of the image's top-left pixel (0..1)."""
    return mpimg.imread(io.BytesIO(png), format="png")[0, 0, :3]


def _hex(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def _bars() -> pd.DataFrame:
    index = pd.date_range("2026-02-12 09:30", periods=30, freq="5min", tz="America/New_York")
    close = 680 + np.sin(np.arange(30) / 4)
    return pd.DataFrame(
        {"open": close, "high": close + 0.5, "low": close - 0.5, "close": close}, index=index
    )


def test_levels_and_equity_charts_have_the_asked_background():
    levels = {"0": 680.0, "+0.236": 681.5, "-0.236": 678.5}
    equity = pd.Series(np.linspace(1e5, 1.02e5, 30), index=_bars().index)
    for png in (levels_chart(_bars(), levels, "t", "dark"), equity_chart(equity, "t", "dark")):
        assert np.allclose(_corner(png), _hex(THEMES["dark"]["bg"]), atol=0.01)
    for png in (levels_chart(_bars(), levels, "t"), equity_chart(equity, "t", "nonsense")):
        assert np.allclose(_corner(png), [1, 1, 1], atol=0.01)  # light: white


def test_the_web_channel_gets_dark_charts_and_slack_light(tmp_path: Path):
    from tests.channels.conftest import make_world

    world = make_world(tmp_path)
    alice = world.user("alice")
    for channel, colour in (("web", _hex(THEMES["dark"]["bg"])), ("slack", np.ones(3))):
        reply = world.service.respond(alice, channel, "chart SPY levels for June 12, 2019", channel)
        (image,) = [p for p in reply.pieces if p.kind == "image"]
        png = Path(image.path).read_bytes()
        assert np.allclose(_corner(png), colour, atol=0.01), channel
