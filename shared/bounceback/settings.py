"""Runtime settings, read once per container from the environment the template sets."""

from __future__ import annotations

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, ValidationError


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str
    event_bus_name: str
    event_bus_arn: str
    schedule_group_name: str
    scheduler_role_arn: str
    scheduler_dead_letter_queue_arn: str
    sender_email: str
    connection_key_id: str
    stage: str = "dev"
    # A step's failed message comes back after base * 2^(n-1) seconds, at most the limit
    # (template parameters RetryBackoffSeconds, RetryBackoffLimitSeconds).
    retry_backoff_seconds: int = 30
    retry_backoff_limit_seconds: int = 3600
    # The dead-letter queues an operator sees and redrives (the API function's only):
    # {"<queue logical id>": {"url": ..., "back_to": "<queue url>" | "bus" | ""}}
    dead_letter_queues: str = "{}"


class SettingsError(RuntimeError):
    """A variable the template should have set is missing: a deployment error, not a user's."""


@cache
def settings() -> Settings:
    names = Settings.model_fields
    values = {name: os.environ.get(name.upper()) for name in names}
    try:
        return Settings.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as error:
        missing = ", ".join(str(e["loc"][0]).upper() for e in error.errors())
        raise SettingsError(f"missing environment variables: {missing}") from error
