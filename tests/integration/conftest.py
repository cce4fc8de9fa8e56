"""pytest glue for the namespace lab (see netlab.py).

- `lab` fixture: a fresh Lab per test whose teardown always runs.
- A failing test gets the tail of every daemon log of its lab in its report.
- At start, namespaces of dead earlier runs are removed; at the end (and on
  SIGTERM/SIGINT/SIGHUP) everything of this run is removed.
"""

import atexit
import os
import shutil
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import netlab  # noqa: E402


def _final_cleanup():
    netlab.cleanup_prefix(netlab.PREFIX)


def _on_signal(signum, frame):
    # Turn the signal into an exception so fixture finalizers run.
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    if os.geteuid() != 0:
        raise pytest.UsageError("the integration tests need root (network namespaces)")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    atexit.register(_final_cleanup)
    netlab.cleanup_stale_runs()
    netlab.RUN_DIR.mkdir(parents=True, exist_ok=True)
    os.chmod(netlab.RUN_DIR, 0o755)
    config._routerd_failed = False


def pytest_report_header(config):
    return [f"routerd build: {netlab.BUILD}", f"namespace prefix: {netlab.PREFIX}",
            f"logs: {netlab.RUN_DIR}"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        item.config._routerd_failed = True
        labs = list(netlab.ACTIVE_LABS)
        if labs:
            text = "".join(l.logs_text() for l in labs)
            rep.sections.append((f"daemon logs ({rep.when})", text or "(no daemon logs)"))


def pytest_terminal_summary(terminalreporter):
    if netlab.NOTES:
        terminalreporter.section("measurements")
        for n in netlab.NOTES:
            terminalreporter.write_line(n)


def pytest_sessionfinish(session, exitstatus):
    _final_cleanup()
    left = [ns for ns in netlab.netns_list() if ns.startswith(netlab.PREFIX + "-")]
    if left:
        print(f"\nWARNING: namespaces left behind: {left}", file=sys.stderr)
    failed = getattr(session.config, "_routerd_failed", False) or exitstatus not in (0, 5)
    if failed or os.environ.get("ROUTERD_TEST_KEEP"):
        print(f"\nintegration logs kept in {netlab.RUN_DIR}", file=sys.stderr)
    else:
        shutil.rmtree(netlab.RUN_DIR, ignore_errors=True)


@pytest.fixture
def lab(request):
    """A fresh Lab; its teardown always runs and fails the test if anything is left."""
    lb = netlab.Lab(request.node.name)
    try:
        yield lb
    finally:
        errors = lb.teardown()
    if errors:
        pytest.fail("teardown: " + "; ".join(errors))


@pytest.fixture
def routerd_binaries():
    missing = [p for p in (netlab.BUILD / "routerd", netlab.BUILD / "routerctl")
               if not os.access(p, os.X_OK)]
    if missing:
        pytest.fail(f"not built: {', '.join(map(str, missing))} "
                    f"(build with meson/ninja or set ROUTERD_BUILD)")
    return netlab.BUILD
