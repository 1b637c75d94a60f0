"""W&B's artifact digest, written once for the client (which computes it before publishing)
and the local server (which checks it at commit): the hex md5 of a fixed preamble followed by
one ``path:digest`` line per manifest entry, in path order."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

__all__ = ["DIGEST_PREAMBLE", "artifact_digest"]

#: The first line hashed into every artifact digest.
DIGEST_PREAMBLE = "wandb-artifact-manifest-v1\n"


def artifact_digest(entries: Iterable[tuple[str, str]]) -> str:
    """An artifact's digest from its ``(path, entry digest)`` pairs."""
    md5 = hashlib.md5(DIGEST_PREAMBLE.encode(), usedforsecurity=False)
    for path, digest in sorted(entries):
        md5.update(f"{path}:{digest}\n".encode())
    return md5.hexdigest()
