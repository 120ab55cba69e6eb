"""Runtime configuration, read from CALLCENTER_* environment variables; no IO at import."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from callcenter.domain.kpi.staffing import StaffingRules


class AmiServer(BaseModel):
    """One Asterisk server's AMI endpoint; `name` keeps its Linkedids apart from other servers'."""

    name: str = "pbx1"
    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "callcenter"
    secret: SecretStr = SecretStr("")
    # Where this process can read the server's queue_log (a local file, a read-only mount or a
    # copy kept current): calls that began and ended while no process was logged in are read
    # back from it after each login. Without it they cannot be stored (see docs/deploy.md).
    queue_log: Path | None = None


class WorkCapacity(BaseModel):
    """Per agent in one group: callbacks and back-office items held at once; blend both?"""

    voice: int = Field(default=1, ge=0)
    work: int = Field(default=3, ge=0)
    blend: bool = False


class Settings(BaseSettings):
    """Everything the process needs to know about its surroundings."""

    model_config = SettingsConfigDict(
        env_prefix="CALLCENTER_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = "sqlite+aiosqlite:///./callcenter.db"
    default_region: str = "CN"
    # How far back (by the queue_log's clock) each login looks for calls no process saw.
    queue_log_lookback_s: float = Field(default=3600.0, gt=0)
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    agi_enabled: bool = True
    # FastAGI answers only these sources (addresses or networks); anyone else is hung up on.
    agi_allow: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    ami_servers: list[AmiServer] = Field(default_factory=list)
    bus_url: str | None = None
    bus_prefix: str = "callcenter"  # Redis key and channel prefix
    routing_file: Path | None = None
    route_deadline_ms: int = 150
    dialplan_allow: list[str] = Field(default_factory=list)
    route_max_pending: int = 64  # hook requests routed at once; more get the fallback at once
    # Reverse proxies whose X-Forwarded-For/-Proto are believed; nobody's by default.
    trusted_proxies: list[str] = Field(default_factory=list)
    http_header_timeout_s: float = 10.0  # a request's headers must arrive within this
    http_idle_timeout_s: float = 15.0  # keep-alive connections idle longer are closed
    http_max_connections: int = 8192  # HTTP + websocket connections, all sources
    http_max_connections_per_source: int = 2048
    http_max_header_bytes: int = 65_536
    http_max_body_bytes: int = 1_048_576  # larger request bodies get 413 before being read
    # new connections that begin reading in one turn of the event loop (a reconnect storm)
    http_new_connections_per_turn: int = Field(default=16, ge=1)
    ws_hello_timeout_s: float = 5.0  # a websocket must say hello within this
    ws_max_message_bytes: int = 65_536
    # websocket handshakes at work at once; more wait their turn (a reconnect storm)
    ws_handshakes_at_once: int = Field(default=16, ge=1)
    # permessage-deflate: zlib state per socket and a compression per frame; off on a LAN
    ws_compression: bool = False
    auth_fail_limit: int = 20  # failed token checks per source and window before 429
    auth_fail_window_s: float = 60.0
    token_cache_ttl_s: float = 60.0  # known tokens re-checked in the background after this
    # Supervision and recordings (issue 13): whether an agent may see they are being listened to;
    # where MixMonitor's files are (the PBX's monitor spool as mounted here); whether an agent
    # may play their own calls; days each group's recordings are kept (others: kept).
    agent_sees_monitoring: bool = False
    recordings_dir: Path | None = None
    agent_plays_own_recordings: bool = False
    recording_retention_days: dict[str, int] = Field(default_factory=dict)
    # Where recordings are kept: "local" (recordings_dir) or "s3" (an S3-compatible bucket; the
    # finished files are uploaded from recordings_dir, path-style `{endpoint}/{bucket}/{key}`)
    recordings_store: Literal["local", "s3"] = "local"
    recordings_s3_endpoint: str = ""  # e.g. https://s3.eu-central-1.amazonaws.com
    recordings_s3_bucket: str = ""
    recordings_s3_region: str = "us-east-1"
    recordings_s3_access_key: str = ""
    recordings_s3_secret_key: SecretStr = SecretStr("")
    recordings_s3_prefix: str = "recordings/"
    recordings_s3_part_mb: int = Field(default=8, ge=5)  # larger files: multipart upload
    recordings_s3_keep_local: bool = False  # keep the spool copy after a verified upload
    pause_reasons: list[str] = Field(
        default_factory=lambda: ["Lunch break", "Training", "Meeting", "Break", "Back office"]
    )
    queue_wrapup_s: dict[str, float] = Field(
        default_factory=lambda: {
            "member-hotline": 10.0,
            "online-service": 5.0,
            "telemarketing": 10.0,
            "letters": 10.0,
            "documents": 10.0,
            "finance": 10.0,
            "data-maintenance": 10.0,
        }
    )
    # Wallboard alarms: a group's longest wait over this (per group slug, else the default),
    # an agent paused longer than its reason's limit; SL under a group's target always alarms.
    alarm_wait_s: float = 60.0
    alarm_wait_s_by_group: dict[str, float] = Field(default_factory=dict)
    pause_limits_s: dict[str, float] = Field(
        default_factory=lambda: {"Break": 900.0, "Lunch break": 3600.0}
    )
    wrapup_ready_early: bool = True  # "Ready" may end the queue's wrap-up time early
    disposition_codes: list[str] = Field(
        default_factory=lambda: [
            "order_status",
            "order_placed",
            "membership",
            "payment",
            "complaint_new",
            "complaint_followup",
            "editorial_question",
            "address_change",
            "wrong_number",
            "other",
        ]
    )
    sl_short_abandon_s: float = 5.0
    staffing_shrinkage: float = 0.3  # share of paid time not on the phones (Erlang C staffing)
    staffing_max_occupancy: float = 0.85
    staffing_interval_minutes: int = 30  # the live agents_needed uses the last interval's calls
    # Finished calls the wallboard keeps replaceable (a late disposition, a recount); older ones
    # stay counted. Above call_buffer_capacity, so a rebuild never loses a call not yet stored.
    wallboard_kept_calls: int = Field(default=20_000, ge=100)
    day_start_hour: int = 0
    timezone: str = "Asia/Shanghai"
    # POST /api/reconcile holds the uploaded queue_log in memory: about a week of a busy center.
    reconcile_max_bytes: int = 64 * 1024 * 1024
    call_buffer_capacity: int = 10_000  # finished calls held while the database is away
    # Campaigns: a customer's line rings this long before it counts as no answer; the dialer
    # paces this often.
    campaign_ring_timeout_s: float = Field(default=60.0, gt=0)
    campaign_tick_s: float = Field(default=1.0, gt=0)
    campaign_resume: bool = True  # a starting process resumes the campaigns stored as running
    # Webhooks: events buffered in memory before the outbox write; per-attempt HTTP timeout;
    # retries back off from base doubling up to the cap, dead-lettered after max attempts.
    webhook_buffer: int = Field(default=10_000, ge=1)
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_retry_base_s: float = Field(default=1.0, gt=0)
    webhook_retry_cap_s: float = Field(default=600.0, gt=0)
    webhook_max_attempts: int = Field(default=12, ge=1)
    # Scaled out: exactly one process delivers (per-subscription order); the others only enqueue.
    webhook_deliver: bool = True
    # AMI events waiting for the call tracker before the listener stops reading the socket
    ami_max_queue: int = Field(default=10_000, ge=2)
    # how long the resync after each (re)connect waits for QueueStatus / CoreShowChannels; a
    # restarted Asterisk can be slow to answer the first one (other actions wait 5 s)
    ami_resync_timeout_s: float = Field(default=30.0, gt=0)
    # Work items (issue 11): attachments are kept here by content hash. The SMTP receiver turning
    # mail into `email` items runs only when smtp_port is set, answers only the relays in
    # smtp_allow (addresses or networks) and refuses mails over smtp_max_bytes. SMS gateways
    # posting to /api/work-items/sms need an intake token or an address in sms_allow.
    work_files_dir: Path = Path("./work-files")
    smtp_port: int | None = None
    smtp_host: str = "127.0.0.1"
    smtp_allow: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    smtp_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    sms_allow: list[str] = Field(default_factory=list)
    ws_backlog: int = 500
    # and at most this much text per channel, none older: an older resume gets `resync`
    ws_backlog_bytes: int = Field(default=64 * 1024, ge=1024)
    ws_backlog_age_s: float = Field(default=120.0, gt=0)
    ws_queue_size: int = 256
    # Work items (issue 11): offers held this long, then the next agent; capacity per group
    # (unnamed groups: 1 callback or 3 back-office items, not blended); callbacks retried so.
    work_offers_enabled: bool = True  # scaled out: exactly one process offers
    work_offer_timeout_s: float = Field(default=30.0, gt=0)
    # A work group an agent never logged in to or out of follows their voice queue (today's
    # behaviour); off: only an explicit work login counts.
    work_login_follows_queues: bool = True
    # Other processes' work-item changes: polled this often without a bus (or while it is
    # down), by last change; every change is swept up incrementally every `work_sweep_s`.
    work_feed_poll_s: float = Field(default=1.0, gt=0)
    work_sweep_s: float = Field(default=600.0, gt=0)
    work_capacity: dict[str, WorkCapacity] = Field(default_factory=dict)
    callback_max_attempts: int = Field(default=3, ge=1)
    callback_retry_s: float = Field(default=600.0, ge=0)
    callback_window: str = "09:00-20:00"  # local time (`timezone`) calls may be placed in
    callback_dial_timeout_s: float = Field(default=120.0, gt=0)  # for the agent to answer
    # A known caller (matched customer) who hangs up after waiting longer than this gets a
    # callback item when on; a caller withdrawn from the queue always gets one (keep my place).
    callback_abandoned: bool = False
    callback_abandoned_min_wait_s: float = Field(default=30.0, ge=0)
    # Keep my place by the backend: a caller with a number who has waited this long (0 = off) is
    # withdrawn from the queue (QueueWithdrawCaller) and called back; only these queues if named.
    callback_withdraw_after_s: float = Field(default=0.0, ge=0)
    callback_withdraw_queues: list[str] = Field(default_factory=list)
    log_level: str = "INFO"
    log_format: str = "text"  # or "json": one object per line, with pbx and linkedid about a call

    def staffing_rules(self) -> StaffingRules:
        """The Erlang C staffing settings (validated: shrinkage in [0, 1), occupancy in (0, 1])."""
        return StaffingRules(
            shrinkage=self.staffing_shrinkage,
            max_occupancy=self.staffing_max_occupancy,
            interval_minutes=self.staffing_interval_minutes,
        )


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides (tests, CLI flags) on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
