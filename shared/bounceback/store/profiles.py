"""Profiles, who owns which address, the codes that prove an address, and forgetting a user.

An address is *owned* by at most one user: the one who proved it (``EmailOwnerItem``,
``verified``). Webhooks find a user only by an owned address. Addresses a user merely names
are kept on their profile and own nothing, so naming someone else's address changes nothing
for anyone and tells nothing about whether it is in use.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bounceback.model import Profile
from bounceback.store import keys
from bounceback.store.items import EmailCodeItem, EmailOwnerItem, ProfileItem, RejectionItem, parse
from bounceback.store.rejections import mark_deleting
from bounceback.store.table import NEW, Check, ConditionFailed, Delete, Put, Table, Write

# A proof takes an address from nobody, from a claim that was never proved (items written
# before addresses were verified), or from the same user; never from another proven owner.
_TAKEABLE = "attribute_not_exists(PK) OR verified <> :true OR user_id = :me"
_GONE_OR_MINE = "attribute_not_exists(PK) OR user_id = :me"
OWNED_BY = "verified = :true AND user_id = :me"


class ProfileChanged(Exception):  # noqa: N818 (the caller reads the profile again and retries)
    """The profile was changed by another request since it was read."""


class AddressTaken(Exception):  # noqa: N818 (an outcome, not a failure)
    """Another user owns the address."""


class ProfileStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, user_id: str) -> Profile | None:
        item = self._table.get(keys.profile(user_id), ProfileItem)
        return None if item is None else item.to_profile()

    # ---------------------------------------------------------------- saving and ownership
    def save(self, profile: Profile, previous: Profile | None, at: datetime) -> Profile:
        """Store the profile, taking ownership of the addresses it newly verifies and giving
        back those it verified before but no longer names, in one transaction.

        An address another user owns is not taken: the stored profile lists it unverified
        (and says so in what this returns). Raises ``ProfileChanged`` when the profile changed
        since ``previous`` was read."""
        taken_by_others: set[str] = set()
        while True:
            wanted = tuple(e for e in profile.verified_emails if e not in taken_by_others)
            stored = profile.model_copy(update={"verified_emails": wanted})
            before = set(previous.verified_emails) if previous else set()
            claims = [e for e in wanted if e not in before]
            released = sorted(before - set(stored.emails))
            writes: list[Write] = [_profile_put(stored, previous)]
            writes.extend(self._take(address, stored.user_id, at) for address in claims)
            writes.extend(
                Delete(keys.email(address), _GONE_OR_MINE, {":me": stored.user_id})
                for address in released
            )
            try:
                self._table.transact(writes)
            except ConditionFailed as error:
                if 0 in error.failed:
                    raise ProfileChanged from error
                lost = {claims[i - 1] for i in error.failed if 0 < i <= len(claims)}
                if not lost:
                    raise
                taken_by_others |= lost
                continue
            return stored

    def verify(self, profile: Profile, address: str, at: datetime) -> Profile:
        """Take ownership of ``address`` (proved by its code) and mark it verified on the
        profile; the code is used up. Raises ``AddressTaken`` when another user owns it,
        ``ProfileChanged`` when the profile or the code changed meanwhile."""
        stored = profile.model_copy(
            update={"verified_emails": (*profile.verified_emails, address), "updated_at": at}
        )
        code = keys.email_code(profile.user_id, address)
        try:
            self._table.transact(
                [
                    self._take(address, profile.user_id, at),
                    _profile_put(stored, profile),
                    Delete(code, "attribute_exists(PK)"),
                ]
            )
        except ConditionFailed as error:
            if 0 in error.failed:
                raise AddressTaken from error
            raise ProfileChanged from error
        return stored

    def _take(self, address: str, user_id: str, at: datetime) -> Put:
        item = EmailOwnerItem.of(address, user_id, at)
        return Put(item, _TAKEABLE, {":true": True, ":me": user_id})

    def find_user_by_email(self, address: str) -> str | None:
        """The user who owns ``address``; None when nobody proved it."""
        owner = self._table.get(keys.email(address), EmailOwnerItem)
        return owner.user_id if owner is not None and owner.verified else None

    def owns(self, user_id: str, address: str) -> Check:
        """A transaction's condition that ``user_id`` still owns ``address`` (a webhook's
        rejection is filed only while the address it was routed by is the user's)."""
        return Check(keys.email(address), OWNED_BY, {":true": True, ":me": user_id})

    # ---------------------------------------------------------------- codes
    def get_code(self, user_id: str, address: str) -> EmailCodeItem | None:
        return self._table.get(keys.email_code(user_id, address), EmailCodeItem)

    def put_code(self, code: EmailCodeItem) -> None:
        """Store a new code for an address, replacing (and so resetting) the previous one."""
        self._table.put(code)

    def count_wrong_code(self, code: EmailCodeItem) -> int:
        """One more wrong code tried; returns how many so far. Two concurrent tries cannot
        both count as the same one (the update is conditional on the count it read)."""
        attempts = code.attempts + 1
        try:
            self._table.update(
                code.key,
                set_values={"attempts": attempts},
                condition="attempts = :seen",
                values={":seen": code.attempts},
            )
        except ConditionFailed:
            current = self.get_code(code.user_id, code.address)
            return current.attempts if current else attempts
        return attempts

    # ---------------------------------------------------------------- forgetting a user
    def release_addresses(self, user_id: str, addresses: Iterable[str]) -> None:
        """Give back every address the user owns (or claimed before addresses were verified):
        from now on no webhook finds them."""
        for address in sorted(set(addresses)):
            try:
                self._table.transact([Delete(keys.email(address), _GONE_OR_MINE, {":me": user_id})])
            except ConditionFailed:
                continue  # another user owns it: not ours to give back

    def delete_user(self, user_id: str, at: datetime) -> list[str]:
        """Delete every item of the user; returns the ids of their rejections (the caller
        cancels their timers).

        Steps still running for the user may be about to write. Each of their writes is
        conditioned on its rejection being live (``RejectionStore.live``), so every rejection
        is first marked as being deleted: from then on no such write succeeds, and whatever
        one wrote before is in the partition read that follows, and is deleted with it."""
        rejection_ids: list[str] = []
        for attributes in self._table.query_partition(
            keys.user_pk(user_id), sk_prefix=keys.REJECTION_PREFIX
        ):
            item = parse(attributes)
            if isinstance(item, RejectionItem):
                rejection_ids.append(item.id)
                mark_deleting(self._table, user_id, item.id, at)
        doomed = [
            keys.Key(attributes["PK"], attributes["SK"])
            for attributes in self._table.query_partition(keys.user_pk(user_id))
        ]
        self._table.delete_many(doomed)
        return rejection_ids


def _profile_put(profile: Profile, previous: Profile | None) -> Put:
    """The profile's write, only over the version that was read (or none)."""
    item = ProfileItem.of(profile)
    if previous is None:
        return Put(item, NEW)
    seen = ProfileItem.of(previous).attributes()["updated_at"]
    return Put(item, "updated_at = :seen", {":seen": seen})
