"""Load client of the submission benchmark (tests/bench/bench_submit.py starts it in its own process).

Each virtual customer, on its own keep-alive connection to 127.0.0.1, loops: GET the survey page, read
the signed form token out of the HTML (it carries the submission key), POST an answer, and counts the
submission as accepted when the thank-you page comes back. With --submit-only the pages are opened
(--max of them) before the clock starts and only the submissions are timed: a customer spends half a
minute or more between the two, so the page views and the submissions are separate loads. Raw
HTTP/1.1 over asyncio streams keeps the client's own CPU small, since it shares the two cores with
the server. Bounded: it stops at --duration seconds or --max submissions, whichever comes first, and
prints one JSON line.

    python tests/bench/submit_load.py --url http://127.0.0.1:8765/s/TOKEN/ --fields '{"nps": "q1", ...}'
"""

import argparse
import asyncio
import json
import random
import re
import resource
import sys
import time
from urllib.parse import urlencode, urlsplit

FORM_TOKEN = re.compile(rb'name="form_token" value="([^"]+)"')
THANKS = b"survey-thanks"


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    async def request(self, method: str, path: str, body: bytes = b"", cookie: str = "") -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept-Language: ko\r\n"
        if cookie:
            head += f"Cookie: {cookie}\r\n"
        if body:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length, chunked, close = None, False, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            content = b"".join(parts)
        elif length is not None:
            content = await self.reader.readexactly(length)
        else:
            content = await self.reader.read()
            close = True
        if close:
            self.close()
        return status, content


COMMENTS = ["배송이 늦었어요.", "상담원이 친절했어요.", "앱이 편해요.", "가격이 조금 비싸요.", "Great service, thanks!"]


def answer_data(fields: dict, form_token: str, rng: random.Random) -> dict:
    """One customer's answers: mostly promoters, a detractor's follow-up choice, a comment in two of five."""
    score = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 4, 6, 9, 14, 20, 22])[0]
    data = {"form_token": form_token, fields["nps"]: score, fields["csat"]: rng.randint(1, 5)}
    if score <= 6:
        data[fields["follow_up"]] = rng.choice(fields["choices"])
    if rng.random() < 0.4:
        data[fields["comment"]] = rng.choice(COMMENTS)
    return data


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def fetch_tokens(url, count: int, tokens: list):
    """Open the page `count` times and keep the form tokens (--submit-only: before the clock starts)."""
    parts = urlsplit(url)
    connection = Connection(parts.hostname, parts.port)
    for _ in range(count):
        status, page = await connection.request("GET", parts.path)
        token = FORM_TOKEN.search(page) if status == 200 else None
        if token is None:
            raise SystemExit(f"GET {status} while fetching form tokens")
        tokens.append(token.group(1))
    connection.close()


async def customer(url, fields: dict, state: dict, deadline: float, rng: random.Random, tokens: list | None):
    parts = urlsplit(url)
    connection = Connection(parts.hostname, parts.port)
    path = parts.path
    while time.perf_counter() < deadline and state["started"] < state["max"]:
        if tokens is not None and not tokens:
            break
        state["started"] += 1
        try:
            started = time.perf_counter()
            if tokens is None:
                status, page = await connection.request("GET", path)
                found = FORM_TOKEN.search(page) if status == 200 else None
                token = found.group(1) if found else None
            else:
                token = tokens.pop()
            loaded = time.perf_counter()
            if token is None:
                state["errors"][f"GET {status}"] = state["errors"].get(f"GET {status}", 0) + 1
                continue
            data = answer_data(fields, token.decode(), rng)
            sending = time.perf_counter()
            status, reply = await connection.request("POST", path, urlencode(data).encode())
            done = time.perf_counter()
            if tokens is None:
                state["get_ms"].append((loaded - started) * 1000)
            state["post_ms"].append((done - sending) * 1000)
            if status == 200 and THANKS in reply:
                state["accepted"] += 1
            else:
                state["errors"][f"POST {status}"] = state["errors"].get(f"POST {status}", 0) + 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            state["errors"][type(error).__name__] = state["errors"].get(type(error).__name__, 0) + 1
            connection.close()
    connection.close()


async def write_bodies(args) -> dict:
    """--bodies-out: open the page --max times and write one answer per form token, a line each, for the wrk
    client (tests/bench/submit_wrk.lua)."""
    fields, tokens, rng = json.loads(args.fields), [], random.Random(args.seed)
    share = -(-args.max // args.connections)
    await asyncio.gather(*(fetch_tokens(args.url, share, tokens) for _ in range(args.connections)))
    with open(args.bodies_out, "w") as out:
        out.writelines(urlencode(answer_data(fields, token.decode(), rng)) + "\n" for token in tokens)
    return {"bodies": len(tokens)}


async def run(args) -> dict:
    fields = json.loads(args.fields)
    state = {"started": 0, "max": args.max, "accepted": 0, "errors": {}, "get_ms": [], "post_ms": []}
    rng = random.Random(args.seed)
    tokens = None
    if args.submit_only:
        tokens = []
        share = -(-args.max // args.connections)
        await asyncio.gather(*(fetch_tokens(args.url, share, tokens) for _ in range(args.connections)))
        if args.wait_for_go:
            # The bench reads the servers' CPU counters now, so the page views above stay out of the figures.
            print("ready", flush=True)
            sys.stdin.readline()
    started = time.perf_counter()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    deadline = started + args.duration
    await asyncio.gather(*(customer(args.url, fields, state, deadline, random.Random(rng.random()), tokens)
                           for _ in range(args.connections)))
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "accepted": state["accepted"], "attempted": state["started"], "errors": state["errors"],
        "elapsed_s": round(elapsed, 2), "rps": round(state["accepted"] / elapsed, 1),
        "post_p50_ms": round(percentile(state["post_ms"], 0.5) or 0, 1),
        "post_p95_ms": round(percentile(state["post_ms"], 0.95) or 0, 1),
        "post_p99_ms": round(percentile(state["post_ms"], 0.99) or 0, 1),
        "get_p50_ms": round(percentile(state["get_ms"], 0.5) or 0, 1),
        "get_p95_ms": round(percentile(state["get_ms"], 0.95) or 0, 1),
        "client_cpu_s": round(usage.ru_utime + usage.ru_stime - usage_before.ru_utime - usage_before.ru_stime, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--fields", required=True, help='{"nps": "q1", "follow_up": "q2", "choices": [..], '
                                                        '"csat": "q3", "comment": "q4"}')
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--max", type=int, default=50_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--submit-only", action="store_true",
                        help="open the page --max times first, then time only the submissions (POST)")
    parser.add_argument("--wait-for-go", action="store_true",
                        help="with --submit-only: print 'ready' when the pages are open, start on a line from stdin")
    parser.add_argument("--bodies-out", default="",
                        help="only open the page --max times and write the answers to this file (for wrk)")
    args = parser.parse_args()
    if urlsplit(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark only sends load to this machine (loopback)")
    print(json.dumps(asyncio.run(write_bodies(args) if args.bodies_out else run(args))))


if __name__ == "__main__":
    main()
