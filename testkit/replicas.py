"""Replicas of the app behind HAProxy, on loopback, as the README's "Serving more people
than one machine can" sets them up: a sticky cookie, round robin for new browsers, and
websockets passed through."""

import shutil
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

# One replica in its own PID namespace (and /proc): its process ids are another machine's.
OTHER_MACHINE = ("unshare", "--pid", "--fork", "--mount-proc")
COOKIE = "MNIST_REPLICA"


def haproxy_config(port: int, servers: dict[str, int]) -> str:
    """HAProxy's configuration: loopback `port` in front of {cookie value: app port}."""
    lines = "\n".join(
        f"    server {name} 127.0.0.1:{app_port} check cookie {name}"
        for name, app_port in servers.items()
    )
    return f"""global
    maxconn 500

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # a page's websocket stays open as long as the tab: idle for minutes between strokes
    timeout tunnel 1h

frontend mnist_canvas_in
    bind 127.0.0.1:{port}
    default_backend mnist_canvas

backend mnist_canvas
    balance roundrobin
    cookie {COOKIE} insert indirect nocache
    option httpchk GET /_stcore/health
{lines}
"""


@contextmanager
def running_haproxy(folder: Path, port: int, servers: dict[str, int]):
    """HAProxy in the foreground on `port`, its configuration in `folder`; its URL."""
    # Debian puts it in /usr/sbin, which a plain user's PATH may leave out
    haproxy = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if haproxy is None:
        raise RuntimeError("haproxy is not installed (make test-deps installs it)")
    config = Path(folder) / "haproxy.cfg"
    config.write_text(haproxy_config(port, servers))
    subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)
    process = subprocess.Popen(
        [haproxy, "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    raise RuntimeError("haproxy did not answer within 30 s") from None
                time.sleep(0.2)
        yield url
    finally:
        process.kill()
        process.wait()
