"""measure.py: the run of a measuring job (scripts/bench.py, scripts/soak.py) to its report.

A job has run() (the markdown report), wrk_log (a temp file of the raw output) and cleanup(rc);
`finish(job)` says, once the report is written, what the exit status is (0: it holds).
"""
import os
import shutil
import signal
import sys


def run_job(job, result, finish, fail, say):
    """Runs job, writes its report to result and its raw log beside it (.log), prints the report;
    SIGTERM/SIGINT end it (143/130) and cleanup(rc) runs whatever happens. fail: the exception
    type by which the job says it cannot go on (its message is said). The exit status."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rawlog = result[:-3] + ".log"

    def on_signal(signum, _frame):
        raise SystemExit(130 if signum == signal.SIGINT else 143)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    rc = 1
    try:
        report = job.run()
        os.makedirs(os.path.dirname(result), exist_ok=True)
        with open(result, "w") as f:
            f.write(report)
        job.wrk_log.flush()
        shutil.copyfile(job.wrk_log.name, rawlog)
        sys.stdout.write(report)
        sys.stdout.flush()
        say("report written to %s (wrk output: %s)" % (os.path.relpath(result, root), os.path.relpath(rawlog, root)))
        rc = finish(job)
    except fail as e:
        say("ERROR: %s" % e)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        job.cleanup(rc)
    return rc
