"""What the lab writes besides the shipped configs: the thin top-level Asterisk config files (their
text, filled in by `Lab.lay_out`) and the quiet tone it uses for music on hold and prompts."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path


def tone(path: Path, seconds: float = 2.0, silence: float = 0.0) -> None:
    """A quiet 440 Hz tone, 8 kHz mono, then `silence` seconds of silence: the lab's music on
    hold and prompts."""
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(rate * seconds))
    ) + bytes(2 * int(rate * silence))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


ASTERISK_CONF = """[directories]
astetcdir => {conf}
astmoddir => {mods}
astvarlibdir => {root}/lib
astdbdir => {root}/lib
astkeydir => {root}/lib
astdatadir => {data}
astagidir => {root}/agi
astspooldir => {root}/spool
astrundir => {root}/run
astlogdir => {root}/log

[options]
verbose = 3
nocolor = yes
documentation_language = en_US
"""

MODULES_CONF = """[modules]
autoload = yes
; the lab has no SIP and needs no HTTP server
noload => res_pjsip.so
noload => chan_pjsip.so
noload => res_http_websocket.so
"""

LOGGER_CONF = """[general]
queue_log = yes

[logfiles]
messages.log => notice,warning,error,verbose
"""

FEATURES_CONF = """[general]
transferdigittimeout = 3

[featuremap]
atxfer => *2
blindxfer => #1
"""

# Asterisk's own defaults, written out because app_amd refuses to load without the file
AMD_CONF = """[general]
initial_silence = 2500
greeting = 1500
after_greeting_silence = 800
total_analysis_time = 5000
min_word_length = 100
between_words_silence = 50
maximum_number_of_words = 2
silence_threshold = 256
maximum_word_length = 5000
"""

INDICATIONS_CONF = """[general]
country = cn

[cn]
description = China
ringcadence = 1000,4000
dial = 450
ring = 450/1000,0/4000
busy = 450/350,0/350
congestion = 450/700,0/700
"""

MANAGER_CONF = """#include "shipped/manager.conf"

[general](+)
port = {port}

[callcenter](+)
secret = {secret}

; the test driver: callers, the attended transfer, the withdrawal, AstDB settings
[{driver}]
secret = {driver_secret}
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
read = all
write = all
"""
