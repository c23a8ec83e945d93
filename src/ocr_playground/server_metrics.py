"""The server's own figures for Prometheus (``GET /metrics``): requests, jobs, ops, the queue, the
cache and the routing. Client telemetry is ``client_events``."""

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client import Counter as PromCounter


class ServerMetrics:
    """The server's own figures, in a registry per app so several apps can live in one process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "ocrp_http_request_duration_seconds",
            "HTTP request latency by route.",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.job_seconds = Histogram(
            "ocrp_job_duration_seconds",
            "Wall time of a job in its worker, by pipeline and outcome.",
            ["pipeline", "status"],
            registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
        )
        self.op_seconds = Histogram(
            "ocrp_op_duration_seconds",
            "Time spent in each step of a server job.",
            ["pipeline", "op"],
            registry=self.registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30),
        )
        self.queue_depth = Gauge("ocrp_queue_depth", "Jobs waiting for a worker.", registry=self.registry)
        self.running_jobs = Gauge("ocrp_running_jobs", "Jobs in a worker now.", registry=self.registry)
        self.cache_hits = PromCounter(
            "ocrp_cache_hits",
            "Requests answered from a finished or in-flight job, or a run item, with the same cache key.",
            ["kind"],
            registry=self.registry,
        )
        self.cache_misses = PromCounter(
            "ocrp_cache_misses", "Requests that had to start a new job.", registry=self.registry
        )
        self.routing = PromCounter(
            "ocrp_routing_decisions",
            "Preview routing decisions by backend.",
            ["backend"],
            registry=self.registry,
        )
        self.client_events = PromCounter(
            "ocrp_client_events",
            "Client telemetry events received, by type.",
            ["type"],
            registry=self.registry,
        )
