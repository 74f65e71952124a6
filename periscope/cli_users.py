"""``periscope users|groups|collections``: accounts and need-to-know access from the shell.

Unknown names exit 2 with close-name suggestions; a taken name exits 2. Lists are tab-separated
with a header line, so they read well and ``cut``/``awk`` cleanly.
"""

from __future__ import annotations

import sys

import typer

from periscope.cli_workspace import EXIT_BAD_INPUT, console, fail, open_workspace, settings_or_exit

users_app = typer.Typer(help="Local accounts: add, list, disable/enable, reset passwords.", no_args_is_help=True)
groups_app = typer.Typer(help="Groups of users (collections can be granted to a group).", no_args_is_help=True)
collections_app = typer.Typer(help="Collections and who may read or write them.", no_args_is_help=True)

ROLE_HELP = "admin (everything), analyst (search, save, alert, grade, cases), reader (search and read), integrator (API only)."


def _password_from_stdin() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise fail("--password-stdin was given but standard input had no password line.", EXIT_BAD_INPUT)
    return line


def _tsv(*rows: tuple[object, ...]) -> None:
    for row in rows:
        print("\t".join("" if v is None else str(v) for v in row))


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------- users
@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="Username (letters, digits, . _ - @; case-insensitive)."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    display_name: str = typer.Option("", "--display-name", help="Name shown in the UI."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create an account. Without --password-stdin a one-time password is generated and printed."""
    from workspace.users import create_user, generate_password

    password = _password_from_stdin() if password_stdin else generate_password()
    with open_workspace() as ws, ws.session() as db:
        user = create_user(db, name, role=role, display_name=display_name, password=password,
                           must_change_password=not password_stdin)
    console.print(f"created {user.role.value} {user.username!r}")
    if not password_stdin:
        console.print("one-time password (shown once; they choose their own at first sign-in):")
        print(password)


@users_app.command("list")
def users_list() -> None:
    """Every account with its role, state and last sign-in."""
    from workspace.users import list_users

    with open_workspace() as ws, ws.session(readonly=True) as db:
        users = list_users(db)
    _tsv(("username", "role", "state", "last_login", "display_name"))
    _tsv(*((u.username, u.role.value, "disabled" if u.disabled else "active", _when(u.last_login_at),
            u.display_name) for u in users))


def _set_disabled(name: str, disabled: bool) -> None:
    from workspace.users import set_disabled

    with open_workspace() as ws, ws.session() as db:
        user = set_disabled(db, name, disabled)
    console.print(f"{user.username!r} {'disabled (signed out everywhere)' if disabled else 'enabled'}")


@users_app.command("disable")
def users_disable(name: str = typer.Argument(..., help="Username.")) -> None:
    """Disable an account: its sessions end now and its API keys stop working."""
    _set_disabled(name, True)


@users_app.command("enable")
def users_enable(name: str = typer.Argument(..., help="Username.")) -> None:
    """Enable a disabled account again."""
    _set_disabled(name, False)


@users_app.command("reset-password")
def users_reset_password(
    name: str = typer.Argument(..., help="Username."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from stdin."),
) -> None:
    """Set a new password (generated and printed unless --password-stdin); ends the user's sessions."""
    from workspace.users import generate_password, set_password

    password = _password_from_stdin() if password_stdin else generate_password()
    with open_workspace() as ws, ws.session() as db:
        user = set_password(db, name, password, must_change=not password_stdin)
    console.print(f"password of {user.username!r} reset; their sessions have ended")
    if not password_stdin:
        print(password)


@users_app.command("set-role")
def users_set_role(
    name: str = typer.Argument(..., help="Username."),
    role: str = typer.Argument(..., help=ROLE_HELP),
) -> None:
    """Change an account's role."""
    from workspace.users import set_role

    with open_workspace() as ws, ws.session() as db:
        user = set_role(db, name, role)
    console.print(f"{user.username!r} is now {user.role.value}")


@users_app.command("ensure-admin")
def users_ensure_admin(
    name: str = typer.Option("admin", "--name", help="Username of the first administrator."),
) -> None:
    """Create the first administrator when no account exists yet (idempotent: otherwise does nothing).

    The password is PERISCOPE_ADMIN_PASSWORD when set, else a one-time password printed once.
    """
    from workspace.users import create_user, generate_password, has_users

    settings = settings_or_exit()
    given = settings.admin_password
    with open_workspace(settings) as ws, ws.session() as db:
        if has_users(db):
            console.print("accounts exist already: sign in with yours (`periscope users list` shows them)")
            return
        password = given or generate_password()
        create_user(db, name, role="admin", display_name="Administrator", password=password,
                    must_change_password=not given)
    url = f"http://{settings.api_host}:{settings.api_port}/login"
    console.print(f"created the first administrator {name!r}. Sign in at {url} as {name!r}", highlight=False)
    if given:
        console.print("with the password from PERISCOPE_ADMIN_PASSWORD")
    else:
        console.print("with this one-time password (shown once; `periscope users reset-password` makes a new one):")
        print(password)


# ------------------------------------------------------------------------------------- groups
@groups_app.command("add")
def groups_add(
    name: str = typer.Argument(..., help="Group name (lowercase letters, digits, _ . -)."),
    description: str = typer.Option("", "--description"),
) -> None:
    """Create a group."""
    from workspace.groups import create_group

    with open_workspace() as ws, ws.session() as db:
        create_group(db, name, description)
    console.print(f"created group {name!r}")


@groups_app.command("list")
def groups_list() -> None:
    """Every group with its members."""
    from workspace.groups import list_groups, members

    with open_workspace() as ws, ws.session(readonly=True) as db:
        rows = [(g.name, ",".join(members(db, g.name)), g.description) for g in list_groups(db)]
    _tsv(("group", "members", "description"), *rows)


@groups_app.command("add-member")
def groups_add_member(group: str = typer.Argument(...), user: str = typer.Argument(...)) -> None:
    """Put a user in a group."""
    from workspace.groups import add_member

    with open_workspace() as ws, ws.session() as db:
        added = add_member(db, group, user)
    console.print(f"{user!r} {'added to' if added else 'was already in'} {group!r}")


@groups_app.command("remove-member")
def groups_remove_member(group: str = typer.Argument(...), user: str = typer.Argument(...)) -> None:
    """Take a user out of a group."""
    from workspace.groups import remove_member

    with open_workspace() as ws, ws.session() as db:
        removed = remove_member(db, group, user)
    console.print(f"{user!r} {'removed from' if removed else 'was not in'} {group!r}")


# ------------------------------------------------------------------------------------- collections
@collections_app.command("add")
def collections_add(
    name: str = typer.Argument(..., help="Collection name as stored on documents (lowercase slug)."),
    label: str = typer.Option("", "--label", help="Name shown in the UI (default: the name)."),
    description: str = typer.Option("", "--description"),
) -> None:
    """Create a collection (nobody but admins can read it until you grant it)."""
    from workspace.access import create_collection

    with open_workspace() as ws, ws.session() as db:
        create_collection(db, name, label=label, description=description)
    console.print(f"created collection {name!r}; grant it with `periscope collections grant {name} --user NAME`")


@collections_app.command("list")
def collections_list() -> None:
    """Every collection with its grants (u:user or g:group, =read or =write)."""
    from workspace.access import grants, list_collections

    with open_workspace() as ws, ws.session(readonly=True) as db:
        by_coll: dict[str, list[str]] = {}
        for g in grants(db):
            by_coll.setdefault(g.collection, []).append(f"{g.kind[0]}:{g.principal}={g.permission.value}")
        rows = [(c.name, c.label, " ".join(by_coll.get(c.name, [])) or "-") for c in list_collections(db)]
    _tsv(("collection", "label", "grants"), *rows)


def _principal(user: str | None, group: str | None) -> tuple[str | None, str | None]:
    if (user is None) == (group is None):
        raise fail("name exactly one of --user NAME or --group NAME.", EXIT_BAD_INPUT)
    return user, group


@collections_app.command("grant")
def collections_grant(
    name: str = typer.Argument(..., help="Collection."),
    user: str = typer.Option(None, "--user", help="Grant to this user..."),
    group: str = typer.Option(None, "--group", help="...or to this group."),
    write: bool = typer.Option(False, "--write", help="Allow writing too (default: read only)."),
) -> None:
    """Let a user or group read (or write) a collection; granting again changes the level."""
    from workspace.access import grant

    user, group = _principal(user, group)
    with open_workspace() as ws, ws.session() as db:
        g = grant(db, name, user=user, group=group, permission="write" if write else "read")
    console.print(f"{g.kind} {g.principal!r} may {g.permission.value} {g.collection!r}")


@collections_app.command("revoke")
def collections_revoke(
    name: str = typer.Argument(..., help="Collection."),
    user: str = typer.Option(None, "--user"),
    group: str = typer.Option(None, "--group"),
) -> None:
    """Remove a user's or group's access to a collection."""
    from workspace.access import revoke

    user, group = _principal(user, group)
    with open_workspace() as ws, ws.session() as db:
        removed = revoke(db, name, user=user, group=group)
    console.print(f"access {'revoked' if removed else 'was not granted'}")
