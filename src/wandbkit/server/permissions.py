"""Who may read what on the local server: W&B's visibility rules, as pure functions.

W&B projects carry an ``access`` value. ``PRIVATE`` (the default here, as for W&B teams) and
the team-only values are visible to the project's entity's members alone; ``USER_READ``
("public") and ``USER_WRITE`` ("open") projects may be read by any signed-in user. Instance
admins read everything. Who may *write* is :meth:`wandbkit.server.store.accounts.Accounts.can_write`
(membership of the entity), which is also what "member" means here.

A ``RESTRICTED`` project (a restricted registry) is readable only by its own members (users,
or members of its member teams), organization admins and instance admins:
:meth:`wandbkit.server.store.registries.Registries.can_read_restricted` decides that, and every
read path (resolvers, file and artifact routes) passes the answer as ``restricted_member``.

Unreadable things are answered as if they did not exist (``null``, an empty page, a 404), as
W&B does, so a caller cannot learn the names of another entity's private projects.
"""

from __future__ import annotations

__all__ = ["PUBLIC_ACCESS", "RESTRICTED_ACCESS", "project_readable"]

#: Project access values any signed-in user may read: W&B's "public" and "open" projects.
PUBLIC_ACCESS: frozenset[str] = frozenset({"USER_READ", "USER_WRITE"})
#: The access value of a project only its own members may read (a restricted registry).
RESTRICTED_ACCESS = "RESTRICTED"


def project_readable(access: str, *, member: bool, restricted_member: bool = False) -> bool:
    """Whether a viewer may read a project with this ``access``.

    Args:
        access: the project's access value.
        member: the viewer is a member of the project's entity, or an instance admin.
        restricted_member: for a ``RESTRICTED`` project, the viewer is one of its members (or
            an organization or instance admin); nothing else opens it.

    Example:
        >>> project_readable("PRIVATE", member=False), project_readable("USER_READ", member=False)
        (False, True)
    """
    if access == RESTRICTED_ACCESS:
        return restricted_member
    return member or access in PUBLIC_ACCESS
