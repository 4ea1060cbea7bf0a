"""Settings every test shares: no real AWS, no X-Ray, metrics under a test namespace."""

from __future__ import annotations

import os

# Set before any handler module is imported: Powertools reads these when its objects are made.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "bounceback")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "BouncebackTest")
os.environ.setdefault("POWERTOOLS_DEV", "false")
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
    os.environ.setdefault(name, "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

# Property tests assert behaviour, not speed: a busy machine must not fail them on a deadline.
from hypothesis import settings  # noqa: E402

settings.register_profile("bounceback", deadline=None)
settings.load_profile("bounceback")
