"""The chaos bench's database proxy, in a process of its own (used by bench/chaos_rig.py).

Every serve process reaches PostgreSQL through it. SIGUSR1 holds every byte (a stalled
database) until SIGUSR2 lets them flow again. It prints the port it listens on, then runs until
it is terminated. Its own process, at the bench's priority: in the bench's process the proxy
shared one event loop with the desktops and the reconnect storm it was meant to stand apart from,
and a query's round trip then waited for them.

    python bench/chaos_proxy.py UPSTREAM_PORT
"""

from __future__ import annotations

import asyncio
import signal
import sys


class Proxy:
    """A loopback TCP proxy that can hold every byte for a while."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.flowing = asyncio.Event()
        self.flowing.set()

    async def accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            writer.transport.abort()
            return
        await asyncio.gather(
            self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True
        )

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self.flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


async def run(upstream: int) -> None:
    proxy = Proxy(upstream)
    server = await asyncio.start_server(proxy.accept, "127.0.0.1", 0)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, proxy.flowing.clear)
    loop.add_signal_handler(signal.SIGUSR2, proxy.flowing.set)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print(server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    proxy.flowing.set()
    server.close()


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1])))
