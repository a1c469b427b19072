"""Prometheus metrics of one app, in the app's own registry (never the global one, so several
apps in one process, as in the tests, do not clash).

| metric | type | labels | fed by |
|---|---|---|---|
| ``http_request_seconds`` | histogram | method, route, status | ``middleware.RequestContext`` |
| ``assistant_turn_seconds`` | histogram | provider, status | ``ChatService.respond`` (any channel) |
| ``tool_call_seconds`` | histogram | tool, outcome | tool calls of turns and of API routes |
| ``http_shed_total`` | counter | | ``shedding.LoadShedder``: requests refused with a fast 503 |
| ``alert_delivery_failures_total`` | counter | channel | ``LiveStats`` of the alert monitor |
| ``alert_stream_lag_seconds`` | gauge | | ``LiveStats``: no sample before a live event |
| ``alert_delivery_queue_depth`` | gauge | | ``LiveStats``: firings not yet delivered |
| ``process_*`` | | | ``prometheus_client.ProcessCollector`` |

Labels are bounded: ``route`` is the route template (``/api/levels/{symbol}``, ``unmatched`` for
404s), never the path; ``method`` is a standard method or ``other``; ``tool`` a registered tool
or ``unknown``. ``/health``, ``/ready`` and ``/metrics`` are not timed (probes and scrapes would
swamp the API's latencies).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from integrations.alerts.monitor import LiveStats
from tools import TOOLS

CONTENT_TYPE = CONTENT_TYPE_LATEST
"""The media type of ``Metrics.exposition()`` (Prometheus' text format)."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNTIMED = frozenset({"/health", "/ready", "/metrics"})
"""Route templates kept out of ``http_request_seconds`` (and logged at DEBUG only)."""
TURN_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)
TOOL_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _LiveCollector(Collector):
    """Reads the alert monitor's ``LiveStats`` at each scrape."""

    def __init__(self, live: LiveStats) -> None:
        self.live = live

    def collect(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "alert_stream_lag_seconds",
            "Seconds from the last live market event's time stamp to its arrival.",
        )
        if self.live.stream_lag_seconds is not None:
            lag.add_metric([], self.live.stream_lag_seconds)
        yield lag
        yield GaugeMetricFamily(
            "alert_delivery_queue_depth",
            "Alert firings recorded but not yet delivered.",
            value=self.live.queue_depth,
        )
        failures = CounterMetricFamily(
            "alert_delivery_failures",
            "Failed alert delivery attempts (each retry counts), by channel.",
            labels=["channel"],
        )
        for channel, count in sorted(self.live.failure_counts().items()):
            failures.add_metric([channel], count)
        yield failures


class Metrics:
    """The metrics of one app; an ``Observer`` of the chat service (``turn``, ``tool``)."""

    def __init__(self, live: LiveStats | None = None) -> None:
        self.registry = CollectorRegistry()
        self.live = live or LiveStats()
        """Written by the alert monitor (the live engine of ``whispr serve``), read at each scrape."""
        self.requests = Histogram(
            "http_request_seconds",
            "HTTP request duration (to the last byte sent), by route template.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.turns = Histogram(
            "assistant_turn_seconds",
            "Duration of one assistant turn (any channel), by provider and reply status.",
            ["provider", "status"],
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self.tools = Histogram(
            "tool_call_seconds",
            "Duration of one tool call (in a turn or from an API route).",
            ["tool", "outcome"],
            buckets=TOOL_BUCKETS,
            registry=self.registry,
        )
        self.shed = Counter(
            "http_shed",
            "API requests answered 503 at once because the server was at its in-flight limit.",
            registry=self.registry,
        )
        self.registry.register(_LiveCollector(self.live))
        ProcessCollector(registry=self.registry)

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Time one HTTP request (``route`` is the template; untimed routes are skipped)."""
        if route in UNTIMED:
            return
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).observe(seconds)

    def turn(self, provider: str, status: str, seconds: float) -> None:
        """Time one assistant turn."""
        self.turns.labels(provider, status).observe(seconds)

    def tool(self, name: str, outcome: str, seconds: float) -> None:
        """Time one tool call (a name the registry lacks counts as ``unknown``)."""
        self.tools.labels(name if name in TOOLS else "unknown", outcome).observe(seconds)

    def exposition(self) -> bytes:
        """Return every metric in the Prometheus text format (``CONTENT_TYPE``)."""
        return generate_latest(self.registry)
