"""`GET /metrics`: valid Prometheus text whose figures follow what happened on the floor."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import httpx
import pytest
from prometheus_client.metrics_core import GaugeMetricFamily

from callcenter.adapters.metrics import Histogram, render_families
from callcenter.services.tokens import create_token
from support import ApiHarness
from support.faults import subscribed
from support.livestack import live_stack

SAMPLE = re.compile(
    r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_]\w*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$'
)


def parse(text: str) -> dict[str, float]:
    """Exposition text -> {'name{labels}': value}; fails on any line out of the format."""
    assert text.endswith("\n")
    typed: dict[str, str] = {}
    values: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram"), line
            assert name not in typed, f"family {name} declared twice"
            typed[name] = kind
            continue
        if line.startswith("# HELP "):
            continue
        match = SAMPLE.match(line)
        assert match, f"not an exposition line: {line!r}"
        name = match.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in typed else name
        assert family in typed, f"{name} has no TYPE line"
        values[name + (match.group(2) or "")] = float(match.group(3))
    return values


def test_histogram_buckets_are_cumulative_and_end_at_inf() -> None:
    """Figure: 0.003, 0.02, 0.02, 7 and -0.5 s (clock step) -> le 0.01/0.05/1/+Inf: 2, 4, 4, 5."""
    histogram = Histogram((0.01, 0.05, 1.0))
    for value in (0.003, 0.02, 0.02, 7.0):
        histogram.observe(value)
    histogram.observe(-0.5)  # a clock stepping back counts as zero, never as a crash
    text = render_families([histogram.family("x_seconds", "X.")])
    values = parse(text)
    assert values['x_seconds_bucket{le="0.01"}'] == 2
    assert values['x_seconds_bucket{le="0.05"}'] == 4
    assert values['x_seconds_bucket{le="1"}'] == 4
    assert values['x_seconds_bucket{le="+Inf"}'] == 5 == values["x_seconds_count"]
    assert math.isclose(values["x_seconds_sum"], 7.043)
    with pytest.raises(ValueError):
        Histogram((1.0, 0.5))


def test_label_values_and_help_are_escaped() -> None:
    """Figure: a PBX named with a quote, a backslash and a newline -> one valid sample line."""
    family = GaugeMetricFamily("g", "Line one\nline two \\ end.", labels=["pbx"])
    family.add_metric(['a"b\\c\nd'], 1)
    text = render_families([family])
    assert text.splitlines()[0] == "# HELP g Line one\\nline two \\\\ end."
    assert text.splitlines()[2] == 'g{pbx="a\\"b\\\\c\\nd"} 1.0'
    assert parse(text) == {'g{pbx="a\\"b\\\\c\\nd"}': 1.0}


async def test_metrics_follow_a_live_call(database_url: str) -> None:
    """Figure: one call popped, answered and stored -> ami_connected 1, pops >= 1, pop latency
    count >= 1, stored 1, pending 0, lost 0, 1 agent socket; and only local or manager access."""
    async with live_stack(database_url) as stack:
        await stack.ami_connected()
        base = f"http://127.0.0.1:{stack.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            before = parse((await client.get("/metrics")).text)
            assert before['callcenter_ami_connected{pbx="pbx1"}'] == 1
            assert before["callcenter_call_store_stored_total"] == 0

            wang = await stack.agent_socket("1001")
            await subscribed(stack, "1001")
            stack.sim.place_call(
                "+8613800138000", "Li Wei", "8001", answer_by="1001", agent_answers_after=1
            )
            await wang.next("screen_pop", complete=True)
            await stack.settled()

            reply = await client.get("/metrics")
            assert reply.status_code == 200
            assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")
            after = parse(reply.text)
            assert after["callcenter_screen_pops_total"] >= 1
            assert after["callcenter_screen_pop_latency_seconds_count"] == 1  # one ring, one pop
            assert after["callcenter_call_store_stored_total"] == 1
            assert after["callcenter_call_store_pending"] == 0
            assert after["callcenter_call_store_lost_total"] == 0
            assert after['callcenter_ws_clients{stream="agent"}'] == 1
            assert (
                after['callcenter_ami_events_total{pbx="pbx1"}']
                > before['callcenter_ami_events_total{pbx="pbx1"}']
            )
            assert after['callcenter_live_calls{pbx="pbx1"}'] == 0
            await wang.ws.close()

            # Through a proxy the scraper must bring a manager's token.
            proxied = {"X-Forwarded-For": "198.51.100.7"}
            assert (await client.get("/metrics", headers=proxied)).status_code == 401
            token, _ = await create_token(uow=stack.runtime.uow, role="supervisor")
            proxied["Authorization"] = f"Bearer {token}"
            assert (await client.get("/metrics", headers=proxied)).status_code == 200


async def test_route_latency_and_fallbacks_are_counted(database_url: str) -> None:
    """Figure: 3 HTTP dialplan routes -> route_decisions 3 and 3 observations in the histogram.

    The deadline counts from a request's arrival, and FastAPI builds its routing state on the
    first request after start (~0.3-0.7 s here): that one is late and answered the fallback at
    once (counted as shed), so the figures are taken after one warm-up request."""
    async with live_stack(database_url, dialplan_allow=["127.0.0.1"]) as stack:
        base = f"http://127.0.0.1:{stack.http_port}"
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get("/api/dialplan/route")).status_code == 200
            before = parse((await client.get("/metrics")).text)
            for caller in ("+8613800138000", "withheld", ""):
                reply = await client.get("/api/dialplan/route", params={"caller": caller})
                assert reply.status_code == 200
            values = parse((await client.get("/metrics")).text)
        for name, grew in (
            ("callcenter_route_decisions_total", 3),
            ("callcenter_route_latency_seconds_count", 3),
            ("callcenter_route_fallbacks_total", 0),
        ):
            assert values[name] - before[name] == grew, name


async def test_scaleout_figures_appear_when_wired(api: ApiHarness) -> None:
    """Figure: a leader lock held for pbx1 and a bus that lost Redis twice -> leader 1,
    bus_healthy 0, bus_outages_total 2, bus_local_only_total 5; none of them without scale-out."""
    plain = parse((await api.client.get("/metrics")).text)
    assert not [k for k in plain if "leader" in k or "_bus_" in k]
    api.runtime.leaders = {"pbx1": SimpleNamespace(leading=True)}  # type: ignore[dict-item]
    stats = SimpleNamespace(healthy=False, sent=9, received=7, local_only=5, dropped=0, outages=2)
    api.runtime.bus = SimpleNamespace(stats=stats)  # type: ignore[assignment]
    values = parse((await api.client.get("/metrics")).text)
    assert values['callcenter_ami_leader{pbx="pbx1"}'] == 1
    assert values["callcenter_bus_healthy"] == 0
    assert values["callcenter_bus_outages_total"] == 2
    assert values["callcenter_bus_local_only_total"] == 5
