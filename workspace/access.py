"""Collections and who may read or write them (need-to-know).

A grant ties a collection to one user or one group with ``read`` or ``write`` (write implies read).
Admins read and write everything; a disabled user nothing. The search layer turns
:func:`readable_collections` into its server-side filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from workspace.errors import InvalidValue, NotFound
from workspace.groups import check_slug, group_row
from workspace.models import Collection, CollectionAcl, Group, Membership, Permission, Role, User
from workspace.store import add_unique
from workspace.users import UserInfo, user_row


@dataclass(frozen=True)
class CollectionInfo:
    id: int
    name: str
    label: str
    description: str
    created_by: int | None
    created_at: datetime


@dataclass(frozen=True)
class Grant:
    collection: str
    kind: str  # "user" or "group"
    principal: str
    permission: Permission


def _info(row: Collection) -> CollectionInfo:
    return CollectionInfo(row.id, row.name, row.label, row.description, row.created_by, row.created_at)


def _require(db: Session, name: str) -> Collection:
    row = db.scalar(select(Collection).where(Collection.name == name))
    if row is None:
        raise NotFound("collection", name, db.scalars(select(Collection.name)).all())
    return row


def create_collection(
    db: Session, name: str, *, label: str = "", description: str = "", created_by: int | None = None
) -> CollectionInfo:
    """A new collection; a taken name raises :class:`AlreadyExists` (the API answers 409)."""
    name = check_slug("collection", name)
    row = Collection(name=name, label=label.strip() or name, description=description.strip(),
                     created_by=created_by)
    add_unique(db, row, select(Collection.id).where(Collection.name == name), "collection", name)
    return _info(row)


def require_collection(db: Session, name: str) -> CollectionInfo:
    return _info(_require(db, name))


def list_collections(db: Session) -> list[CollectionInfo]:
    return [_info(row) for row in db.scalars(select(Collection).order_by(Collection.name))]


def delete_collection(db: Session, name: str) -> None:
    db.delete(_require(db, name))
    db.flush()


def _principal(db: Session, user: str | None, group: str | None) -> dict[str, int]:
    if (user is None) == (group is None):
        raise InvalidValue("name exactly one principal: a user or a group.")
    if user is not None:
        return {"user_id": user_row(db, user).id}
    return {"group_id": group_row(db, group).id}  # type: ignore[arg-type]


def _check_permission(permission: Permission | str) -> Permission:
    try:
        return Permission(permission)
    except ValueError:
        raise InvalidValue(f"{permission!r} is not a permission; use read or write.") from None


def grant(
    db: Session, collection: str, *, user: str | None = None, group: str | None = None,
    permission: Permission | str = Permission.READ,
) -> Grant:
    """Give (or change) one principal's access to a collection."""
    perm = _check_permission(permission)
    coll = _require(db, collection)
    who = _principal(db, user, group)
    row = db.scalar(select(CollectionAcl).filter_by(collection_id=coll.id, **who))
    if row is None:
        row = CollectionAcl(collection_id=coll.id, permission=perm.value, **who)
        db.add(row)
    else:
        row.permission = perm.value
    db.flush()
    return Grant(coll.name, "user" if user else "group", (user or group), perm)  # type: ignore[arg-type]


def revoke(db: Session, collection: str, *, user: str | None = None, group: str | None = None) -> bool:
    """Remove a principal's grant; False when there was none."""
    coll = _require(db, collection)
    who = _principal(db, user, group)
    result = db.execute(delete(CollectionAcl).filter_by(collection_id=coll.id, **who))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def grants(db: Session, collection: str | None = None) -> list[Grant]:
    """Every grant (of one collection, or of all), users first, then groups."""
    query = (
        select(Collection.name, User.username, Group.name, CollectionAcl.permission)
        .select_from(CollectionAcl)
        .join(Collection, Collection.id == CollectionAcl.collection_id)
        .outerjoin(User, User.id == CollectionAcl.user_id)
        .outerjoin(Group, Group.id == CollectionAcl.group_id)
        .order_by(Collection.name, Group.name.is_not(None), User.username_key, Group.name)
    )
    if collection is not None:
        query = query.where(Collection.id == _require(db, collection).id)
    return [
        Grant(coll, "user" if username else "group", username or group, Permission(perm))
        for coll, username, group, perm in db.execute(query)
    ]


def _granted(db: Session, user: UserInfo, permissions: tuple[Permission, ...]) -> list[str]:
    if user.disabled:
        return []
    if user.role is Role.ADMIN:
        return list(db.scalars(select(Collection.name).order_by(Collection.name)))
    my_groups = select(Membership.group_id).where(Membership.user_id == user.id)
    query = (
        select(Collection.name).distinct()
        .join(CollectionAcl, CollectionAcl.collection_id == Collection.id)
        .where(or_(CollectionAcl.user_id == user.id, CollectionAcl.group_id.in_(my_groups)))
        .where(CollectionAcl.permission.in_([p.value for p in permissions]))
    )
    return sorted(db.scalars(query))


def readable_collections(db: Session, user: UserInfo) -> list[str]:
    """Names of the collections ``user`` may read: all for admins, else own and group grants."""
    return _granted(db, user, (Permission.READ, Permission.WRITE))


def collection_scope(db: Session, user: UserInfo) -> frozenset[str] | None:
    """What the search layer filters on (``search_api.access.Principal.collections``).

    ``None`` means no filter: an enabled admin sees every document, also those whose collection is
    not registered here. Anyone else gets exactly their readable collections (maybe none).
    """
    if user.role is Role.ADMIN and not user.disabled:
        return None
    return frozenset(readable_collections(db, user))


def writable_collections(db: Session, user: UserInfo) -> list[str]:
    return _granted(db, user, (Permission.WRITE,))
