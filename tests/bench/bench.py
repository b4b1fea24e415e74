"""Rolecall's benchmarks: each figure as a ratio to its floor measured in the same run.

    python -m tests.bench [--smoke]      (make bench)

One line per figure: `NAME ratio=R target=T ok|FAIL` and the raw numbers. The machine is
noisy, so floors and figures are measured alternately and medians are compared.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"


@dataclass
class Figure:
    name: str
    value: float
    target: float
    raw: str
    kind: str = "ratio"  # or "ms"
    skipped: str = ""  # why a peer could not be measured: then the figure is not met
    # For the plot: (who, seconds) with Rolecall first; a peer stopped before it finished
    # is marked with a leading ">" (its time was at least this).
    bars: tuple[tuple[str, float], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.skipped and self.value <= self.target

    def line(self) -> str:
        if self.skipped:
            return f"{self.name} SKIP target={self.target}  ({self.skipped})"
        verdict = "ok" if self.ok else "FAIL"
        return (
            f"{self.name} {self.kind}={self.value:.3f} target={self.target} {verdict}  ({self.raw})"
        )


COLOURS = {
    "Rolecall": "#2563eb",
    "awsume": "#f59e0b",
    "AWS CLI": "#10b981",
    "dynamodb-admin": "#dc2626",
}
FLOOR_COLOUR = "#9ca3af"  # Qt or a bare script: what any tool pays, not a peer


def plot(figures: list[Figure], path: Path) -> None:
    """Every figure that has bars, as one group of bars each (Rolecall beside each peer or
    floor) on one log time axis, written as an SVG for the README."""
    import math
    from xml.sax.saxutils import escape

    groups = [f for f in figures if f.bars and not f.skipped]
    if not groups:
        return
    values = [v for f in groups for _, v in f.bars]
    low = 10 ** math.floor(math.log10(min(values)))
    high = 10 ** math.ceil(math.log10(max(values)))
    bar, drawn, gap, left, top, plot_h = 36, 31, 28, 64, 84, 330

    def group_width(figure: Figure) -> int:
        return max(len(figure.bars) * bar, 132)

    width = left + sum(group_width(f) + gap for f in groups) + 8
    height = top + plot_h + 58

    def y(value: float) -> float:
        span = math.log10(high) - math.log10(low)
        return top + plot_h * (1 - (math.log10(value) - math.log10(low)) / span)

    def label(seconds: float) -> str:
        value, unit = (seconds, "s") if seconds >= 1 else (seconds * 1000, "ms")
        return f"{float(f'{value:.3g}'):g} {unit}"  # three figures, never 1e+03

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold" fill="#111827">'
        "Rolecall beside the tools people use instead</text>",
        f'<text x="{left}" y="40" font-size="11" fill="#4b5563">Time for the same work in the'
        " same run, log scale, lower is better; under each group its ratio and target</text>",
    ]
    x = left
    for who, colour in [*COLOURS.items(), ("Qt or a bare script", FLOOR_COLOUR)]:
        out.append(f'<rect x="{x}" y="52" width="10" height="10" rx="2" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="61" font-size="11" fill="#374151">{escape(who)}</text>')
        x += 30 + int(6.6 * len(who))
    decade = low
    while decade <= high * 1.0001:
        out.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" '
            'stroke="#e5e7eb"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y(decade) + 4:.1f}" font-size="10" text-anchor="end" '
            f'fill="#6b7280">{label(decade)}</text>'
        )
        decade *= 10
    x = left + gap / 2
    for figure in groups:
        span = group_width(figure)
        first = x + (span - len(figure.bars) * bar) / 2
        above: tuple[float, float] = (-1e9, 0.0)  # the last value label: its baseline, width
        for i, (who, seconds) in enumerate(figure.bars):
            stopped = who.startswith(">")
            name = who.lstrip(">")
            colour = next((c for k, c in COLOURS.items() if name.startswith(k)), FLOOR_COLOUR)
            bx, by = first + i * bar, y(seconds)
            tall = top + plot_h - by
            out.append(
                f'<rect x="{bx:.1f}" y="{by:.1f}" width="{drawn}" height="{tall:.1f}" '
                f'fill="{colour}"><title>{escape(name)}: {label(seconds)}</title></rect>'
            )
            text = ("≥" if stopped else "") + label(seconds)
            wide, ty = 5.3 * len(text), by - 4
            if abs(ty - above[0]) < 11 and (wide + above[1]) / 2 > bar:  # would overlap
                ty = min(ty, above[0]) - 11  # the previous one's: this one goes above it
            above = (ty, wide)
            out.append(
                f'<text x="{bx + drawn / 2:.1f}" y="{ty:.1f}" font-size="9" '
                f'text-anchor="middle" fill="#1f2937">{text}</text>'
            )
            if 6.2 * len(name) + 10 < tall:  # who it is, along the bar when it fits
                cx, cy = bx + drawn / 2 + 3.5, top + plot_h - 6
                out.append(
                    f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="10" fill="#ffffff" '
                    f'transform="rotate(-90 {cx:.1f} {cy:.1f})">{escape(name)}</text>'
                )
        middle = x + span / 2
        verdict = "met" if figure.ok else "not met"
        out.append(
            f'<text x="{middle:.1f}" y="{top + plot_h + 18}" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="#111827">{escape(figure.name)}</text>'
        )
        out.append(
            f'<text x="{middle:.1f}" y="{top + plot_h + 34}" font-size="10" text-anchor="middle"'
            f' fill="{"#047857" if figure.ok else "#b91c1c"}">{figure.value:.2f}x, target'
            f" {figure.target}x: {verdict}</text>"
        )
        x += span + gap
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def alternate(*measures: Callable[[], float], runs: int) -> tuple[float, ...]:
    """The median of each, measured A B A B … so drift hits all alike."""
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(runs):
        for measure, sample in zip(measures, samples, strict=True):
            sample.append(measure())
    return tuple(statistics.median(sample) for sample in samples)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# ---- generated inputs ---------------------------------------------------------------------


def write_config(folder: Path, roles: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    lines = ["[profile base]", "region = eu-west-1", ""]
    for i in range(roles):
        account = 100000000000 + rng.randrange(40)
        lines += [
            f"[profile team{i % 37}-role{i}]",
            f"role_arn = arn:aws:iam::{account}:role/Role{i}",
            "source_profile = base" if i % 5 else f"source_profile = team0-role{0}",
            f"region = {rng.choice(['eu-west-1', 'us-east-1', 'ap-south-1'])}",
        ]
        if i % 7 == 0:
            lines.append(f"mfa_serial = arn:aws:iam::{ACCOUNT}:mfa/alice")
        lines.append("")
    path = folder / f"config-{roles}"
    path.write_text("\n".join(lines))
    return path


def quiet_env(config: Path, folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(folder / "none"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(folder),
        XDG_RUNTIME_DIR=str(folder),
        PYTHONPATH=str(ROOT),
    )
    return env


# Each window says "shown" once its first frame is painted (the event loop's next turn after
# the paint): what is timed is the time to its pixels, the rows' paint included.
FLOOR_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
class Label(QLabel):
    def paintEvent(self, event):
        super().paintEvent(event)
        QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app = QApplication(sys.argv[:1])
label = Label("floor")
label.show()
app.exec()
"""

