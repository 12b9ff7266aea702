"""Where the interactive page is shown: inline in Jupyter (an iframe), the URL
elsewhere; behind JupyterHub through jupyter-server-proxy.

The page is served on 127.0.0.1 by a thread of the kernel's process, so a
browser on another machine reaches it only through a proxy. With
jupyter-server-proxy installed in the single-user server, the page is at
``{JUPYTERHUB_SERVICE_PREFIX}proxy/{port}/``; the proxy forwards the browser's
``Host`` header, so the hub's host name must be allowed: pass
``allowed_hosts=["hub.example.org"]`` or set ``SYNAPTUNE_ALLOWED_HOSTS``
(comma-separated). ``SYNAPTUNE_PROXY_URL`` (``{port}`` is replaced) overrides
the address shown.
"""

from __future__ import annotations

import os
from typing import Iterable, List, Optional
from urllib.parse import urlparse


def in_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (where an iframe can be shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and "IPKernelApp" in getattr(ip, "config", {})


def allowed_hosts(explicit: Optional[Iterable[str]]) -> List[str]:
    """Host names the page answers besides loopback: ``explicit``,
    ``SYNAPTUNE_ALLOWED_HOSTS`` and the hub's public host when JupyterHub
    says it (``JUPYTERHUB_PUBLIC_URL``, ``JUPYTERHUB_PUBLIC_HUB_URL``)."""
    hosts = list(explicit or [])
    env = os.environ.get("SYNAPTUNE_ALLOWED_HOSTS", "")
    hosts += [h.strip() for h in env.split(",") if h.strip()]
    for var in ("JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_PUBLIC_HUB_URL"):
        host = urlparse(os.environ.get(var, "")).hostname
        if host:
            hosts.append(host)
    return list(dict.fromkeys(hosts))


def page_url(url: str, port: int) -> str:
    """The address a notebook's browser opens: ``SYNAPTUNE_PROXY_URL``, else
    jupyter-server-proxy's path under JupyterHub, else ``url``."""
    template = os.environ.get("SYNAPTUNE_PROXY_URL")
    if template:
        return template.replace("{port}", str(port))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix and _has_server_proxy():
        return f"{prefix.rstrip('/')}/proxy/{port}/"
    return url


def _has_server_proxy() -> bool:
    try:
        import jupyter_server_proxy  # noqa: F401
    except ImportError:
        return False
    return True


def show(handle, height: int = 900) -> str:
    """Show the page inline in a notebook, else print its address; returns it."""
    url = page_url(handle.url, handle.port)
    if in_notebook():
        from IPython.display import IFrame, display

        display(IFrame(url, width="100%", height=height))
        print(f"synaptune: interactive tuner at {url} (stop it with tuner.server.stop())")
    else:
        print(f"synaptune: serving on {url} (stop it with tuner.server.stop())")
    return url
