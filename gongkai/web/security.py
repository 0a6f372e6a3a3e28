"""Security headers on every response, set in one middleware (issue 14).

Pages load scripts only from this site (htmx and ECharts from ``/static/vendor``); no other site may
frame them. Styles allow ``'unsafe-inline'``: the report previews are ``srcdoc`` frames, which take
the page's policy, and the printed report carries its own ``<style>`` and per-column widths. The
JSON API's document (``/api/docs``) has a policy of its own, allowing Swagger UI's one inline
script by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HEADERS = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def content_security_policy(**changes: str) -> str:
    """The policy, with some directives changed."""
    return "; ".join(f"{name} {value}" for name, value in (POLICY | changes).items())


def inline_script_hashes(html: str) -> str:
    """The CSP sources allowing exactly the inline scripts of ``html``, by their SHA-256."""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    digests = (base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() for s in scripts)
    return " ".join(f"'sha256-{digest}'" for digest in digests)


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` and the policy to every HTTP response; a path in
    ``policies`` gets its own policy instead of the default one."""

    def __init__(self, app: ASGIApp, policies: dict[str, str] | None = None) -> None:
        self.app = app
        self.policies = policies or {}
        self.default = content_security_policy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope["path"], self.default)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in {**HEADERS, "Content-Security-Policy": policy}.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
