"""A real Asterisk with the shipped asterisk/*.conf and `callcenter serve` next to it, on loopback.

The config folder holds the shipped files unchanged (under `shipped/`) and thin top-level files
that `#include` them and add only what a lab needs: its own directories and ports, a second AMI
user for the test driver, and `cc-test.conf`, which stands in for phones, callers and the PSTN
with Local channels.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import lab_files
from lab_files import tone

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "asterisk"
HERE = Path(__file__).resolve().parent
BACKEND_SECRET = "pbx-lab-backend"
DRIVER_USER = "cc-test-driver"
DRIVER_SECRET = "pbx-lab-driver"
PBX_NAME = "pbx1"
WITHDRAW_AFTER_S = 4  # seconds a caller waits in documents before the backend withdraws them
CALLBACK_RETRY_S = 5
# an attempt whose agent has not answered by then is given back; longer than [agent-phone]'s
# 30 s ring, so an unanswered phone is given back by its call's end, not by this deadline
CALLBACK_DIAL_TIMEOUT_S = 40
AGENT_CODES = tuple(f"10{n:02d}" for n in range(1, 13))


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Lab:
    """Where everything of one run lives, and the two processes."""

    root: Path
    prefix: Path
    ami_port: int = field(default_factory=free_port)
    agi_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    tokens: dict[str, str] = field(default_factory=dict)
    asterisk: subprocess.Popen[bytes] | None = None
    backend: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.root / "etc"

    @property
    def db_path(self) -> Path:
        return self.root / "callcenter.db"

    @property
    def database_url(self) -> str:
        return os.environ.get("CALLCENTER_TEST_PBX_DATABASE_URL") or (
            f"sqlite+aiosqlite:///{self.db_path}"
        )

    @property
    def queue_log(self) -> Path:
        return self.root / "log" / "queue_log"

    @property
    def recordings(self) -> Path:
        return self.root / "spool" / "monitor"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}{path}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.http_port}/ws/agent"

    def binary(self) -> Path:
        for candidate in (self.prefix / "sbin" / "asterisk", self.prefix / "bin" / "asterisk"):
            if candidate.exists():
                return candidate
        raise RuntimeError(f"no asterisk binary under {self.prefix}/sbin or /bin")

    def modules_dir(self) -> Path:
        for lib in ("lib", "lib64", "lib/x86_64-linux-gnu"):
            candidate = self.prefix / lib / "asterisk" / "modules"
            if candidate.is_dir():
                return candidate
        raise RuntimeError(f"no lib/asterisk/modules under {self.prefix}")

    # ---- config folder -------------------------------------------------------------------

    def lay_out(self) -> None:
        """Write the config folder and the directories Asterisk runs in."""
        for sub in ("etc/shipped", "lib", "run", "log", "spool/monitor", "moh", "agi"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        for path in SHIPPED.glob("*.conf"):
            shutil.copyfile(path, self.conf / "shipped" / path.name)
        # the lab's own data folder: the installed documentation, plus the few prompts the
        # dialplan and the transfer feature play, generated here (the lab downloads nothing)
        data_dir = self.root / "data"
        installed_docs = self.prefix / "var" / "lib" / "asterisk" / "documentation"
        (data_dir / "sounds" / "en" / "custom").mkdir(parents=True, exist_ok=True)
        if installed_docs.is_dir():
            (data_dir / "documentation").symlink_to(installed_docs)
        for prompt in (
            "pbx-transfer",
            "beep",
            "custom/cc-we-will-call-back",
            "custom/cc-press-1-callback",
            "custom/cc-hotline-menu",
            "custom/cc-campaign-abandon",
            "custom/cc-campaign-message",
        ):
            tone(data_dir / "sounds" / "en" / f"{prompt}.wav", seconds=0.5)
        # an answering machine's greeting: 4 s of sound, longer than AMD's 1.5 s for a human
        tone(data_dir / "sounds" / "en" / "cc-test-greeting.wav", seconds=4)
        # a person's "hello?": half a second of sound, then silence (app_amd's HUMAN: a greeting
        # shorter than 1.5 s followed by 0.8 s of silence)
        tone(data_dir / "sounds" / "en" / "cc-test-hello.wav", seconds=0.5, silence=2.5)
        files = {
            "asterisk.conf": lab_files.ASTERISK_CONF.format(
                conf=self.conf, root=self.root, mods=self.modules_dir(), data=data_dir
            ),
            "modules.conf": lab_files.MODULES_CONF,
            "logger.conf": lab_files.LOGGER_CONF,
            "musiconhold.conf": f"[default]\nmode = files\ndirectory = {self.root / 'moh'}\n",
            "features.conf": lab_files.FEATURES_CONF,
            "amd.conf": lab_files.AMD_CONF,
            "indications.conf": lab_files.INDICATIONS_CONF,
            "cdr.conf": "[general]\nenable = yes\n",
            "queues.conf": '#include "shipped/queues.conf"\n',
            "manager.conf": lab_files.MANAGER_CONF.format(
                port=self.ami_port,
                secret=BACKEND_SECRET,
                driver=DRIVER_USER,
                driver_secret=DRIVER_SECRET,
            ),
            "extensions.conf": '#include "shipped/extensions.conf"\n#include "cc-test.conf"\n',
            "cc-test.conf": (HERE / "cc-test.conf")
            .read_text("utf-8")
            .replace("@AGI_PORT@", str(self.agi_port)),
        }
        for name, text in files.items():
            (self.conf / name).write_text(text, "utf-8")
        tone(self.root / "moh" / "tone.wav")

    def routing_file(self) -> Path:
        """The rule book with every group open around the clock, so the run's hour cannot matter."""
        text = (REPO / "src" / "callcenter" / "routing" / "default.toml").read_text("utf-8")
        text = re.sub(r"^hours = \[.*\]$", 'hours = ["00:00-24:00"]', text, flags=re.M)
        text = re.sub(
            r"^holiday_hours = \[.*\]$", 'holiday_hours = ["00:00-24:00"]', text, flags=re.M
        )
        path = self.root / "routing.toml"
        path.write_text(text, "utf-8")
        return path

    # ---- processes -----------------------------------------------------------------------

    def start_asterisk(self) -> None:
        log = (self.root / "asterisk.out").open("wb")
        self.asterisk = subprocess.Popen(
            [str(self.binary()), "-f", "-n", "-C", str(self.conf / "asterisk.conf")],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        _wait_port(self.ami_port, 30, self.asterisk, self.root / "log" / "messages.log")

    def cli(self, command: str) -> str:
        """Run one CLI command on the running Asterisk (through its control socket)."""
        out = subprocess.run(
            [str(self.binary()), "-C", str(self.conf / "asterisk.conf"), "-rx", command],
            capture_output=True,
            timeout=20,
            check=False,
        )
        return out.stdout.decode("utf-8", "replace")

    def backend_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
        env.update(
            CALLCENTER_DATABASE_URL=self.database_url,
            CALLCENTER_HTTP_HOST="127.0.0.1",
            CALLCENTER_HTTP_PORT=str(self.http_port),
            CALLCENTER_AGI_HOST="127.0.0.1",
            CALLCENTER_AGI_PORT=str(self.agi_port),
            CALLCENTER_AMI_SERVERS=json.dumps(
                [
                    {
                        "name": PBX_NAME,
                        "host": "127.0.0.1",
                        "port": self.ami_port,
                        "username": "callcenter",
                        "secret": BACKEND_SECRET,
                    }
                ]
            ),
            CALLCENTER_ROUTING_FILE=str(self.routing_file()),
            CALLCENTER_LOG_LEVEL="INFO",
            # work items: mail in on the lab's own SMTP port, files in the lab folder; callbacks
            # may be dialled around the clock (the run's hour must not matter) and a failed
            # attempt is tried again after a few seconds, not ten minutes
            CALLCENTER_SMTP_PORT=str(self.smtp_port),
            CALLCENTER_WORK_FILES_DIR=str(self.root / "work-files"),
            CALLCENTER_CALLBACK_WINDOW="00:00-23:59",
            CALLCENTER_CALLBACK_RETRY_S=str(CALLBACK_RETRY_S),
            CALLCENTER_CALLBACK_DIAL_TIMEOUT_S=str(CALLBACK_DIAL_TIMEOUT_S),
            # keep my place by the backend: only in the documents queue, which no other test
            # leaves a caller waiting in
            CALLCENTER_CALLBACK_WITHDRAW_AFTER_S=str(WITHDRAW_AFTER_S),
            CALLCENTER_CALLBACK_WITHDRAW_QUEUES='["documents"]',
        )
        return env

    def callcenter(self, *args: str) -> str:
        """Run a `callcenter` command against the lab's database; its stdout."""
        out = subprocess.run(
            [sys.executable, "-m", "callcenter", *args, "--database-url", self.database_url],
            capture_output=True,
            env=self.backend_env(),
            timeout=300,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"callcenter {' '.join(args)}: {out.stderr.decode()[-2000:]}")
        return out.stdout.decode()

    def prepare_backend(self) -> None:
        """Migrate and seed the database (the 12 agents and the known callers), issue tokens."""
        self.callcenter("seed", "--customers", "60", "--quiet")
        self.tokens["admin"] = self.callcenter("token", "create", "--role", "admin").strip()
        for code in AGENT_CODES:
            self.tokens[code] = self.callcenter(
                "token", "create", "--role", "agent", "--agent", code
            ).strip()

    def start_backend(self) -> None:
        log = (self.root / "callcenter.out").open("wb")
        self.backend = subprocess.Popen(
            [sys.executable, "-m", "callcenter", "serve"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.backend_env(),
        )
        _wait_port(self.http_port, 30, self.backend, self.root / "callcenter.out")
        _wait_port(self.agi_port, 10, self.backend, self.root / "callcenter.out")
        # logged in to AMI: an agent login is a real QueueAdd and fails until then
        deadline = time.monotonic() + 30
        headers = {"Authorization": f"Bearer {self.tokens['admin']}"}
        while True:
            r = httpx.post(self.url("/api/agents/1012/login"), headers=headers, timeout=10)
            if r.status_code == 200:
                httpx.post(self.url("/api/agents/1012/logout"), headers=headers, timeout=10)
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the backend never reached AMI: {r.status_code} {r.text}")
            time.sleep(0.5)

    def stop(self) -> None:
        for proc in (self.backend, self.asterisk):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)


def _wait_port(port: int, timeout: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text("utf-8", "replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}:\n{tail}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listened on port {port} within {timeout}s (see {log})")
