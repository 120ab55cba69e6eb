"""The desktop's "log a letter" and "log a remittance slip" over REST (SQLite, PostgreSQL): a slip
is matched to the order it pays by amount and member number, with candidates when unsure."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from callcenter.domain.orders import OrderItem
from support.livestack import LiveStack, live_stack

UNPAID = {"BK-2026-0100": "59.80", "BK-2026-0101": "59.80", "BK-2026-0102": "35.00"}


async def add_unpaid_orders(stack: LiveStack) -> dict[str, int]:
    """Li Wei's bills by post: two of 59.80, one of 35.00 (and his shipped BK-2026-0042)."""
    ids = {}
    async with stack.runtime.uow() as uow:
        for n, (number, price) in enumerate(UNPAID.items()):
            ids[number] = await uow.orders.add(
                customer_id=stack.ids["li_wei"],
                order_number=number,
                channel="postal_remittance",
                status="placed",
                placed_at=datetime(2026, 11, 1 + n, 10, 0, tzinfo=UTC),
                items=[OrderItem("Red Sorghum", None, 1, Decimal(price))],
            )
        await uow.commit()
    return ids


async def agent(stack: LiveStack, code: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await stack.token('agent', code)}"}


async def test_a_slip_is_filed_with_the_order_it_pays(database_url: str) -> None:
    async with live_stack(database_url) as stack:
        orders = await add_unpaid_orders(stack)
        me = await agent(stack, "1001")
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:

            async def match(amount: str, member: str = "M0000001") -> dict[str, Any]:
                got = await http.get(
                    "/api/agents/1001/work/slip-match",
                    params={"member_no": member, "amount": amount},
                    headers=me,
                )
                assert got.status_code == 200, got.text
                return dict(got.json())

            sure = await match("35.00")
            assert (sure["status"], sure["order_id"]) == ("matched", orders["BK-2026-0102"])
            two = await match("59.80")
            assert two["status"] == "ambiguous" and two["order_id"] is None
            assert [c["order_number"] for c in two["candidates"]] == [
                "BK-2026-0100",
                "BK-2026-0101",
            ]
            near = await match("36.00")  # a fee more: the close unpaid order, flagged unsure
            assert near["status"] == "ambiguous"
            assert near["candidates"][0]["order_number"] == "BK-2026-0102"
            assert "differs by 1.00" in near["candidates"][0]["reason"]
            assert (await match("1000.00"))["status"] == "unknown"

            filed = await http.post(
                "/api/agents/1001/work/slips",
                json={"member_no": "M0000001", "amount": "35.00"},
                headers=me,
            )
            assert filed.status_code == 201, filed.text
            item = filed.json()["item"]
            assert (item["kind"], item["source"], item["order_id"]) == (
                "remittance_slip",
                "desktop",
                orders["BK-2026-0102"],
            )
            assert "BK-2026-0102" in item["subject"]
            assert item["customer"]["status"] == "matched"

            picked = await http.post(
                "/api/agents/1001/work/slips",
                json={"member_no": "M0000001", "amount": "59.80", "order_number": "BK-2026-0101"},
                headers=me,
            )
            assert picked.status_code == 201, picked.text
            assert picked.json()["item"]["order_id"] == orders["BK-2026-0101"]

            unsure = await http.post(
                "/api/agents/1001/work/slips",
                json={"member_no": "M0000001", "amount": "59.80", "note": "stamp smudged"},
                headers=me,
            )
            body = unsure.json()["item"]["body"]  # kept for the back office, candidates named
            assert unsure.json()["item"]["order_id"] is None
            assert "stamp smudged" in body and "BK-2026-0100" in body and "BK-2026-0101" in body

            for bad, field in (
                ({"member_no": "M0000001", "amount": "0"}, "amount"),
                ({"member_no": "M0000001", "amount": "5", "order_number": "XX-1"}, "order_number"),
                ({"amount": "5"}, "member_no"),
            ):
                refused = await http.post("/api/agents/1001/work/slips", json=bad, headers=me)
                assert refused.status_code == 422 and field in refused.text, refused.text
            other = await http.post(
                "/api/agents/1002/work/slips",
                json={"member_no": "M0000001", "amount": "35.00"},
                headers=me,
            )
            assert other.status_code == 403
            listed = await http.get(
                "/api/work-items",
                params={"kind": "remittance_slip"},
                headers={"Authorization": f"Bearer {await stack.token('supervisor')}"},
            )
            assert len(listed.json()) == 3  # the refused ones left nothing behind


async def test_a_letter_is_filed_from_the_desktop(database_url: str) -> None:
    async with live_stack(database_url) as stack:
        me = await agent(stack, "1001")
        async with httpx.AsyncClient(base_url=stack.url(""), timeout=10) as http:
            filed = await http.post(
                "/api/agents/1001/work/letters",
                json={
                    "from": {"member_no": "M0000001"},
                    "subject": "New address",
                    "body": "Please send my books to Hangzhou from January.",
                },
                headers=me,
            )
            assert filed.status_code == 201, filed.text
            item = filed.json()
            assert (item["kind"], item["source"], item["channel"]) == (
                "letter",
                "desktop",
                "letter",
            )
            assert item["customer"]["candidates"][0]["name"] == "Li Wei"
            assert item["group"] and item["due_at"]
            missing = await http.post(
                "/api/agents/1001/work/letters", json={"from": {}, "subject": "x"}, headers=me
            )
            assert missing.status_code == 422 and "from" in missing.text
