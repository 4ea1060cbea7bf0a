"""Profiles and the email claims that let webhooks find a user, and forgetting a user."""

from __future__ import annotations

from bounceback.errors import ConflictError
from bounceback.model import Profile
from bounceback.store import keys
from bounceback.store.items import EmailClaimItem, ProfileItem, RejectionItem, parse
from bounceback.store.table import ConditionFailed, Delete, Put, Table

# An address is claimed by a user once; saving the same profile again keeps its claims.
_FREE_OR_MINE = "attribute_not_exists(PK) OR user_id = :me"
_MINE = "user_id = :me"


class ProfileStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, user_id: str) -> Profile | None:
        item = self._table.get(keys.profile(user_id), ProfileItem)
        return None if item is None else item.to_profile()

    def save(self, profile: Profile, previous: Profile | None) -> None:
        """Store the profile and claim its emails (each address belongs to one user only), in
        one transaction: addresses it no longer names are given back."""
        old = set(previous.emails) if previous else set()
        new = set(profile.emails)
        me = {":me": profile.user_id}
        writes: list[Put | Delete] = [Put(ProfileItem.of(profile))]
        writes.extend(
            Put(EmailClaimItem.of(address, profile.user_id), _FREE_OR_MINE, me)
            for address in sorted(new - old)
        )
        writes.extend(Delete(keys.email(address), _MINE, me) for address in sorted(old - new))
        try:
            self._table.transact(writes)
        except ConditionFailed as error:
            raise ConflictError("one of these emails belongs to another account") from error

    def find_user_by_email(self, address: str) -> str | None:
        claim = self._table.get(keys.email(address), EmailClaimItem)
        return None if claim is None else claim.user_id

    def delete_user(self, user_id: str) -> list[str]:
        """Delete every item of the user and their email claims; returns the ids of the
        rejections that were deleted (the caller cancels their timers)."""
        profile = self.get(user_id)
        doomed: list[keys.Key] = []
        rejection_ids: list[str] = []
        for attributes in self._table.query_partition(keys.user_pk(user_id)):
            doomed.append(keys.Key(attributes["PK"], attributes["SK"]))
            item = parse(attributes)
            if isinstance(item, RejectionItem):
                rejection_ids.append(item.id)
        if profile:
            doomed.extend(keys.email(address) for address in profile.emails)
        self._table.delete_many(doomed)
        return rejection_ids
