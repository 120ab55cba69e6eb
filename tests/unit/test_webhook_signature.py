"""Webhook signatures: what the sender writes, what `verify` and the README's example accept."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from pathlib import Path
from typing import Any

from callcenter.domain.webhooks import sign, verify

README = Path(__file__).resolve().parents[2] / "README.md"
SECRET = "s3cret-of-the-crm-0001"
BODY = b'{"id":"e1","type":"call.ended","at":"2026-12-03T08:00:00+00:00","data":{}}'


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    """Figure: t=1764748800 -> v1 = HMAC-SHA256(secret, b"1764748800." + body), hex."""
    expected = hmac.new(SECRET.encode(), b"1764748800." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1764748800, BODY) == f"t=1764748800,v1={expected}"


def test_verify_refuses_tampering_old_stamps_wrong_secrets_and_garbage() -> None:
    now = int(time.time())
    header = sign(SECRET, now, BODY)
    assert verify(SECRET, header, BODY, now)
    assert not verify(SECRET, header, BODY.replace(b"e1", b"e2"), now)
    assert not verify("another-secret-000000", header, BODY, now)
    assert not verify(SECRET, sign(SECRET, now - 301, BODY), BODY, now)
    for garbage in ("", "t=abc,v1=00", "v1=00", "t=1", "nonsense"):
        assert not verify(SECRET, garbage, BODY, now)


def test_the_readme_example_verifies_what_we_send() -> None:
    """The ~10-line receiver in the README accepts our header and refuses a changed body."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"Verify a delivery:\s*```python\n(.*?)```", text, re.S)
    assert block, "README lost its verification example"
    code = "\n".join(line.removeprefix("  ") for line in block.group(1).splitlines())
    scope: dict[str, Any] = {}
    exec(compile(code, "README example", "exec"), scope)
    header = sign(SECRET, int(time.time()), BODY)
    assert scope["verified"](SECRET, header, BODY)
    assert not scope["verified"](SECRET, header, BODY + b" ")
