"""Groups of users: a collection granted to a group is granted to all its members."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workspace.errors import InvalidValue, NotFound
from workspace.models import Group, Membership, User
from workspace.store import add_unique
from workspace.users import user_row

SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class GroupInfo:
    id: int
    name: str
    description: str
    created_at: datetime


def _info(row: Group) -> GroupInfo:
    return GroupInfo(row.id, row.name, row.description, row.created_at)


def check_slug(kind: str, name: str) -> str:
    """Group and collection names: lowercase ASCII slugs, so they are case-insensitive by construction."""
    if not SLUG.match(name):
        raise InvalidValue(
            f"{name!r} is not a valid {kind} name: 1-64 lowercase letters, digits, '_', '.' or '-', "
            "starting with a letter or digit."
        )
    return name


def group_row(db: Session, name: str) -> Group:
    row = db.scalar(select(Group).where(Group.name == name))
    if row is None:
        raise NotFound("group", name, db.scalars(select(Group.name)).all())
    return row


def create_group(db: Session, name: str, description: str = "") -> GroupInfo:
    name = check_slug("group", name)
    row = Group(name=name, description=description.strip())
    add_unique(db, row, select(Group.id).where(Group.name == name), "group", name)
    return _info(row)


def require_group(db: Session, name: str) -> GroupInfo:
    return _info(group_row(db, name))


def list_groups(db: Session) -> list[GroupInfo]:
    return [_info(row) for row in db.scalars(select(Group).order_by(Group.name))]


def delete_group(db: Session, name: str) -> None:
    """Delete a group; its memberships and collection grants go with it (ON DELETE CASCADE)."""
    db.delete(group_row(db, name))
    db.flush()


def add_member(db: Session, group: str, username: str) -> bool:
    """Add a user to a group; False when already a member."""
    g, u = group_row(db, group), user_row(db, username)
    if db.get(Membership, (g.id, u.id)) is not None:
        return False
    db.add(Membership(group_id=g.id, user_id=u.id))
    db.flush()
    return True


def remove_member(db: Session, group: str, username: str) -> bool:
    g, u = group_row(db, group), user_row(db, username)
    result = db.execute(delete(Membership).where(Membership.group_id == g.id, Membership.user_id == u.id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def members(db: Session, group: str) -> list[str]:
    g = group_row(db, group)
    query = select(User.username).join(Membership, Membership.user_id == User.id).where(
        Membership.group_id == g.id
    )
    return list(db.scalars(query.order_by(User.username_key)))


def groups_of(db: Session, user_id: int) -> list[str]:
    query = select(Group.name).join(Membership, Membership.group_id == Group.id).where(
        Membership.user_id == user_id
    )
    return list(db.scalars(query.order_by(Group.name)))
