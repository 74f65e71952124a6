"""Groups, collections and need-to-know access, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest

from tests.workspace_fixtures import pg_server, store, workspace_url  # noqa: F401 - fixtures
from workspace import AlreadyExists, InvalidValue, NotFound, Permission, Workspace
from workspace.access import (
    collection_scope, create_collection, delete_collection, grant, grants, list_collections,
    readable_collections,
    revoke, writable_collections,
)
from workspace.groups import add_member, create_group, delete_group, groups_of, members, remove_member
from workspace.users import create_user, require_user, set_disabled


def uniq(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:6]}"


def test_collection_name_clash_is_a_specific_error(store: Workspace):
    name = uniq("reuters")
    with store.session() as db:
        made = create_collection(db, name, description="Reuters-21578")
        assert made.label == name
    with pytest.raises(AlreadyExists, match="already exists") as err, store.session() as db:
        create_collection(db, name)
    assert err.value.kind == "collection"
    with pytest.raises(InvalidValue, match="lowercase"), store.session() as db:
        create_collection(db, "Reuters Wire")


def test_acl_resolution_with_users_groups_and_admins(store: Workspace):
    a, b, c = uniq("news"), uniq("leaks"), uniq("hr")
    ann, ben, boss = uniq("ann"), uniq("ben"), uniq("boss")
    desk = uniq("desk")
    with store.session() as db:
        for name in (a, b, c):
            create_collection(db, name)
        for user, role in ((ann, "analyst"), (ben, "reader"), (boss, "admin")):
            create_user(db, user, role=role)
        create_group(db, desk, "the news desk")
        assert add_member(db, desk, ann) and not add_member(db, desk, ann)
        grant(db, a, group=desk)
        grant(db, b, user=ann, permission="write")
        grant(db, b, user=ben)
    with store.session(readonly=True) as db:
        ann_u, ben_u, boss_u = (require_user(db, n) for n in (ann, ben, boss))
        assert readable_collections(db, ann_u) == sorted([a, b])
        assert writable_collections(db, ann_u) == [b]
        assert readable_collections(db, ben_u) == [b] and writable_collections(db, ben_u) == []
        assert {a, b, c} <= set(readable_collections(db, boss_u))
        assert collection_scope(db, boss_u) is None  # no filter at all for admins
        assert collection_scope(db, ben_u) == frozenset([b])
        assert [(g.kind, g.principal, g.permission) for g in grants(db, b)] == [
            ("user", ann, Permission.WRITE), ("user", ben, Permission.READ)]
        assert groups_of(db, ann_u.id) == [desk] and members(db, desk) == [ann]
    with store.session() as db:
        grant(db, b, user=ben, permission="write")  # a second grant changes the level, no duplicate
        assert [g.permission for g in grants(db, b) if g.principal == ben] == [Permission.WRITE]
        assert remove_member(db, desk, ann)
        assert readable_collections(db, require_user(db, ann)) == [b]
        add_member(db, desk, ann)
        assert revoke(db, b, user=ann) and not revoke(db, b, user=ann)
        assert readable_collections(db, require_user(db, ann)) == [a]
        set_disabled(db, ann, True)
        assert readable_collections(db, require_user(db, ann)) == []
        set_disabled(db, boss, True)
        assert readable_collections(db, require_user(db, boss)) == []
        assert collection_scope(db, require_user(db, boss)) == frozenset()


def test_same_name_user_and_group_are_distinct_principals(store: Workspace):
    coll, name = uniq("c"), uniq("ops")
    with store.session() as db:
        create_collection(db, coll)
        create_user(db, name, role="reader")
        create_group(db, name)
        grant(db, coll, user=name)
        grant(db, coll, group=name, permission="write")
        assert sorted((g.kind, g.permission.value) for g in grants(db, coll)) == [
            ("group", "write"), ("user", "read")]


def test_deleting_groups_and_collections_cascades(store: Workspace):
    coll, grp, user = uniq("tmp"), uniq("g"), uniq("u")
    with store.session() as db:
        create_collection(db, coll)
        create_user(db, user, role="reader")
        create_group(db, grp)
        add_member(db, grp, user)
        grant(db, coll, group=grp)
        assert readable_collections(db, require_user(db, user)) == [coll]
        delete_group(db, grp)
        assert readable_collections(db, require_user(db, user)) == []
        grant(db, coll, user=user)
        delete_collection(db, coll)
        assert coll not in {c.name for c in list_collections(db)}
        assert [g for g in grants(db) if g.collection == coll] == []


def test_bad_grants_are_refused_with_suggestions(store: Workspace):
    coll, user = uniq("archive"), uniq("lee")
    with store.session() as db:
        create_collection(db, coll)
        create_user(db, user, role="reader")
        with pytest.raises(InvalidValue, match="exactly one"):
            grant(db, coll, user=user, group="x")
        with pytest.raises(InvalidValue, match="exactly one"):
            grant(db, coll)
        with pytest.raises(InvalidValue, match="read or write"):
            grant(db, coll, user=user, permission="admin")
        with pytest.raises(NotFound) as err:
            grant(db, coll[:-1], user=user)
        assert err.value.suggestions == [coll]
        with pytest.raises(NotFound, match="no group"):
            grant(db, coll, group=uniq("ghost"))
        with pytest.raises(AlreadyExists):
            create_group(db, "dup-" + coll) and create_group(db, "dup-" + coll)
