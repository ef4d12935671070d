"""Tell the developer what to start when the test services are unreachable."""

import socket
import sys
from urllib.parse import urlparse

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no",
}


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    database_url, redis_url = sys.argv[1], sys.argv[2]
    missing = []
    for name, url, default_port in (
        ("PostgreSQL", database_url, 5432),
        ("Redis", redis_url, 6379),
    ):
        parsed = urlparse(url)
        host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
        if not reachable(host, port):
            missing.append(
                f"{name} is not reachable at {host}:{port}. Start it with:\n    {START_HINTS[name]}"
            )
    if missing:
        print("The test suite runs against real services:\n" + "\n".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
