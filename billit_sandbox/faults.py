"""Fault and load knobs: latency, error rates, rate limiting, dropped connections, timeouts, malformed bodies.

Two ways to ask for faults, both deterministic for a given seed and request order:
- rates (`error_rate`, `drop_rate`, ...) drawn from one seeded random generator;
- a `script`: a list of faults consumed one by one by the next matching requests, e.g.
  `{"fault": "500", "method": "POST", "path": "/v1/orders", "phase": "after"}`.
`phase` "after" lets the request do its work (the order is created) and then fails the answer: the case that
creates duplicates in real life. Writes only differ; a read failed "after" is the same as one failed "before".
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("500", "503", "429", "drop", "timeout", "malformed")


@dataclass
class Fault:
    kind: str
    phase: str = "before"  # "before" | "after"
    retry_after: int = 1
    timeout_s: float = 2.0


@dataclass
class FaultConfig:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 500
    rate_limit_per_s: float = 0.0  # 0 = no limit
    retry_after: int = 1
    drop_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_s: float = 2.0
    malformed_rate: float = 0.0
    phase: str = "before"  # phase for rate faults: "before", "after" or "random"
    seed: int = 0
    paths: list[str] = field(default_factory=lambda: ["/v1/"])
    script: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        config = cls(**data)
        if config.error_status not in (500, 502, 503, 504):
            raise ValueError("error_status must be 500, 502, 503 or 504")
        if config.phase not in ("before", "after", "random"):
            raise ValueError("phase must be 'before', 'after' or 'random'")
        for entry in config.script:
            if str(entry.get("fault")) not in FAULT_KINDS:
                raise ValueError(f"script fault must be one of {', '.join(FAULT_KINDS)}")
            if entry.get("phase", "before") not in ("before", "after"):
                raise ValueError("script phase must be 'before' or 'after'")
        return config

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class FaultPlan:
    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._script = [dict(entry) for entry in config.script]
            self._tokens = config.rate_limit_per_s
            self._refilled = time.monotonic()

    def latency(self) -> float:
        with self._lock:
            cfg = self.config
            if cfg.latency_ms <= 0 and cfg.jitter_ms <= 0:
                return 0.0
            jitter = self._random.uniform(0, cfg.jitter_ms) if cfg.jitter_ms > 0 else 0.0
            return (cfg.latency_ms + jitter) / 1000.0

    def pick(self, method: str, path: str) -> Fault | None:
        with self._lock:
            cfg = self.config
            if not any(path.startswith(prefix) for prefix in cfg.paths):
                return None
            for index, entry in enumerate(self._script):
                if entry.get("method") and entry["method"].upper() != method:
                    continue
                if entry.get("path") and not path.startswith(entry["path"]):
                    continue
                remaining = int(entry.get("count", 1)) - 1
                if remaining <= 0:
                    del self._script[index]
                else:
                    entry["count"] = remaining
                return Fault(
                    kind=str(entry["fault"]),
                    phase=entry.get("phase", "before"),
                    retry_after=int(entry.get("retry_after", cfg.retry_after)),
                    timeout_s=float(entry.get("timeout_s", cfg.timeout_s)),
                )
            if cfg.rate_limit_per_s > 0:
                now = time.monotonic()
                self._tokens = min(cfg.rate_limit_per_s, self._tokens + (now - self._refilled) * cfg.rate_limit_per_s)
                self._refilled = now
                if self._tokens < 1:
                    return Fault("429", retry_after=cfg.retry_after)
                self._tokens -= 1
            for kind, rate in (
                (str(cfg.error_status), cfg.error_rate),
                ("drop", cfg.drop_rate),
                ("timeout", cfg.timeout_rate),
                ("malformed", cfg.malformed_rate),
            ):
                if rate > 0 and self._random.random() < rate:
                    phase = cfg.phase
                    if phase == "random":
                        phase = self._random.choice(("before", "after"))
                    return Fault(kind, phase=phase, retry_after=cfg.retry_after, timeout_s=cfg.timeout_s)
            return None
