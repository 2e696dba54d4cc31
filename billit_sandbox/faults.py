"""Fault and load knobs: latency, error rates, rate limiting, dropped connections, timeouts, malformed bodies.

Two ways to ask for faults, both deterministic for a given seed and request order:
- rates (`error_rate`, `throttle_rate`, `drop_rate`, `timeout_rate`, `malformed_rate`): one draw per request
  from a generator seeded with `seed` picks at most one fault, each kind with exactly its own rate (10 % 5xx and
  5 % 429 mean 10 % and 5 % of requests, not 5 % of what the 5xx left). Jitter has its own generator, so turning
  it on does not move the faults;
- a `script`: a list of faults consumed one by one by the next matching requests, e.g.
  `{"fault": "500", "method": "POST", "path": "/v1/orders", "phase": "after"}`.
`phase` "after" lets the request do its work (the order is created) and then fails the answer: the case that
creates duplicates in real life. Writes only differ; a read failed "after" is the same as one failed "before".
A 429 (from `throttle_rate` or `rate_limit_per_s`) is always "before": a throttled request does no work.
Settings are checked with the field named in the error, so a test or a demo that mistypes one learns why.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

FAULT_KINDS = ("500", "503", "429", "drop", "timeout", "malformed")
ERROR_STATUSES = (500, 502, 503, 504)
PHASES = ("before", "after", "random")
RATES = ("error_rate", "throttle_rate", "drop_rate", "timeout_rate", "malformed_rate")
_SCRIPT_KEYS = {"fault", "method", "path", "phase", "count", "retry_after", "timeout_s"}


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
    throttle_rate: float = 0.0  # share of requests answered 429 with Retry-After: retry_after
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
    def from_dict(cls, data: Any) -> FaultConfig:
        """Settings as JSON gives them (numbers may be int, float or Decimal); ValueError names the bad field."""
        if not isinstance(data, dict):
            raise ValueError("fault settings must be a JSON object")
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values: dict[str, Any] = {}
        for name, raw in data.items():
            kind = known[name].type
            if kind == "float":
                values[name] = _number(name, raw, upper=1.0 if name in RATES else None)
            elif kind == "int":
                values[name] = _whole(name, raw, lowest=None if name == "seed" else 0)
            elif kind == "str":
                if not isinstance(raw, str):
                    raise ValueError(f"{name} must be a string")
                values[name] = raw
            elif name == "paths":
                if not isinstance(raw, list) or not all(isinstance(p, str) and p.startswith("/") for p in raw):
                    raise ValueError('paths must be a list of path prefixes such as "/v1/orders"')
                values[name] = list(raw)
            else:
                values[name] = _script(raw)
        config = cls(**values)
        if config.error_status not in ERROR_STATUSES:
            raise ValueError(f"error_status must be one of {', '.join(map(str, ERROR_STATUSES))}")
        if config.phase not in PHASES:
            raise ValueError("phase must be 'before', 'after' or 'random'")
        total = sum(getattr(config, rate) for rate in RATES)
        if total > 1:
            raise ValueError(f"{' + '.join(RATES)} must not add up to more than 1 (got {total:g})")
        return config

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _number(name: str, raw: Any, *, upper: float | None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal)):
        raise ValueError(f"{name} must be a number, got {type(raw).__name__}")
    value = float(raw)
    if not math.isfinite(value) or value < 0 or (upper is not None and value > upper):
        bounds = f"between 0 and {upper:g}" if upper is not None else "zero or more"
        raise ValueError(f"{name} must be {bounds}, got {raw}")
    return value


def _whole(name: str, raw: Any, *, lowest: int | None) -> int:
    whole = not isinstance(raw, bool) and isinstance(raw, (int, float, Decimal)) and math.isfinite(raw)
    if not whole or raw != int(raw):
        raise ValueError(f"{name} must be a whole number, got {raw}")
    if lowest is not None and raw < lowest:
        raise ValueError(f"{name} must be {lowest} or more, got {raw}")
    return int(raw)


def _script(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise ValueError("script must be a list of faults")
    entries = []
    for index, entry in enumerate(raw):
        where = f"script[{index}]"
        if not isinstance(entry, dict):
            raise ValueError(f'{where} must be an object such as {{"fault": "500"}}')
        unknown = sorted(set(entry) - _SCRIPT_KEYS)
        if unknown:
            raise ValueError(f"{where} has unknown keys {', '.join(unknown)}; known: {', '.join(sorted(_SCRIPT_KEYS))}")
        if str(entry.get("fault")) not in FAULT_KINDS:
            raise ValueError(f"{where}.fault must be one of {', '.join(FAULT_KINDS)}")
        clean: dict[str, Any] = {"fault": str(entry["fault"]), "phase": entry.get("phase", "before")}
        if clean["phase"] not in ("before", "after"):
            raise ValueError(f"{where}.phase must be 'before' or 'after'")
        for key in ("method", "path"):
            if entry.get(key) is not None:
                if not isinstance(entry[key], str):
                    raise ValueError(f"{where}.{key} must be a string")
                clean[key] = entry[key]
        clean["count"] = _whole(f"{where}.count", entry.get("count", 1), lowest=1)
        if "retry_after" in entry:
            clean["retry_after"] = _whole(f"{where}.retry_after", entry["retry_after"], lowest=0)
        if "timeout_s" in entry:
            clean["timeout_s"] = _number(f"{where}.timeout_s", entry["timeout_s"], upper=None)
        entries.append(clean)
    return entries


class FaultPlan:
    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._jitter = random.Random(f"jitter:{config.seed}")
            self._script = [dict(entry) for entry in config.script]
            self._tokens = config.rate_limit_per_s
            self._refilled = time.monotonic()

    def latency(self) -> float:
        with self._lock:
            cfg = self.config
            if cfg.latency_ms <= 0 and cfg.jitter_ms <= 0:
                return 0.0
            jitter = self._jitter.uniform(0, cfg.jitter_ms) if cfg.jitter_ms > 0 else 0.0
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
                    phase="before" if entry["fault"] == "429" else entry.get("phase", "before"),
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
            if not any(getattr(cfg, rate) > 0 for rate in RATES):
                return None
            draw = self._random.random()
            for kind, rate in (
                (str(cfg.error_status), cfg.error_rate),
                ("429", cfg.throttle_rate),
                ("drop", cfg.drop_rate),
                ("timeout", cfg.timeout_rate),
                ("malformed", cfg.malformed_rate),
            ):
                if draw < rate:
                    phase = cfg.phase
                    if kind == "429":
                        phase = "before"
                    elif phase == "random":
                        phase = self._random.choice(("before", "after"))
                    return Fault(kind, phase=phase, retry_after=cfg.retry_after, timeout_s=cfg.timeout_s)
                draw -= rate
            return None
