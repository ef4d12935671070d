#!/usr/bin/env python3
"""Turn a monitoring alert into a technical support request, then follow it.

Standard library only, so it runs from any alert hook:

    export HELPCENTER_URL=https://help.example.com
    export HELPCENTER_TOKEN=hc_...            # a read-write token from the API tokens page
    python alert_to_request.py --cluster globex-analytics --severity S2 \\
        --summary "TiKV store down" --description "Alertmanager: TiKVStoreDown fired at 09:12" \\
        --component TiKV --polls 10 --interval 60

It finds the cluster by name among your organizations, files the request with the cluster's
organization, environment and version filled in, prints the key, then polls the request and
prints each change of status or first-response state as one JSON line. Exit status: 0 once an
engineer has responded or the request left "waiting for support", 3 if it is still waiting
after the last poll, 1 on an error (the API's message is printed).
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request


class ApiError(Exception):
    pass


def call(base_url: str, token: str, method: str, path: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base_url.rstrip("/") + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            **({"Content-Type": "application/json"} if data else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 429:
            wait = int(error.headers.get("Retry-After", "5"))
            time.sleep(wait)
            return call(base_url, token, method, path, body)
        raise ApiError(f"{method} {path}: {error.code} {error.read().decode()}") from error


def find_cluster(base_url: str, token: str, name: str) -> dict:
    for organization in call(base_url, token, "GET", "/api/v1/organizations/"):
        clusters = call(
            base_url, token, "GET", f"/api/v1/organizations/{organization['id']}/clusters/"
        )
        for cluster in clusters:
            if cluster["name"] == name:
                return cluster
    raise ApiError(f"No cluster named {name} in your organizations.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cluster", required=True)
    parser.add_argument("--summary", required=True)
    parser.add_argument("--description", required=True)
    parser.add_argument("--severity", default="S2", choices=["S1", "S2", "S3", "S4"])
    parser.add_argument("--component", action="append", default=[])
    parser.add_argument("--polls", type=int, default=10)
    parser.add_argument("--interval", type=float, default=60)
    args = parser.parse_args(argv)
    base_url = os.environ.get("HELPCENTER_URL", "http://127.0.0.1:8000")
    token = os.environ.get("HELPCENTER_TOKEN", "")
    if not token:
        print("Set HELPCENTER_TOKEN to a read-write API token.", file=sys.stderr)
        return 1
    try:
        cluster = find_cluster(base_url, token, args.cluster)
        created = call(
            base_url,
            token,
            "POST",
            "/api/v1/requests/",
            {
                "portal": "technical",
                "summary": args.summary,
                "organization": cluster["organization"],
                "cluster": cluster["id"],
                "environment": cluster["environment"],
                "description": args.description,
                "severity": args.severity,
                "components": args.component,
                "affects_version": cluster["version"],
            },
        )
        print(json.dumps({"filed": created["key"], "url": base_url + created["url"]}), flush=True)
        seen = None
        for poll in range(args.polls):
            current = call(base_url, token, "GET", f"/api/v1/requests/{created['key']}/")
            state = (current["status"], current["response"]["state"])
            if state != seen:
                seen = state
                print(json.dumps({"key": current["key"], "status": state[0], "response": state[1]}))
            if current["response"]["responded_at"] or current["status"] != "waiting_for_support":
                return 0
            if poll + 1 < args.polls:
                time.sleep(args.interval)
    except ApiError as error:
        print(str(error), file=sys.stderr)
        return 1
    return 3


if __name__ == "__main__":
    sys.exit(main())