# For reference, not a target: the least a window showing this role list can do. A search
# box and a tree of the role names, read through botocore; no theme, grouping, detail pane,
# menus or validation.
MINIMAL_ROLE_WINDOW = """
import os, sys
from botocore.configloader import raw_config_parse
from PySide6.QtCore import QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QTreeView, QVBoxLayout, QWidget
class Tree(QTreeView):
    def paintEvent(self, event):
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount():  # its rows are painted
            QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app = QApplication(sys.argv[:1])
window, central = QMainWindow(), QWidget()
layout, tree = QVBoxLayout(central), Tree()
layout.addWidget(QLineEdit())
layout.addWidget(tree)
window.setCentralWidget(central)
window.show()
def fill():
    model = QStandardItemModel()
    for name, settings in raw_config_parse(os.environ["AWS_CONFIG_FILE"]).items():
        if "role_arn" in settings:
            model.appendRow(QStandardItem(name))
    tree.setModel(model)
QTimer.singleShot(0, fill)
app.exec()
"""

# For information: the same window once it also touches what any real window touches. The Qt
# namespace (to align a label, name a data role or a key: PySide6 makes all its 93 enums at
# the first touch) and QStyle (a delegate painting its own rows reads the option's state).
# What Rolecall takes beyond this is its own; what this takes beyond the reference is PySide6's.
QT_ROLE_WINDOW = MINIMAL_ROLE_WINDOW.replace(
    "app = QApplication(sys.argv[:1])",
    "from PySide6.QtCore import Qt\nfrom PySide6.QtWidgets import QStyle\n"
    "app = QApplication(sys.argv[:1])",
)


def run_process(args: list[str], env: dict[str, str], expect: str = "shown") -> float:
    """Process start to its "shown" line (the window's first frame is painted; the app's
    with its roles)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    elapsed = time.perf_counter() - start
    process.communicate(timeout=120)
    if expect not in line:
        raise RuntimeError(f"{args} did not come up (exit {process.returncode})")
    return elapsed


# ---- figures ------------------------------------------------------------------------------


# What the `rolecall` console script runs (`python -m gui.launcher` would compile launcher.py
# anew each start: a __main__ module is never cached).
APP = "import sys; from gui.launcher import main; sys.exit(main())"


def compile_bytecode() -> None:
    """Start-up is measured as installed: pip and the bundle compile the bytecode; an editable
    checkout (PYTHONDONTWRITEBYTECODE is common in containers) may not have it."""
    import compileall

    for package in ("core", "gui", "resources"):
        compileall.compile_dir(ROOT / package, quiet=1)


def startup(folder: Path, runs: int, roles: int) -> Figure:
    env = quiet_env(write_config(folder, roles), folder)
    compile_bytecode()
    app = [sys.executable, "-c", APP, "--exit-when-shown"]
    floor = [sys.executable, "-c", FLOOR_WINDOW]
    minimal = [sys.executable, "-c", MINIMAL_ROLE_WINDOW]
    with_qt = [sys.executable, "-c", QT_ROLE_WINDOW]
    listed = f"shown, roles listed: {roles}"  # the window came up with every role
    for args in (app, floor, minimal, with_qt):
        run_process(args, env, listed if args is app else "shown")  # warm the file cache
    mine, base, least, qt = alternate(
        lambda: run_process(app, env, listed),
        lambda: run_process(floor, env),
        lambda: run_process(minimal, env),
        lambda: run_process(with_qt, env),
        runs=runs,
    )
    return Figure(
        "startup",
        mine / least,
        1.25,
        f"app {mine * 1000:.0f} ms, a search box and a bare tree of the {roles} names read"
        f" through botocore {least * 1000:.0f} ms; for information, that window touching the"
        f" Qt namespace and QStyle {qt * 1000:.0f} ms ({qt / least:.2f}x of it), a one-label"
        f" PySide6 window {base * 1000:.0f} ms ({mine / base:.2f}x)",
        bars=(
            ("Rolecall", mine),
            ("reference window", least),
            ("reference + Qt, QStyle", qt),
            ("one-label window", base),
        ),
    )


def import_cost(runs: int) -> Figure:
    def cost(module: str) -> float:
        code = (
            f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        return float(out.stdout)

    mine, base = alternate(lambda: cost("core"), lambda: cost("boto3"), runs=runs)
    return Figure(
        "import_core",
        mine / base,
        1.3,
        f"import core {mine * 1000:.2f} ms, import boto3 {base * 1000:.1f} ms",
    )


def write_assume_files(folder: Path) -> Path:
    """The `reader` role (from `base`'s static keys) the assume, CLI and browser figures use."""
    config = folder / "assume-config"
    config.write_text(
        f"[profile base]\nregion = eu-west-1\n[profile reader]\n"
        f"role_arn = arn:aws:iam::{ACCOUNT}:role/Reader\nsource_profile = base\n"
        "region = eu-west-1\n"
    )
    (folder / "assume-creds").write_text(
        "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
    )
    return config


def assume(folder: Path, endpoint: str, runs: int) -> list[Figure]:
    import boto3

    from core.clients import client_config
    from core.engine import Engine
    from core.vault import MemoryStore, SessionCache

    config = write_assume_files(folder)
    os.environ.update(
        AWS_CONFIG_FILE=str(config),
        AWS_ENDPOINT_URL=endpoint,
        AWS_SHARED_CREDENTIALS_FILE=str(folder / "assume-creds"),
    )
    bare = boto3.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region_name="eu-west-1",
    ).client("sts", config=client_config())
    role = f"arn:aws:iam::{ACCOUNT}:role/Reader"

    def bare_call() -> float:
        return timed(lambda: bare.assume_role(RoleArn=role, RoleSessionName="bench"))

    engine = Engine()
    cached = Engine(cache=SessionCache(MemoryStore()))
    engine.credentials("reader"), cached.credentials("reader"), bare_call()  # warm both
    mine, base = alternate(
        lambda: timed(lambda: engine.credentials("reader")), bare_call, runs=runs
    )
    hit, base2 = alternate(
        lambda: timed(lambda: cached.credentials("reader")), bare_call, runs=runs
    )
    return [
        Figure(
            "assume",
            mine / base,
            1.15,
            f"engine {mine * 1000:.2f} ms, bare assume_role {base * 1000:.2f} ms",
        ),
        Figure(
            "cached_assume",
            hit / base2,
            0.5,
            f"cached {hit * 1000:.3f} ms, bare assume_role {base2 * 1000:.2f} ms",
        ),
    ]


