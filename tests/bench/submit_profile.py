"""Survey submissions in one process, for comparing two trees on a machine whose speed wanders.

The web process's WSGI application (cxm.wsgi's handler, the bench's settings) is called directly with the
same POSTs the load client sends, against the bench's PostgreSQL and Redis; no gunicorn, no load client.

    .venv/bin/python tests/bench/submit_profile.py --posts 2000            # CPU per POST, web and database
    .venv/bin/python tests/bench/submit_profile.py --posts 2000 --profile  # cProfile on process CPU time
    .venv/bin/python tests/bench/submit_profile.py --instructions          # instructions per POST (valgrind)

Timings on a shared 2-core machine move by a fifth from one minute to the next; instruction counts do not
(the same tree gives the same count within 0.3%). --instructions runs this script twice under callgrind,
with 50 and 250 posts, and divides the difference by 200, so start-up and set-up drop out. It counts the web
process only: the database's share is the "PG" figure of a plain run. The survey and the text rules are kept
a minute in these runs, as a web process at hundreds of posts a second keeps them for its second.

Not a benchmark of record (bench_submit.py is), and not collected by pytest.
"""

import argparse
import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(BENCH)]
os.chdir(ROOT)


def instructions_per_post() -> int:
    def count(posts: int) -> int:
        # Valgrind runs fifty times slower: the survey kept for a second (SURVEY_LINK_CACHE_SECONDS) would be
        # looked up again every few posts, and how often would depend on the machine's load. A minute keeps it
        # as the web process at hundreds of posts a second does.
        output = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
             "--warm-up", str(posts), "--posts", "0"], capture_output=True, text=True, check=True,
            env={**os.environ, "SURVEY_LINK_CACHE_SECONDS": "60"}).stderr
        line = next(line for line in output.splitlines() if "I   refs:" in line)
        return int(line.split()[-1].replace(",", ""))

    count(0)  # creates and migrates the database if needed, so that neither counted run does
    return (count(250) - count(50)) // 200


def sample(work) -> list[tuple[str, ...]]:
    """The call stack (outermost first) at every 0.5 ms of the process's CPU time while `work` runs."""
    import signal

    stacks = []

    def take(_signum, frame):
        names = []
        while frame is not None:
            code = frame.f_code
            names.append(f"{Path(code.co_filename).name}:{code.co_firstlineno}({code.co_name})")
            frame = frame.f_back
        stacks.append(tuple(reversed(names)))

    signal.signal(signal.SIGPROF, take)
    signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
    try:
        work()
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
    return stacks


def print_samples(stacks: list[tuple[str, ...]], top: int = 60, focus: str = "") -> None:
    """Each function's share of the samples; with `focus`, only the part of each stack below the first
    function whose name contains it (what that function spends its time on)."""
    from collections import Counter

    if focus:
        stacks = [stack[next(n for n, name in enumerate(stack) if focus in name):] for stack in stacks
                  if any(focus in name for name in stack)]

    inclusive, own = Counter(), Counter(stack[-1] for stack in stacks)
    for stack in stacks:
        inclusive.update(set(stack))
    print(f"{len(stacks)} samples; share of CPU time with the function on the stack (and running itself)")
    for name, count in inclusive.most_common(top):
        print(f"{100 * count / len(stacks):6.1f}% {100 * own[name] / len(stacks):6.1f}%  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, help="timed POSTs")
    parser.add_argument("--warm-up", type=int, default=50, help="POSTs before the timed ones")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed POSTs (process CPU time)")
    parser.add_argument("--sort", default="cumulative", help="--profile's order (a pstats key: tottime, ...)")
    parser.add_argument("--instructions", action="store_true", help="instructions per POST, with callgrind")
    parser.add_argument("--sample", action="store_true",
                        help="sample the stack every 0.5 ms of CPU: shares without cProfile's per-call weight")
    parser.add_argument("--focus", default="", help="with --sample: only below the first function named so")
    args = parser.parse_args()
    if args.instructions:
        print(f"{instructions_per_post():,} instructions per POST in the web process")
        return

    import bench_submit
    from submit_load import answer_data

    # The gunicorn's environment, Redis included (bench_submit.py takes it out of its own on import).
    os.environ.update(bench_submit.web_environment(bench_submit.redis_url()))
    bench_submit.ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.surveys.form_tokens import form_token_make
    from apps.surveys.models import new_submission_key

    try:
        from cxm.handlers import CxmWSGIHandler as Handler
    except ImportError:  # a tree from before cxm/handlers.py, for an A/B run
        from django.core.handlers.wsgi import WSGIHandler as Handler

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        # The bench's own database: the same (empty) tables for every run, whatever ran before.
        cursor.execute("TRUNCATE surveys_response, surveys_partialresponse, kpis_dirtyslice CASCADE")
    survey, fields = bench_submit.make_survey("profile")
    connection.close()
    application, path = Handler(), f"/s/{survey.token}/"

    def post(body: bytes) -> bytes:
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
                   "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT_LANGUAGE": "ko",
                   "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "CONTENT_LENGTH": str(len(body)),
                   "CONTENT_TYPE": "application/x-www-form-urlencoded", "REMOTE_ADDR": "127.0.0.1",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.errors": sys.stderr}
        return b"".join(application(environ, lambda status, headers, exc_info=None: None))

    rng = random.Random(1)

    def body() -> bytes:
        token = form_token_make(link_token=survey.token, submission_key=new_submission_key())
        return urlencode(answer_data(fields, token, rng)).encode()

    bodies = [body() for _ in range(args.warm_up + args.posts)]
    for each in bodies[:args.warm_up]:
        if b"survey-thanks" not in post(each):
            raise SystemExit("a warm-up submission was not thanked")
    timed = bodies[args.warm_up:]
    if not timed:
        return

    def backend_cpu() -> float:
        stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
        fields_after = stat[stat.rindex(")") + 2:].split()
        return (int(fields_after[11]) + int(fields_after[12])) / os.sysconf("SC_CLK_TCK")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        profiler.runcall(lambda: [post(each) for each in timed])
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(50)
        return
    if args.sample:
        print_samples(sample(lambda: [post(each) for each in timed]), focus=args.focus)
        return
    cpu, wall, database = time.process_time(), time.perf_counter(), backend_cpu()
    for each in timed:
        post(each)
    count = len(timed)
    print(f"{count} POSTs: {1000 * (time.process_time() - cpu) / count:.2f} ms CPU and "
          f"{1000 * (time.perf_counter() - wall) / count:.2f} ms wall per POST in the web process, "
          f"{1000 * (backend_cpu() - database) / count:.2f} ms database CPU")


if __name__ == "__main__":
    main()
