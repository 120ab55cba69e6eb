"""Building the supervision, recording and quality services (issue 13), called by bootstrap.py.

Kept apart so bootstrap.py stays one readable page; the CLI's `recordings purge` builds its
service here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from callcenter.adapters.db.database import Database
from callcenter.settings import Settings

if TYPE_CHECKING:
    from callcenter.adapters.ami.listener import AmiListener
    from callcenter.adapters.ami.pipeline import AmiPipeline
    from callcenter.ports.audit import AuditLog
    from callcenter.ports.recordings import RecordingStore
    from callcenter.services.quality import QualityService
    from callcenter.services.recordings import RecordingService
    from callcenter.services.supervision import Supervision


def supervision_service(
    settings: Settings,
    db: Database,
    listeners: dict[str, AmiListener],
    pipelines: dict[str, AmiPipeline],
    audit: AuditLog,
    interface_of: Callable[[str], str | None] | None = None,
) -> Supervision:
    """ChanSpy over AMI on the channel the call tracker shows the agent talking on."""
    from callcenter.adapters.ami.commands import AmiCommandsByServer
    from callcenter.services.supervision import Supervision

    def live_channel_of(pbx: str, interface: str) -> tuple[str, str] | None:
        pipeline = pipelines.get(pbx)
        return None if pipeline is None else pipeline.tracker.agent_call(pbx, interface)

    return Supervision(
        uow=db.uow,
        pbxs=AmiCommandsByServer(listeners),
        audit=audit,
        live_channel_of=live_channel_of,
        agent_sees_monitoring=settings.agent_sees_monitoring,
        interface_of=interface_of,
    )


def recording_service(
    settings: Settings,
    db: Database,
    audit: AuditLog | None = None,
    listeners: dict[str, AmiListener] | None = None,
    pipelines: dict[str, AmiPipeline] | None = None,
) -> RecordingService:
    """Recordings in the local `recordings_dir` or an S3-compatible bucket, indexed."""
    from callcenter.adapters.ami.commands import AmiCommandsByServer
    from callcenter.adapters.db.repo_audit import SqlAuditLog
    from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
    from callcenter.services.recordings import RecordingService

    live = pipelines if pipelines is not None else {}

    def live_channel_of(pbx: str, interface: str) -> tuple[str, str] | None:
        pipeline = live.get(pbx)
        return None if pipeline is None else pipeline.tracker.agent_call(pbx, interface)

    store = recording_store(settings)
    if store is None:
        logging.getLogger(__name__).info(
            "recordings: CALLCENTER_RECORDINGS_DIR unset, calls' recordings indexed by name only"
        )
    return RecordingService(
        uow=db.uow,
        store=store,
        index=SqlRecordingIndex(db.engine),
        audit=audit if audit is not None else SqlAuditLog(db.engine),
        pbxs=AmiCommandsByServer(listeners if listeners is not None else {}),
        live_channel_of=live_channel_of,
        agent_plays_own=settings.agent_plays_own_recordings,
        retention_days=settings.recording_retention_days,
    )


def recording_store(settings: Settings) -> RecordingStore | None:
    """The local directory (default), or the bucket fed from it (`recordings_store = "s3"`)."""
    from callcenter.adapters.recording_files import LocalRecordingStore

    if settings.recordings_store == "local":
        return LocalRecordingStore(settings.recordings_dir) if settings.recordings_dir else None
    from callcenter.adapters.recording_s3 import S3RecordingStore
    from callcenter.adapters.s3.client import S3Client
    from callcenter.adapters.s3.sigv4 import Credentials

    if not (settings.recordings_s3_endpoint and settings.recordings_s3_bucket):
        raise ValueError("recordings_store = s3 needs recordings_s3_endpoint and _bucket")
    client = S3Client(
        endpoint=settings.recordings_s3_endpoint,
        bucket=settings.recordings_s3_bucket,
        creds=Credentials(
            access_key=settings.recordings_s3_access_key,
            secret_key=settings.recordings_s3_secret_key.get_secret_value(),
            region=settings.recordings_s3_region,
        ),
    )
    return S3RecordingStore(
        client,
        spool=settings.recordings_dir,
        prefix=settings.recordings_s3_prefix,
        part_size=settings.recordings_s3_part_mb * 1024 * 1024,
        keep_local=settings.recordings_s3_keep_local,
    )


def quality_service(db: Database, audit: AuditLog) -> QualityService:
    """Scorecards and evaluations in the database; scores link to the call's indexed recording."""
    from callcenter.adapters.db.repo_quality import SqlQualityStore
    from callcenter.adapters.db.repo_recordings import SqlRecordingIndex
    from callcenter.services.quality import QualityService

    return QualityService(
        uow=db.uow,
        store=SqlQualityStore(db.engine),
        audit=audit,
        recordings=SqlRecordingIndex(db.engine),
    )
