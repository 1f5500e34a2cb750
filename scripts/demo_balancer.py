"""A demo tool, not for production: a small round-robin HTTP load balancer for running
replicas on one machine (`make run-replicas`, tests/e2e/test_replicas.py, bench/scale.py).
In production the Kubernetes Services and Ingress (deploy/k8s/) or nginx
(deploy/nginx.conf) do this job.

    python scripts/demo_balancer.py --port 8080 http://127.0.0.1:5005 http://127.0.0.1:5015

Requests go to the backends in turn; one that refuses the connection is skipped (as
nginx's proxy_next_upstream does). Each response says which backend answered in
X-Upstream, so tests can see the replicas take turns.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
from typing import List

import aiohttp
from aiohttp import web

HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailer", "transfer-encoding", "upgrade", "host", "content-length", "content-encoding",
}


def make_app(backends: List[str], timeout_seconds: float = 120.0) -> web.Application:
    turns = itertools.cycle(backends)
    app = web.Application(client_max_size=8 * 1024 * 1024)

    async def open_session(app: web.Application) -> None:
        app["session"] = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout_seconds), auto_decompress=False
        )

    async def close_session(app: web.Application) -> None:
        await app["session"].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = request.remote or ""
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        for _ in backends:
            backend = next(turns)
            try:
                async with app["session"].request(
                    request.method, backend + request.path_qs, headers=headers, data=body,
                    allow_redirects=False,
                ) as upstream:
                    payload = await upstream.read()
                    kept = {
                        k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP
                    }
                    if "Content-Encoding" in upstream.headers:
                        kept["Content-Encoding"] = upstream.headers["Content-Encoding"]
                    response = web.Response(body=payload, status=upstream.status, headers=kept)
                    response.headers["X-Upstream"] = backend
                    return response
            except aiohttp.ClientConnectorError:
                continue  # nothing was sent: safe to try the next backend
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                return web.Response(status=502, text=f"backend {backend} failed: {error}")
        return web.Response(status=502, text="no backend answered")

    app.on_startup.append(open_session)
    app.on_cleanup.append(close_session)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("backends", nargs="+", help="e.g. http://127.0.0.1:5005")
    options = parser.parse_args()
    backends = [backend.rstrip("/") for backend in options.backends]
    print(f"balancing :{options.port} over {', '.join(backends)}", flush=True)
    web.run_app(make_app(backends), host=options.host, port=options.port, print=None)


if __name__ == "__main__":
    main()
