#!/usr/bin/env python3
"""A TCP proxy between a site and the hub that cuts the link like a weak mountain line.

cutting-proxy.py LISTEN_PORT TARGET_PORT CUTS

The first CUTS connections are cut, alternately: in the middle of the request (half of its
first bytes reach the hub, then both sides are closed), and after the whole request but
before the reply (the hub committed, the site never hears it: a lost acknowledgement).
Later connections pass through. Prints one line per cut to stdout.
"""
import asyncio
import sys

listen_port, target_port, cuts = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
counter = 0


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(site_reader, site_writer):
    global counter
    counter += 1
    n = counter
    try:
        hub_reader, hub_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        site_writer.close()
        return
    if n > cuts:
        await asyncio.gather(pipe(site_reader, hub_writer), pipe(hub_reader, site_writer))
        return
    first = await site_reader.read(65536)
    if n % 2 == 1:
        hub_writer.write(first[: max(1, len(first) // 2)])
        await hub_writer.drain()
        print(f"cut {n}: mid-request after {len(first) // 2} of {len(first)} bytes", flush=True)
    else:
        hub_writer.write(first)
        await hub_writer.drain()
        # The whole request: the body may follow in more reads; give it a moment.
        try:
            while more := await asyncio.wait_for(site_reader.read(65536), 0.3):
                hub_writer.write(more)
                await hub_writer.drain()
        except asyncio.TimeoutError:
            pass
        reply = await hub_reader.read(65536)
        print(f"cut {n}: reply of {len(reply)} bytes dropped (lost acknowledgement)", flush=True)
    hub_writer.close()
    site_writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()

asyncio.run(main())
