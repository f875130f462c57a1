#!/usr/bin/env python3
"""A flood of the public pages from one address, against a running demo.

Starts `shanyrak demo --scale small` (its first organisation runs /pre-register and
/offer-a-bed), takes one pre-session per page (cookie and form token), then sends
SUBMISSIONS valid submissions to each page from one address over CONCURRENCY keep-alive
connections, while a separate client asks /healthz/live every 0.2 s. Prints a row per
page for docs/BENCHMARKS.md: time, rate, answers by status, rows stored (counted in the
demo's SQLite file) and the slowest health check.

    python3 bench/flood.py [--bin target/release/shanyrak] [--submissions 10000] [--concurrency 32]

Standard library only.
"""

import argparse
import http.client
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter


def start_demo(binary, db_path):
    child = subprocess.Popen(
        [binary, "demo", "--scale", "small", "--bind", "127.0.0.1:0", "--db", f"sqlite://{db_path}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "RUST_LOG": "warn"},
        text=True,
    )
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        seen += line
        m = re.search(r"running at http://([0-9.]+):([0-9]+)", line)
        if m:
            threading.Thread(target=child.stdout.read, daemon=True).start()
            return child, m.group(1), int(m.group(2))
    child.kill()
    sys.exit(f"the demo did not start:\n{seen}")


def pre_session(host, port, path):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", path, headers={"Accept-Language": "ru"})
    response = conn.getresponse()
    page = response.read().decode()
    cookies = [v.split(";")[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    conn.close()
    return "; ".join(cookies), token


def flood(host, port, path, cookie, fields, submissions, concurrency):
    body = urllib.parse.urlencode(fields).encode()
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"http://{host}:{port}",
    }
    statuses = Counter()
    lock = threading.Lock()
    remaining = [submissions]

    def worker():
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=60)
                status = "error"
            with lock:
                statuses[status] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started, statuses


def watch_health(host, port, stop, slowest):
    while not stop.is_set():
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("GET", "/healthz/live")
            ok = conn.getresponse().status == 200
            conn.close()
        except OSError:
            ok = False
        took = time.monotonic() - started
        slowest[0] = max(slowest[0], took if ok else float("inf"))
        slowest[1] += 1
        stop.wait(0.2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "shanyrak"))
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    db_path = os.path.join(tempfile.mkdtemp(prefix="shanyrak-flood-"), "demo.db")
    child, host, port = start_demo(args.bin, db_path)
    pages = {
        "/pre-register": (
            "pre_registrations",
            [("member_count", "1"), ("m0.surname", "Флудов"), ("m0.given_name", "Бот"), ("m0.sex", "male"),
             ("m0.birth_date", "01.01.1990"), ("m0.relationship", "head"), ("m0.citizenship", "RU"),
             ("country", "KZ"), ("city", "Oral"), ("needs", "shelter"), ("website", ""), ("action", "save")],
        ),
        "/offer-a-bed": (
            "host_offers",
            [("country", "KZ"), ("city", "Oral"), ("address", "ул. Победы 12"), ("people", "2"), ("rent", "free"),
             ("contact_name", "Бот"), ("contact_phone", "+7 701 300 40 50"), ("website", "")],
        ),
    }
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {args.bin}")
    print("| page | submissions | concurrency | time | rate | answers | rows stored | slowest of N health checks |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    try:
        for path, (table, fields) in pages.items():
            cookie, token = pre_session(host, port, path)
            stop = threading.Event()
            slowest = [0.0, 0]
            watcher = threading.Thread(target=watch_health, args=(host, port, stop, slowest))
            watcher.start()
            took, statuses = flood(host, port, path, cookie, [("csrf", token)] + fields, args.submissions, args.concurrency)
            stop.set()
            watcher.join()
            with sqlite3.connect(db_path) as db:
                stored = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            answers = ", ".join(f"{n:,} × {s}" for s, n in sorted(statuses.items(), key=lambda kv: -kv[1]))
            print(f"| `{path}` | {args.submissions:,} | {args.concurrency} | {took:.1f} s | {args.submissions / took:.0f}/s "
                  f"| {answers} | {stored} | {slowest[0]:.2f} s of {slowest[1]} |")
    finally:
        child.terminate()
        child.wait(timeout=30)


if __name__ == "__main__":
    main()
