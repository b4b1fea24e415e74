"""The benchmarks stay runnable: a tiny run prints one well-formed line per figure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from xml.etree import ElementTree

from tests.conftest import ROOT

FIGURES = [
    "startup",
    "import_core",
    "assume",
    "cached_assume",
    "cli_assume",
    "cli_cached",
    "credential_process",
    "big_config",
    "sso_listing",
    "search_keystroke",
    "search_keystroke_worst",
    "dynamodb_load",
    "dynamodb_first_rows",
    "dynamodb_heartbeat",
    "dynamodb_memory",
    "ddb_first_page",
    "ddb_all",
    "import",
    "import_heartbeat",
    "demo_first_rows",
    "demo_heartbeat",
]


def test_the_benchmark_suite_runs_and_reports_every_figure(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(tmp_path),
        XDG_RUNTIME_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench", "--smoke", "--svg", str(tmp_path / "bench.svg")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if not line.startswith("{")]
    # A peer that is not installed (CI installs none) is a SKIP line that says why.
    pattern = re.compile(
        r"^(\w+) (?:(?:ratio|ms_median|ms_max)=\d+\.\d{3} target=[\d.]+ (?:ok|FAIL)"
        r"|SKIP target=[\d.]+)  \("
    )
    assert [pattern.match(line)[1] for line in lines] == FIGURES, result.stdout
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["figures"] == len(FIGURES)
    # The plot has a group for each figure measured beside a peer or a floor, named and
    # with its verdict; skipped ones are left out.
    plot = ElementTree.parse(tmp_path / "bench.svg").getroot()  # noqa: S314 - our own file
    texts = [t.text for t in plot.iter("{http://www.w3.org/2000/svg}text")]
    measured = [m[1] for m in map(pattern.match, lines) if " SKIP " not in m[0]]
    for name in ("startup", "search_keystroke", "search_keystroke_worst", "import"):
        assert name in texts and name in measured
    for name in set(FIGURES) - set(measured):
        assert name not in texts
