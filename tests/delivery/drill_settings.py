"""Settings for worker processes started by the crash drill and the Redis test: real Huey, short leases and waits."""

import os

from haulbill.settings import *  # noqa: F403

BILLIT_TIMEOUT_SECONDS = 1.0
BILLIT_RETRY_ATTEMPTS = 6
BILLIT_RETRY_BASE_DELAY = 0.02
BILLIT_RETRY_MAX_DELAY = 0.1
BILLIT_RETRY_MAX_TOTAL_WAIT = 10.0
BILLIT_CONCURRENCY = 8
PUSH_QUEUE_GRACE_SECONDS = 1
PUSH_LEASE_SECONDS = 30
PUSH_CHUNK_SIZE = int(os.environ.get("DRILL_CHUNK_SIZE", "25"))
