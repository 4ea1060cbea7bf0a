"""Every key of the table, and the only place that spells one (docs/access-patterns.md).

One table with keys ``PK``/``SK`` and one overloaded index ``GSI1`` (``GSI1PK``/``GSI1SK``) that
means "a collection, newest first". A user's items share the partition ``USER#<sub>``; items
that belong to a rejection sort under its ``REJ#<id>``, so one Query on that prefix reads (or
deletes) a rejection with everything about it.

These strings are the stored data's layout: changing one makes existing items unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bounceback.ids import derived_id


@dataclass(frozen=True)
class Key:
    """The primary key of one item."""

    pk: str
    sk: str


def iso(moment: datetime) -> str:
    """A time as the table writes it in sort keys and bookkeeping: ISO 8601, UTC as ``Z``."""
    return moment.isoformat().replace("+00:00", "Z")


# ------------------------------------------------------------------ a user's partition
def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


PROFILE_SK = "PROFILE"
REJECTION_PREFIX = "REJ#"  # every rejection of a user, with what sorts under each


def profile(user_id: str) -> Key:
    return Key(user_pk(user_id), PROFILE_SK)


def rejection_sk(rejection_id: str) -> str:
    return f"{REJECTION_PREFIX}{rejection_id}"


def rejection(user_id: str, rejection_id: str) -> Key:
    return Key(user_pk(user_id), rejection_sk(rejection_id))


def feedback(user_id: str, rejection_id: str, feedback_id: str) -> Key:
    return Key(user_pk(user_id), f"{rejection_sk(rejection_id)}#FB#{feedback_id}")


def notification(user_id: str, rejection_id: str | None, notification_id: str) -> Key:
    # Notifications about a rejection sit under it, so deleting the rejection deletes them.
    if rejection_id:
        return Key(user_pk(user_id), f"{rejection_sk(rejection_id)}#NOTE#{notification_id}")
    return Key(user_pk(user_id), f"NOTE#{notification_id}")


def belongs_to_rejection(sk: str, rejection_id: str) -> bool:
    """The rejection's own item or one sorted under it (not ``REJ#<id>`` followed by more id)."""
    own = rejection_sk(rejection_id)
    return sk == own or sk.startswith(own + "#")


def delivery(user_id: str, rejection_id: str) -> Key:
    """The claim on a webhook delivery sits in the user's partition (gone with their account)
    and outlives the rejection, so a late retry after the user deleted it does not bring it
    back."""
    return Key(user_pk(user_id), f"WEBHOOK#{rejection_id}")


# ------------------------------------------------------------------ email ownership
EMAIL_SK = "EMAIL"


def email(address: str) -> Key:
    """Who owns an address: one user at most (webhooks find the user by it)."""
    return Key(f"EMAIL#{address.lower()}", EMAIL_SK)


def email_code(user_id: str, address: str) -> Key:
    """The code sent to prove an address, in the user's partition (gone with their account)."""
    return Key(user_pk(user_id), f"EMAILCODE#{address.lower()}")


# ------------------------------------------------------------------ connections
CONNECTION_SK = "CONN"


def connection(connection_id: str) -> Key:
    return Key(f"CONN#{connection_id}", CONNECTION_SK)


# ------------------------------------------------------------------ ATS lookups
LOOKUP_SK = "LOOKUP"


def ats_lookup(lookup_id: str) -> Key:
    """A verified delivery whose rejection must be read back from the ATS API: written once per
    delivery (its id is derived from the provider's de-duplication key), expired by TTL."""
    return Key(f"LOOKUP#{lookup_id}", LOOKUP_SK)


# ------------------------------------------------------------------ GSI1 collections
CONNECTIONS = "CONNECTIONS"  # every connection of the stage


def rejections_of(user_id: str) -> str:
    return f"{user_pk(user_id)}#REJECTIONS"


def feedback_of(user_id: str) -> str:
    return f"{user_pk(user_id)}#FEEDBACK"


def notifications_of(user_id: str) -> str:
    return f"{user_pk(user_id)}#NOTIFICATIONS"


def application(connection_id: str, application_key: str) -> str:
    """The rejections one job application produced (for withdrawals). Hashed: the key is the
    sender's text and must stay a short, fixed-size index key."""
    return f"APPLICATION#{derived_id('application', connection_id, application_key)}"


def newest_first(moment: datetime, item_id: str) -> str:
    """``GSI1SK`` of a rejection, feedback or notification: the collection sorts by instant.

    The time is spelled in UTC, to the microsecond, always as wide, so the text sorts as the
    instants do: ``20:00+14:00`` (06:00 UTC) before ``07:00Z``, and ``09:00:00Z`` before
    ``09:00:00.5Z``. Keys written before this spelling (whatever offset the time came with,
    fractions left out when zero) are rewritten by ``bounceback.store.rekey``.
    """
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return f"{utc.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z#{item_id}"


def newest_first_offset(moment: datetime, item_id: str) -> str:
    """``GSI1SK`` of a connection or a webhook delivery. These two were always written with
    the offset spelled ``+00:00``; they keep it, so new items sort among the existing ones."""
    return f"{moment.isoformat()}#{item_id}"