def peer_version(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    return (out.stdout or out.stderr).strip().splitlines()[0] if out.returncode == 0 else ""


def cli_assume(folder: Path, endpoint: str, runs: int) -> Figure:
    """`rolecall export PROFILE --no-cache` as a whole process, to its last line, against the
    tools people run instead, on the same moto server: awsume (its shell wrapper sourced by
    bash, `awsume PROFILE -s`, which prints the export lines) and `aws sts assume-role`."""
    bindir = Path(sys.executable).parent
    env = cli_env(folder, endpoint)
    mine = [str(bindir / "rolecall"), "export", "reader", "--no-cache"]
    awsume = ["bash", "-c", ". awsume reader -s"]
    aws = [str(bindir / "aws"), "sts", "assume-role", "--profile", "base"]
    aws += ["--role-arn", f"arn:aws:iam::{ACCOUNT}:role/Reader", "--role-session-name", "bench"]
    if not (bindir / "awsumepy").exists():
        return Figure("cli_assume", 0, 0.8, "", skipped="awsume is not installed (make bench)")
    versions = {
        "awsume": peer_version([str(bindir / "awsumepy"), "--version"], env),
        "aws": peer_version([str(bindir / "aws"), "--version"], env),
    }
    measures = (
        whole(mine, env, "export AWS_SESSION_TOKEN="),
        whole(awsume, env, "export AWS_SESSION_TOKEN="),
        whole(aws, env, "SessionToken"),
    )
    for measure in measures:
        measure()  # warm the file cache
    ours, theirs, cli = alternate(*measures, runs=runs)
    return Figure(
        "cli_assume",
        ours / min(theirs, cli),
        0.8,
        f"rolecall export {ours * 1000:.0f} ms, awsume {versions['awsume']} {theirs * 1000:.0f} ms,"
        f" aws sts assume-role ({versions['aws'].split()[0]}) {cli * 1000:.0f} ms",
        bars=(("Rolecall", ours), ("awsume", theirs), ("AWS CLI", cli)),
    )


def cli_env(folder: Path, endpoint: str) -> dict[str, str]:
    """The environment the CLI figures run in: the `reader` role of `assume`, on moto;
    Rolecall's bytecode compiled, as installed."""
    compile_bytecode()
    bindir = Path(sys.executable).parent
    (folder / "home").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=str(folder / "assume-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(folder / "assume-creds"),
        AWS_ENDPOINT_URL=endpoint,
        HOME=str(folder / "home"),  # awsume keeps its own settings there
        PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    return env


def whole(args: list[str], env: dict[str, str], expect: str) -> Callable[[], float]:
    """A measure: the command as a whole process, to its exit, checked by its output."""

    def run() -> float:
        start = time.perf_counter()
        out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        elapsed = time.perf_counter() - start
        if out.returncode or expect not in out.stdout:
            raise RuntimeError(f"{args[:3]} failed: {out.stderr[-500:]}")
        return elapsed

    return run


def keyring_service(folder: Path) -> tuple[dict[str, str], list[subprocess.Popen[bytes]]]:
    """A gnome-keyring of the bench's own (the session cache lives in the OS keyring), as
    the tests start it; the environment that reaches it, and its processes to stop."""
    from tests.conftest import _start_secret_service, wait_for_secret_service

    (folder / "keyring").mkdir()
    service, processes = _start_secret_service(folder / "keyring")
    env = {
        "DBUS_SESSION_BUS_ADDRESS": service.address,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
    }
    saved = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = service.address
    try:
        wait_for_secret_service()
    finally:
        if saved is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS")
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = saved
    return env, processes


STATIC_KEYS = (
    '{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE",'
    ' "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}'
)
KEYRING_FLOOR = (
    "import json, keyring; keyring.get_password('rolecall', 'session:reader');"
    " print(json.dumps({'Version': 1, 'AccessKeyId': 'AKIAIOSFODNN7EXAMPLE',"
    " 'SecretAccessKey': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}))"
)


def cli_cached(folder: Path, endpoint: str, runs: int) -> list[Figure]:
    """The session cache from a terminal and from the SDKs: `rolecall export PROFILE` with a
    cached session against `awsume PROFILE -s` (which caches nothing between processes for
    a role), and the AWS CLI calling `rolecall credential-process` against the same CLI call
    with static keys in its environment."""
    import shutil

    bindir = Path(sys.executable).parent
    missing = [t for t in ("dbus-daemon", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        why = f"no Secret Service for the session cache: {', '.join(missing)} not installed"
        return [
            Figure("cli_cached", 0, 0.5, "", skipped=why),
            Figure("credential_process", 0, 1.3, "", skipped=why),
        ]
    env = cli_env(folder, endpoint)
    keyring_env, processes = keyring_service(folder)
    env.update(keyring_env)
    try:
        config = folder / "assume-config"
        config.write_text(
            config.read_text().split("[profile sdk]")[0] + f"[profile sdk]\nregion = eu-west-1\n"
            f"credential_process = {bindir / 'rolecall'} credential-process reader\n"
            # For reference: the least any Python credential_process that reads the OS
            # keyring through `keyring` pays (the same entry; it prints static keys).
            f"[profile keyring-floor]\nregion = eu-west-1\n"
            f"credential_process = {sys.executable} -c {shlex.quote(KEYRING_FLOOR)}\n"
            # And the least any credential_process at all pays: the CLI's own cost of running
            # one and reading its answer (cat prints the same static keys).
            f"[profile cat-floor]\nregion = eu-west-1\n"
            f"credential_process = cat {shlex.quote(str(folder / 'static-keys.json'))}\n"
        )
        (folder / "static-keys.json").write_text(STATIC_KEYS)
        mine = whole([str(bindir / "rolecall"), "export", "reader"], env, "AWS_SESSION_TOKEN=")
        mine()  # assumes once: the session is in the keyring from here on
        figures = []
        if (bindir / "awsumepy").exists():
            version = peer_version([str(bindir / "awsumepy"), "--version"], env)
            awsume = whole(["bash", "-c", ". awsume reader -s"], env, "AWS_SESSION_TOKEN=")
            awsume()
            ours, theirs = alternate(mine, awsume, runs=runs)
            figures.append(
                Figure(
                    "cli_cached",
                    ours / theirs,
                    0.5,
                    f"rolecall export, cached {ours * 1000:.0f} ms, awsume {version}"
                    f" {theirs * 1000:.0f} ms",
                    bars=(("Rolecall", ours), ("awsume", theirs)),
                )
            )
        else:
            why = "awsume is not installed (make bench)"
            figures.append(Figure("cli_cached", 0, 0.5, "", skipped=why))
        aws = [str(bindir / "aws"), "sts", "get-caller-identity"]
        through = whole([*aws, "--profile", "sdk"], env, "assumed-role/Reader")
        static = whole(
            aws,
            {
                **env,
                "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
                "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "AWS_DEFAULT_REGION": "eu-west-1",
            },
            "Arn",
        )
        floor = whole([*aws, "--profile", "keyring-floor"], env, "Arn")
        cat = whole([*aws, "--profile", "cat-floor"], env, "Arn")
        through(), static(), floor(), cat()
        ours, plain, least, bare = alternate(through, static, floor, cat, runs=runs)
        version = peer_version([str(bindir / "aws"), "--version"], env).split()[0]
        figures.append(
            Figure(
                "credential_process",
                ours / plain,
                1.3,
                f"{version} get-caller-identity through rolecall credential-process (cached)"
                f" {ours * 1000:.0f} ms, with static keys {plain * 1000:.0f} ms; for reference,"
                f" a bare Python keyring read as the process {least * 1000:.0f} ms"
                f" ({least / plain:.2f}x), and `cat` of the keys as the process (the CLI's own"
                f" cost of any credential_process) {bare * 1000:.0f} ms ({bare / plain:.2f}x)",
                bars=(
                    ("Rolecall", ours),
                    ("AWS CLI, static keys", plain),
                    ("bare keyring read", least),
                    ("cat of the keys", bare),
                ),
            )
        )
        return figures
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def big_config(folder: Path, runs: int, roles: int) -> Figure:
    import botocore.session

    from core.profiles import load_config

    path = write_config(folder, roles)
    os.environ["AWS_CONFIG_FILE"] = str(path)
    mine, base = alternate(
        lambda: timed(load_config),
        lambda: timed(lambda: botocore.session.Session().full_config),
        runs=runs,
    )
    return Figure(
        "big_config",
        mine / base,
        1.5,
        f"load and validate {mine * 1000:.0f} ms, botocore full_config "
        f"{base * 1000:.0f} ms, {roles} profiles",
    )


KEYSTROKES = (
    "t",
    "te",
    "tea",
    "team",
    "team1",
    "team1 ",
    "team1 r",
    "team1 ro",
    "team1 rol",
    "team1 role",
    "team1 role1",
    "team1 role12",
    "",
    "eu",
    "eu-",
    "ap",
    "role19",
    "999",
    "",
)


def search(folder: Path, roles: int, rounds: int) -> list[Figure]:
    """Each keystroke typed into the window's search box, to its repaint, against the same
    keystroke through a bare QSortFilterProxyModel over a tree of the same names (Qt's own
    fixed-string filter and delegate) of the same size, typed alternately."""
    from botocore.configloader import raw_config_parse
    from PySide6.QtCore import QEventLoop, QSettings, QSortFilterProxyModel, Qt, QThreadPool
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTreeView

    from core.profiles import load_config
    from core.vault import MemoryStore
    from gui.controller import Controller
    from gui.mainwindow import MainWindow
    from gui.settings import Settings

    os.environ["AWS_CONFIG_FILE"] = config = str(write_config(folder, roles))
    controller = Controller(QThreadPool(), store_factory=MemoryStore)
    window = MainWindow(
        controller, Settings(QSettings(str(folder / "s.ini"), QSettings.Format.IniFormat))
    )
    window.show()
    window.load_config(load_config())
    QApplication.processEvents()
    names = QStandardItemModel()
    for name, settings in raw_config_parse(config).items():
        if "role_arn" in settings:
            names.appendRow(QStandardItem(name))
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(names)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    tree = QTreeView()
    tree.setHeaderHidden(True)
    tree.setModel(proxy)
    tree.resize(window.roles.tree.size())
    tree.show()
    QApplication.processEvents()
    gc.collect()
    gc.freeze()  # what the app does once, when its start-up is over (gui.app.end_startup)

    def keystroke(apply: Callable[[], None]) -> float:
        start = time.perf_counter()
        apply()
        # Until nothing is left to do: the repaint is part of the keystroke. One pass is not
        # enough for either view: a view lays out on a timer, then paints on the update that
        # posts (passes 2 and 3 took 0.7-1.8 ms), and what one pass left was timed as part
        # of the other's next keystroke.
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 1000)
        return time.perf_counter() - start

    mine, bare = [], []
    for _ in range(rounds):
        for text in KEYSTROKES:
            mine.append(keystroke(lambda text=text: window.roles.search.setText(text)))
            bare.append(keystroke(lambda text=text: proxy.setFilterFixedString(text)))
    window.close()
    tree.close()
    median, floor = statistics.median(mine), statistics.median(bare)
    worst, floor_worst = max(mine), max(bare)
    return [
        Figure(
            "search_keystroke",
            median / floor,
            1.5,
            f"median {median * 1000:.1f} ms, a bare filter proxy {floor * 1000:.1f} ms, "
            f"{roles} roles, {len(mine)} keystrokes",
            bars=(("Rolecall", median), ("bare QSortFilterProxyModel", floor)),
        ),
        Figure(
            "search_keystroke_worst",
            worst / floor_worst,
            2.0,
            f"worst {worst * 1000:.1f} ms, a bare filter proxy's worst {floor_worst * 1000:.1f} ms",
            bars=(("Rolecall", worst), ("bare QSortFilterProxyModel", floor_worst)),
        ),
    ]


def dynamodb(endpoint: str, items: int, runs: int) -> list[Figure]:
    import boto3
    from botocore.config import Config
    from PySide6.QtCore import QEventLoop, QThreadPool, QTimer

    from core.clients import client_config
    from core.dynamo import DynamoDB, ReadOptions
    from gui.items_model import ItemsModel, prepared
    from gui.workers import Op

    session = boto3.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="x" * 40,
        region_name="eu-west-1",
    )
    # moto answers a scan page of a big table slowly (it reads the whole table each time),
    # so both sides get a long read timeout; everything else is the engine's client config.
    config = client_config().merge(Config(read_timeout=600))
    client = session.client("dynamodb", config=config, endpoint_url=endpoint)
    table = f"Bench{items}"  # seeded by main
    received = [0]
    client.meta.events.register(
        "before-parse.dynamodb.Scan",
        lambda response_dict, **_: received.__setitem__(
            0, received[0] + len(response_dict["body"])
        ),
    )

    def bare() -> tuple[float, float]:
        start = time.perf_counter()
        first = None
        count = 0
        for page in client.get_paginator("scan").paginate(TableName=table):
            count += len(page["Items"])
            if first is None:
                first = time.perf_counter() - start
        assert count == items
        return time.perf_counter() - start, first or 0.0

    # The browser's own client, reading as the browser does (pages kept as sent).
    db = DynamoDB(
        client=session.client("dynamodb", config=config, endpoint_url=endpoint),
        encoded_pages=True,
    )
    pool = QThreadPool()

    def mine() -> tuple[float, float, float, ItemsModel]:
        model = ItemsModel()
        model.reset(("pk", "sk"))
        loop = QEventLoop()
        gaps, last = [], [time.perf_counter()]
        first = [0.0]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            if os.environ.get("ROLECALL_BENCH_TRACE") and now - last[0] > 0.05:
                print(
                    f"stall {(now - last[0]) * 1000:.0f} ms at {now - start:.2f} s, "
                    f"{len(model.items)} rows, gc {gc.get_count()}",
                    file=sys.stderr,
                )
            last[0] = now

        def page(p: object) -> None:
            model.add_page(p)  # type: ignore[arg-type]
            if not first[0]:
                first[0] = time.perf_counter() - start

        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(beat)
        start = time.perf_counter()
        timer.start()
        last[0] = start
        outcome: list[object] = []
        Op(
            pool,
            lambda report: [report(prepared(p)) for p in db.scan(table, ReadOptions())],
            reports=True,
        ).on_progress(page).on_success(lambda v: (outcome.append(len(v)), loop.quit())).on_failure(
            lambda e: (outcome.append(e), loop.quit())
        ).start()
        loop.exec()
        total = time.perf_counter() - start
        timer.stop()
        assert len(model.items) == items, (len(model.items), model.pages, outcome)
        return total, first[0], max(gaps) if gaps else 0.0, model

    from gui.workers import share_the_gil

    share_the_gil()  # as the app's Controller does: workers hand back the GIL every 0.5 ms
    gc.collect()
    gc.freeze()  # what the app does once, when its start-up is over (gui.app.end_startup)
    bare(), mine()  # warm both
    loads, firsts, bases, base_firsts, worst = [], [], [], [], 0.0
    for _ in range(runs):
        total, first, gap, model = mine()
        loads.append(total)
        firsts.append(first)
        worst = max(worst, gap)
        b_total, b_first = bare()
        bases.append(b_total)
        base_firsts.append(b_first)
    received[0] = 0
    bare()
    raw_bytes = received[0]
    # What the loaded rows hold in memory: the model's item storage and caches, measured
    # object by object (tracemalloc would also count moto, which runs in this process).
    total, first, gap, model = mine()
    held = model.memory_bytes()
    del model
    load, base = statistics.median(loads), statistics.median(bases)
    first_rows, first_raw = statistics.median(firsts), statistics.median(base_firsts)
    return [
        Figure(
            "dynamodb_load",
            load / base,
            1.15,
            f"model {load:.2f} s, bare scan paginator {base:.2f} s, {items:,} items",
        ),
        Figure(
            "dynamodb_first_rows",
            first_rows / first_raw,
            1.1,
            f"first rows {first_rows * 1000:.0f} ms, first raw page {first_raw * 1000:.0f} ms",
        ),
        Figure(
            "dynamodb_heartbeat",
            worst * 1000,
            50,
            f"worst wait {worst * 1000:.1f} ms of a 10 ms timer during the loads",
            kind="ms_max",
        ),
        Figure(
            "dynamodb_memory",
            held / raw_bytes,
            2.0,
            f"held {held / 1e6:.1f} MB for {raw_bytes / 1e6:.1f} MB of raw JSON",
        ),
    ]


DYNAMODB_ADMIN = ROOT / "build" / "bench-node" / "node_modules" / "dynamodb-admin"


def wait_for(signal: object, timeout: float, until: Callable[..., bool] = lambda *a: True) -> None:
    """Run the event loop until `signal` is emitted with arguments `until` accepts."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, seen = QEventLoop(), []

    def on(*args: object) -> None:
        if until(*args):
            seen.append(args)
            loop.quit()

    signal.connect(on)  # type: ignore[attr-defined]
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(int(timeout * 1000))
    loop.exec()
    timer.stop()
    signal.disconnect(on)  # type: ignore[attr-defined]
    if not seen:
        raise RuntimeError(f"nothing came in {timeout:.0f} s")


def open_browser(folder: Path, endpoint: str, table: str):  # type: ignore[no-untyped-def]
    """The `reader` role assumed through the app's controller, its browser on `table`."""
    from PySide6.QtCore import Qt, QThreadPool
    from PySide6.QtWidgets import QApplication

    from core.vault import MemoryStore
    from gui.browser import BrowserWindow
    from gui.controller import Controller

    os.environ.update(
        AWS_CONFIG_FILE=str(folder / "assume-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(folder / "assume-creds"),
        AWS_ENDPOINT_URL=endpoint,
    )
    controller = Controller(QThreadPool(), store_factory=MemoryStore)
    controller.start()
    wait_for(controller.settled, 60)
    controller.assume("reader")
    wait_for(controller.assumed, 60)
    browser = BrowserWindow(controller, "reader")
    browser.show()
    wait_for(browser.tablesLoaded, 60)
    with_table = browser.tables.list.findItems(table, Qt.MatchFlag.MatchExactly)
    browser.tables.list.setCurrentItem(with_table[0])
    wait_for(browser.tableDescribed, 60)
    QApplication.processEvents()
    return controller, browser


def import_rate(folder: Path, endpoint: str, rows: int, runs: int) -> list[Figure]:
    """The browser's import of a CSV (read and checked on a worker, shown, then written with
    BatchWriteItem on a worker), from the person's OK to its end, against a bare loop of
    BatchWriteItem calls of the same items (already parsed) on the same server, each into a
    new table; with the GUI's heartbeat."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from core.importer import read_import
    from gui.browser import BrowserAsk
    from tests.helpers.dynamo import create_table, dynamodb_client
    from tests.helpers.heartbeat import Heartbeat

    client = dynamodb_client(endpoint)
    keys = {"pk": "S", "sk": "N"}
    path = folder / "import.csv"
    lines = ["pk,sk,price (N),status,note"]
    lines += [f"c{i % 97},{i},{i}.25,{'open' if i % 3 else 'closed'},row {i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    items = read_import(path, keys).items
    tables = [create_table(client, f"Import{rows}-{n}", keys) for n in range(2 * runs + 1)]
    controller, browser = open_browser(folder, endpoint, tables[0])
    browser.read_only.setChecked(False)
    agreed: list[float] = []  # the import writes from the person's OK (the file read and shown)

    def agree(cls: object, *args: object) -> bool:
        agreed.append(time.perf_counter())
        return True

    BrowserAsk.import_preview = classmethod(agree)  # type: ignore[method-assign,assignment]

    def ours(table: str) -> tuple[float, float]:
        if browser.table is None or browser.table.name != table:
            found = browser.tables.list.findItems(table, Qt.MatchFlag.MatchExactly)
            browser.tables.list.setCurrentItem(found[0])
            wait_for(browser.tableDescribed, 60)
        QApplication.processEvents()
        with Heartbeat(settle=False) as heart:
            browser.import_file(str(path))
            wait_for(browser.imported, 3600)
            took = time.perf_counter() - agreed[-1]
        return took, heart.worst_ms

    def bare(table: str) -> float:
        start = time.perf_counter()
        for at in range(0, len(items), 25):
            pending: list = [{"PutRequest": {"Item": i}} for i in items[at : at + 25]]
            while pending:
                answer = client.batch_write_item(RequestItems={table: pending})
                pending = answer.get("UnprocessedItems", {}).get(table, [])
        return time.perf_counter() - start

    ours(tables[0])  # warm
    mine, theirs, worst = [], [], 0.0
    for n in range(runs):
        took, gap = ours(tables[1 + 2 * n])
        mine.append(took)
        worst = max(worst, gap)
        theirs.append(bare(tables[2 + 2 * n]))
    browser.close()
    controller.pool.waitForDone(60000)
    a, b = statistics.median(mine), statistics.median(theirs)
    return [
        Figure(
            "import",
            a / b,
            round(1 / 0.9, 3),
            f"{rows / a:,.0f} items/s ({rows:,} CSV rows in {a:.1f} s after the OK), a bare "
            f"BatchWriteItem "
            f"loop {rows / b:,.0f} items/s; the target is at least 0.9x its rate",
            bars=(("Rolecall", a), ("bare BatchWriteItem loop", b)),
        ),
        Figure(
            "import_heartbeat",
            worst,
            50,
            "worst wait of a 10 ms timer during the imports",
            kind="ms_max",
        ),
    ]


def browser_reads(folder: Path, endpoint: str, table: str, items: int, runs: int):  # type: ignore[no-untyped-def]
    """The DynamoDB browser as a person uses it, on the role's assumed session: Run, to the
    first rows painted; and Run then Load all, to the last row (the times of each run)."""
    from PySide6.QtWidgets import QApplication

    controller, browser = open_browser(folder, endpoint, table)

    def first_rows() -> float:
        start = time.perf_counter()
        browser.query.run_button.click()
        wait_for(browser.pageLoaded, 600)
        QApplication.processEvents()  # the rows painted
        return time.perf_counter() - start

    def load_all() -> float:
        start = time.perf_counter()
        browser.query.run_button.click()
        wait_for(browser.pageLoaded, 600)
        browser.load_all.click()
        wait_for(browser.readFinished, 3600)
        QApplication.processEvents()
        if len(browser.model.items) != items:
            raise RuntimeError(f"Load all gave {len(browser.model.items)} of {items} items")
        return time.perf_counter() - start

    first_rows()  # warm
    firsts = [first_rows() for _ in range(runs)]
    loads = [load_all() for _ in range(max(1, runs // 3))]
    browser.close()
    controller.pool.waitForDone(60000)
    return firsts, loads


def dynamodb_peer(folder: Path, endpoint: str, items: int, runs: int) -> list[Figure]:
    """The browser against dynamodb-admin (npm), the DynamoDB web GUI, over its HTTP server
    on the same moto process and table: its first page (the table's page, then the items
    its page asks for), and paging through the whole table at its own page size."""
    import shutil
    import urllib.parse
    import urllib.request

    table = f"Bench{items}"
    script = DYNAMODB_ADMIN / "dist" / "dynamodb-admin.js"
    if not shutil.which("node") or not script.exists():
        why = "dynamodb-admin is not installed (make bench installs it with npm)"
        return [
            Figure("ddb_first_page", 0, 0.5, "", skipped=why),
            Figure("ddb_all", 0, 0.3, "", skipped=why),
        ]
    version = json.loads((DYNAMODB_ADMIN / "package.json").read_text())["version"]
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    admin = subprocess.Popen(
        ["node", str(script), "-p", str(port), "--dynamo-endpoint", endpoint],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "x" * 40,
            "AWS_REGION": "eu-west-1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in admin.stdout:  # type: ignore[union-attr]
            if "listening" in line:
                threading.Thread(target=admin.stdout.read, daemon=True).start()  # type: ignore[union-attr]
                break
        else:
            raise RuntimeError(f"dynamodb-admin did not start (exit {admin.wait()})")
        site = f"http://127.0.0.1:{port}/tables/{table}"

        def get(url: str) -> bytes:
            with urllib.request.urlopen(url, timeout=600) as answer:  # noqa: S310 - the bench's own server
                return answer.read()

        def their_page(start_key: str | None = None, number: int = 1) -> dict[str, object]:
            query = {"pageNum": str(number), "pageSize": "25"}
            if start_key:
                query["startKey"] = start_key
            page = json.loads(get(f"{site}/items?{urllib.parse.urlencode(query)}"))
            return page  # type: ignore[no-any-return]

        def their_first() -> float:
            start = time.perf_counter()
            get(site)  # the table's page; its script then asks for the first page of items
            their_page()
            return time.perf_counter() - start

        firsts, loads = browser_reads(folder, endpoint, table, items, runs)
        their_first()
        theirs = [their_first() for _ in range(runs)]
        ours_first, their_first_page = statistics.median(firsts), statistics.median(theirs)

        # Paging through the whole table: one page at a time, as its Next button asks; each
        # page is Scans of 10 items whatever the page size, so on a big table it is stopped
        # after a budget, and the ratio is then an upper bound.
        ours_all = statistics.median(loads)
        budget = max(30.0, 1.1 * ours_all / 0.3)  # stopped there, the ratio is at most 0.27
        start, key, pages, seen = time.perf_counter(), None, 0, 0
        while True:
            page = their_page(key, pages + 1)
            pages += 1
            seen += len(page["Items"])  # type: ignore[arg-type]
            next_key = page.get("nextKey")
            elapsed = time.perf_counter() - start
            if not next_key or elapsed > budget:
                break
            key = urllib.parse.unquote(str(next_key))
        done = not next_key
        if done and seen != items:
            raise RuntimeError(f"dynamodb-admin paged {seen} of {items} items")
    finally:
        admin.terminate()
        admin.wait(timeout=30)
    if done:
        theirs_all = f"dynamodb-admin {version} paged through it in {elapsed:.1f} s ({pages} pages)"
    else:
        whole_time = elapsed * items / max(1, seen)
        theirs_all = (
            f"dynamodb-admin {version} had paged {seen:,} of {items:,} items ({pages} pages) when"
            f" stopped at {elapsed:.0f} s, about {whole_time / 60:.0f} min for all at that rate;"
            " the ratio is at most this"
        )
    return [
        Figure(
            "ddb_first_page",
            ours_first / their_first_page,
            0.5,
            f"first rows painted {ours_first * 1000:.0f} ms, dynamodb-admin {version}'s first page"
            f" {their_first_page * 1000:.0f} ms (its HTML and items), {items:,} items",
            bars=(("Rolecall", ours_first), ("dynamodb-admin", their_first_page)),
        ),
        Figure(
            "ddb_all",
            ours_all / elapsed,
            0.3,
            f"Run then Load all {ours_all:.1f} s; {theirs_all}",
            bars=(("Rolecall", ours_all), (("" if done else ">") + "dynamodb-admin", elapsed)),
        ),
    ]


def demo_tour(folder: Path) -> list[Figure]:
    """`rolecall --demo` as the command starts it (its AWS in a child process), driven through
    assume, browse Orders, Run, Load all, a query and MyTable (tests/helpers/demo_app.py)."""
    from tests.helpers.demo_app import environment

    (folder / "demo").mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "tests.helpers.demo_app", "tour"],
        capture_output=True,
        text=True,
        env=environment(folder / "demo"),
        cwd=ROOT,
        timeout=600,
    )
    seen = json.loads((result.stdout.splitlines() or ["{}"])[0])
    if "orders" not in seen or result.returncode:
        raise RuntimeError(f"the demo tour failed: {seen.get('error') or result.stderr[-2000:]}")
    return [
        Figure(
            "demo_first_rows",
            seen["first_rows_s"] * 1000,
            1000,
            f"{seen['first_rows']} rows of Orders after Run, on moto",
            kind="ms_max",
        ),
        Figure(
            "demo_heartbeat",
            seen["worst_ms"],
            50,
            f"worst wait of a 10 ms timer while reading; Load all of {seen['orders']:,} orders "
            f"took {seen['load_all_s']:.1f} s; opening the browser window "
            f"{seen['worst_opening_ms']:.0f} ms",
            kind="ms_max",
        ),
    ]


def sso_listing(runs: int, accounts: int) -> Figure:
    """Every account and role of an Identity Center portal, as Rolecall lists it (a bounded
    pool), against a plain serial loop of the same boto3 calls, on the same stand-in with a
    round trip of 20 ms per call (a real portal's is 30-100 ms)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    from core.clients import ClientFactory
    from core.portal_standin import StandIn, many_accounts
    from core.sso import IdentityCenter, Portal, Tokens
    from core.sso_signin import DeviceSignIn
    from core.vault import MemoryStore

    with StandIn(many_accounts(accounts), latency=0.02) as server:
        saved = {
            k: os.environ.get(k) for k in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC")
        }
        os.environ.update(AWS_ENDPOINT_URL_SSO=server.url, AWS_ENDPOINT_URL_SSO_OIDC=server.url)
        try:
            portal = Portal("bench", f"{server.url}/start", "eu-west-1")
            center = IdentityCenter(ClientFactory(), Tokens(MemoryStore()))
            flow = DeviceSignIn(portal, center, wait=lambda seconds: False)
            server.approve_device(flow.start().user_code)
            token = flow.finish().access_token
            sso = boto3.client(
                "sso",
                endpoint_url=server.url,
                region_name="eu-west-1",
                config=Config(signature_version=UNSIGNED),
            )

            def serial() -> int:
                found = 0
                pages = sso.get_paginator("list_accounts").paginate(accessToken=token)
                for account in [a for page in pages for a in page["accountList"]]:
                    for page in sso.get_paginator("list_account_roles").paginate(
                        accessToken=token, accountId=account["accountId"]
                    ):
                        found += len(page["roleList"])
                return found

            assert len(center.accounts(portal)) == serial() == accounts * 3
            ours, plain = alternate(
                lambda: timed(lambda: center.accounts(portal)), lambda: timed(serial), runs=runs
            )
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return Figure(
        "sso_listing",
        ours / plain,
        0.3,
        f"{ours * 1000:.0f} ms vs a serial loop {plain * 1000:.0f} ms, "
        f"{accounts} accounts x 3 roles, 20 ms per call",
    )


def moto_process() -> tuple[subprocess.Popen[str], str]:
    """A moto server in its own process: in this one it would hold the GIL while it builds
    each page, and the heartbeat would measure moto rather than Rolecall."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # The server says when it listens (werkzeug's "Running on" line); after that its request
    # log is drained so that a full pipe never stops it.
    for line in process.stderr:  # type: ignore[union-attr]
        if "Running on" in line:
            threading.Thread(target=process.stderr.read, daemon=True).start()  # type: ignore[union-attr]
            return process, f"http://127.0.0.1:{port}"
    process.kill()
    raise RuntimeError(f"moto did not start (exit {process.wait()})")


def seed_table(table: str, items: int, client: object) -> None:
    """Fill a table with a seeded generator, 25 items a request."""
    from tests.helpers.dynamo import create_table

    create_table(client, table, {"pk": "S", "sk": "N"})
    rng = random.Random(11)

    def item(i: int) -> dict[str, object]:
        return {
            "pk": {"S": f"customer-{i % 500:04d}"},
            "sk": {"N": str(i)},
            "status": {"S": rng.choice(["paid", "shipped", "pending"])},
            "total": {"N": f"{rng.randrange(100, 10**7) / 100}"},
            "tags": {"SS": ["a", "b"]},
            "note": {"S": "x" * rng.randrange(0, 40)},
            "shipping": {"M": {"city": {"S": "Oslo"}, "zip": {"N": str(rng.randrange(10**5))}}},
            "flag": {"BOOL": i % 2 == 0},
        }

    for start in range(0, items, 25):
        batch = [{"PutRequest": {"Item": item(i)}} for i in range(start, min(start + 25, items))]
        while batch:
            answer = client.batch_write_item(RequestItems={table: batch})  # type: ignore[attr-defined]
            batch = answer.get("UnprocessedItems", {}).get(table, [])


GROUPS = (
    "startup",
    "imports",
    "assume",
    "cli",
    "config",
    "sso",
    "search",
    "dynamodb",
    "ddb_peer",
    "import",
    "demo",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tests.bench")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks it still runs")
    parser.add_argument("--svg", type=Path, help="also draw the figures into this SVG")
    parser.add_argument("--only", help=f"some of the groups: {','.join(GROUPS)}")
    args = parser.parse_args(argv)
    smoke = args.smoke
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    runs = 2 if smoke else 7
    roles_start, roles_big = (20, 50) if smoke else (200, 2000)
    items = int(os.environ.get("ROLECALL_BENCH_ITEMS", 300 if smoke else 50_000))
    from moto.server import ThreadedMotoServer
    from PySide6.QtWidgets import QApplication

    from core import redact

    redact.quiet_aws_loggers()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    _app = QApplication.instance() or QApplication(sys.argv[:1])  # kept for the run
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    figures: list[Figure] = []
    wanted = set(args.only.split(",")) if args.only else set(GROUPS)
    if wanted - set(GROUPS):
        parser.error(f"--only takes {', '.join(GROUPS)}")

    def report(group: str, make: Callable[[], list[Figure]]) -> None:
        if group in wanted:
            for figure in make():
                figures.append(figure)
                print(figure.line(), flush=True)

    with tempfile.TemporaryDirectory(prefix="rolecall-bench-") as tmp:
        folder = Path(tmp)
        write_assume_files(folder)
        report("startup", lambda: [startup(folder, 2 * runs + 1, roles_start)])  # noisy
        report("imports", lambda: [import_cost(runs)])
        report("assume", lambda: assume(folder, endpoint, runs * 7))
        report(
            "cli", lambda: [cli_assume(folder, endpoint, runs), *cli_cached(folder, endpoint, runs)]
        )
        report("config", lambda: [big_config(folder, runs, roles_big)])
        report("sso", lambda: [sso_listing(1 if smoke else 3, 20 if smoke else 200)])
        report("search", lambda: search(folder, roles_big, 1 if smoke else 3))
        server.stop()
        if wanted & {"dynamodb", "ddb_peer", "import"}:
            from tests.helpers.dynamo import dynamodb_client

            moto, remote = moto_process()
            try:
                seed_table(f"Bench{items}", items, dynamodb_client(remote))
                report("dynamodb", lambda: dynamodb(remote, items, 1 if smoke else 3))
                report("ddb_peer", lambda: dynamodb_peer(folder, remote, items, 2 if smoke else 5))
                report(
                    "import",
                    lambda: import_rate(
                        folder, remote, 300 if smoke else 10_000, 1 if smoke else 3
                    ),
                )
            finally:
                moto.terminate()
                try:
                    moto.wait(timeout=30)
                except subprocess.TimeoutExpired:  # busy with 50,000 items: it did not stop
                    moto.kill()
                    moto.wait(timeout=30)
        report("demo", lambda: demo_tour(folder))
    if args.svg:
        plot(figures, args.svg)
    failed = [f.name for f in figures if not f.ok]
    print(json.dumps({"figures": len(figures), "failed": failed}), flush=True)
    # Skip interpreter teardown: PySide6 objects destroyed at exit can crash it, and the
    # exit code must say whether every figure is met.
    os._exit(1 if failed and not smoke else 0)


if __name__ == "__main__":
    sys.exit(main())
