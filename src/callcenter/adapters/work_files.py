"""Work-item attachments on disk, by content: `<root>/ab/abcdef...` (same bytes, one file)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path

from callcenter.ports.work_items import StoredFile


class DiskFileStore:
    """The FileStore port over a directory; a file is complete once its name exists."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    async def put(self, data: bytes) -> StoredFile:
        """Store the bytes (in a worker thread); returns their hash, size and relative name."""
        return await asyncio.to_thread(self._put, data)

    async def read(self, stored_as: str) -> bytes:
        """The bytes of a stored file (FileNotFoundError if gone)."""
        path = (self.root / stored_as).resolve()
        if self.root.resolve() not in path.parents:
            raise FileNotFoundError(stored_as)
        return await asyncio.to_thread(path.read_bytes)

    def _put(self, data: bytes) -> StoredFile:
        digest = hashlib.sha256(data).hexdigest()
        relative = f"{digest[:2]}/{digest}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            # written under a temporary name, then renamed: a crash never leaves half a file
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(sha256=digest, size=len(data), stored_as=relative)
