"""The services' outbound HTTP client (httpx over httpcore) makes its calls without searching the
import path: httpcore imports sniffio on every lock, event and response it closes, and were it
missing each would be a failed import, a search of every path entry (0.2 ms of CPU, several
times a call, in every process that calls out)."""

import asyncio
import contextlib
import importlib.abc
import sys

import httpx
import pytest

from warta.runtime.http import PeerGoneAsNetworkError, client_tls, client_transport


class SearchesCounted(importlib.abc.MetaPathFinder):
    """First on the import path: sees every module the interpreter goes looking for."""

    def __init__(self) -> None:
        self.searched: list[str] = []

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        self.searched.append(fullname)
        return None  # the other finders go on as usual


async def test_an_outbound_call_searches_the_import_path_for_nothing():
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):  # the client hangs up
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok")
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    counted = SearchesCounted()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/")).text == "ok"  # the first call may import what it needs once
            sys.meta_path.insert(0, counted)
            try:
                for _ in range(3):
                    assert (await client.get("/")).text == "ok"
            finally:
                sys.meta_path.remove(counted)
    finally:
        server.close()
        await server.wait_closed()
    assert counted.searched == []


class _PeerGoneOnOpen(httpx.AsyncBaseTransport):
    """What anyio raises on uvloop when the peer closed the connection as it opened."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise AttributeError("'NoneType' object has no attribute 'getpeername'")


async def test_a_connection_closed_as_it_opened_is_a_network_error_the_caller_can_retry():
    async with httpx.AsyncClient(transport=PeerGoneAsNetworkError(_PeerGoneOnOpen())) as client:
        with pytest.raises(httpx.ConnectError, match="closed as it opened"):
            await client.get("http://coverage.invalid/assets/a1")


async def test_a_channels_transport_carries_an_ordinary_call_through():
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(transport=client_transport(client_tls())) as client:
            response = await client.get(f"http://127.0.0.1:{port}/")
        assert (response.status_code, response.text) == (200, "ok")
    finally:
        server.close()
        await server.wait_closed()
