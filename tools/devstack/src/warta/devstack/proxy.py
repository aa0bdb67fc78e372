"""A TCP proxy for tests that holds back the answer to chosen HTTP requests.

The request reaches the server at once and the server acts on it; only its answer is delayed, as
when a reply is lost on a slow network and the client gives up waiting. That is the case an
idempotent channel has to survive: the work is done, the caller does not know it.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

# Given a request's first line (``b"POST /path HTTP/1.1"``), how long to hold its answer (0: not).
DelayFor = Callable[[bytes], float]


@dataclass
class DelayingProxy:
    url: str
    delayed: list[bytes] = field(default_factory=list)  # the request lines whose answers were held


@asynccontextmanager
async def delaying_proxy(host: str, port: int, delay_for: DelayFor) -> AsyncIterator[DelayingProxy]:
    proxy = DelayingProxy(url="")

    async def pipe(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        server_reader, server_writer = await asyncio.open_connection(host, port)
        hold: list[float] = []

        async def upstream() -> None:
            while chunk := await client_reader.read(65536):
                first_line = chunk.split(b"\r\n", 1)[0]
                if first_line.split(b" ", 1)[0] in {b"GET", b"POST", b"PUT", b"PATCH", b"DELETE"}:
                    seconds = delay_for(first_line)
                    if seconds > 0:
                        proxy.delayed.append(first_line)
                        hold.append(seconds)
                server_writer.write(chunk)
                await server_writer.drain()
            server_writer.close()

        async def downstream() -> None:
            while chunk := await server_reader.read(65536):
                if hold:
                    await asyncio.sleep(hold.pop(0))
                client_writer.write(chunk)
                await client_writer.drain()
            client_writer.close()

        # A held answer may still be asleep when the test closes the proxy.
        with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
            await asyncio.gather(upstream(), downstream())
        for writer in (server_writer, client_writer):
            writer.close()

    server = await asyncio.start_server(pipe, "127.0.0.1", 0)
    proxy.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield proxy
    finally:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), 2)
