"""wandbkit's I/O layer: ``_async`` holds the hand-written sources, ``_sync`` their twins."""
