"""Benchmark bookbuild on this machine; write benchmarks/results/latest.{md,json}.

Measures, each as its own subprocess of this venv's Python (``SOURCE_DATE_EPOCH``
fixed), on a snapshot of the code and the book (``src/``, ``layouts/``, ``manuscript/``
of the working tree, or of a git revision with ``--ref``) copied to a temporary folder:

1. the cold full build of every edition (fresh output folder, ``--force`` when the
   build has a cache), in rounds with 2., 3. and the one-word edit of 4., so that
   their ratios compare runs made side by side;
2. the WeasyPrint floor: WeasyPrint alone turning each PDF edition's final HTML into a
   PDF, in a fresh process per edition, summed;
3. the Pandoc pipeline a user would otherwise script: ``bookbuild export --format
   markdown`` into ``pandoc`` for an EPUB and ``pandoc --pdf-engine=weasyprint``;
4. a no-op rebuild and a one-word-edit rebuild;
5. synthetic manuscripts several times the real one (benchmarks/synth.py): wall
   time and peak memory per size;

then profiles one cold build with pyinstrument and checks the targets.

Run ``.venv/bin/python benchmarks/run.py`` (7 to 10 minutes on two cores), or
``--quick`` for a dry run. ``--help`` lists the options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from synth import copy_project, edit_one_word, synthesize

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
QUICK_RESULTS = ROOT / "benchmarks" / "work" / "results"  # git-ignored
SOURCE_DATE_EPOCH = "1700000000"  # 2023-11-14: the build date printed in every book
SAMPLE_INTERVAL = 0.2  # seconds between memory samples of a process tree

# the targets of issue 11
TARGET_FLOOR_RATIO = 0.7  # cold build ≤ 0.7 × the WeasyPrint floor
TARGET_PANDOC_RATIO = 1.0  # cold build ≤ 1.0 × the Pandoc pipeline
TARGET_EDIT_RATIO = 0.5  # one-word edit rebuild ≤ 0.5 × the cold build
TARGET_NOOP_SECONDS = 0.3
TARGET_GROWTH = 25 / 30  # 30× the content in at most 25× the time
TARGET_MEMORY_MIB = 1024
MEMORY_SIZE = 30


class BenchError(RuntimeError):
    """A measured command failed; the message says which and why."""


# ---------------------------------------------------------------- measuring a process


@dataclass(frozen=True)
class Run:
    """One measured subprocess."""

    seconds: float  # wall time
    max_rss_mib: float  # the largest single process of the tree (ru_maxrss)
    tree_mib: float  # the whole tree at its sampled peak (sum of PSS: shared pages counted once)
    cpu_seconds: float = 0.0  # user + system time of the process and every child it waited for
    stdout: str = field(default="", repr=False)


class TreeSampler(threading.Thread):
    """Samples the proportional set size of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            self.peak_kib = max(self.peak_kib, tree_pss_kib(self.pid))
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def tree_pss_kib(root: int) -> int:
    """PSS of ``root`` and its descendants, from /proc (0 where /proc cannot tell)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        total += _pss_kib(pid)
    return total


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: Sequence[str | Path], env: Mapping[str, str], *, cwd: Path | None = None,
            stdout: Path | None = None) -> Run:
    """Run ``cmd`` to completion; its wall time and peak memory. Raises on a non-zero exit."""
    args = [str(a) for a in cmd]
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        sink = stdout.open("wb") if stdout else out
        try:
            started = time.perf_counter()
            process = subprocess.Popen(args, cwd=cwd, env=dict(env), stdout=sink, stderr=err)
            sampler = TreeSampler(process.pid)
            sampler.start()
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            sampler.stop()
            process.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if stdout:
                sink.close()
        err.seek(0)
        out.seek(0)
        errors, output = err.read().decode(errors="replace"), out.read().decode(errors="replace")
    if process.returncode != 0:
        raise BenchError(f"`{shlex.join(args)}` exited with {process.returncode}:\n"
                         + errors[-3000:])
    return Run(seconds, usage.ru_maxrss / 1024, sampler.peak_kib / 1024,
               usage.ru_utime + usage.ru_stime, output)


def summary(runs: Sequence[Run]) -> dict[str, Any]:
    """Median wall time and the worst memory of repeated runs."""
    return {
        "seconds": round(statistics.median(r.seconds for r in runs), 3),
        "runs_seconds": [round(r.seconds, 3) for r in runs],
        "max_rss_mib": round(max(r.max_rss_mib for r in runs), 1),
        "tree_mib": round(max(r.tree_mib for r in runs), 1),
        "cpu_seconds": round(statistics.median(r.cpu_seconds for r in runs), 3),
    }


# ---------------------------------------------------------------- the benchmark's setting


@dataclass(frozen=True)
class Bench:
    """Where and how every measurement runs."""

    work: Path  # temporary folder for projects and outputs
    book: Path  # snapshot of the bundled project
    env: dict[str, str]
    repeat: int
    has_force: bool  # the build has a cache and a --force flag
    has_jobs: bool  # the build runs editions in parallel and has --jobs
    commit: str  # the git commit measured (with --ref), or HEAD under the working tree

    def bookbuild(self, *args: str | Path) -> list[str | Path]:
        return [sys.executable, "-m", "bookbuild.cli", *args]

    def child(self, *args: str | Path) -> list[str | Path]:
        """This script, run as a helper process (see ``child_main``)."""
        return [sys.executable, Path(__file__).resolve(), "--child", *args]

    def cold_build(self, project: Path, out: Path, *extra: str) -> list[str | Path]:
        force = ["--force"] if self.has_force else []
        return self.bookbuild("build", "--out", out, *force, *extra, project)

    def rebuild(self, project: Path, out: Path) -> list[str | Path]:
        return self.bookbuild("build", "--out", out, project)


CODE_FOLDERS = ("src", "layouts", "manuscript")


def make_bench(work: Path, repeat: int, ref: str | None) -> Bench:
    """Snapshot the code and the book, so that edits made during the run change nothing."""
    commit = resolve_commit(ref or "HEAD")  # before copying: a commit may land meanwhile
    code = snapshot_code(work / "code", commit if ref else None)
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, PYTHONUNBUFFERED="1",
               PYTHONPATH=str(code / "src"))  # ahead of the venv's editable install
    env.pop("PYTHONHASHSEED", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", code / "src"], env=env,
                   check=True)  # bytecode as an installed package has it
    found = subprocess.run([sys.executable, "-c", "import bookbuild; print(bookbuild.__file__)"],
                           env=env, capture_output=True, text=True, check=True).stdout
    if not Path(found.strip()).is_relative_to(code):
        raise BenchError(f"bookbuild imports from {found.strip()}, not the snapshot {code}")
    book = work / "book"
    copy_project(code, book)
    usage = subprocess.run([sys.executable, "-m", "bookbuild.cli", "build", "--help"],
                           env=env, capture_output=True, text=True, check=True).stdout
    return Bench(work, book, env, repeat, "--force" in usage, "--jobs" in usage, commit)


def resolve_commit(ref: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", f"{ref}^{{commit}}"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"not a git revision: {ref}")
    return done.stdout.strip()


def snapshot_code(code: Path, ref: str | None) -> Path:
    """src/, layouts/ and manuscript/ of the working tree, or of git revision ``ref``."""
    code.mkdir(parents=True)
    if ref is None:
        for name in CODE_FOLDERS:
            shutil.copytree(ROOT / name, code / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        return code
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref,
                              *CODE_FOLDERS], capture_output=True)
    if archive.returncode != 0:
        raise BenchError(f"git archive {ref}: {archive.stderr.decode(errors='replace')}")
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive.stdout, check=True)
    return code


# ---------------------------------------------------------------- 1. cold builds


def bench_rounds(bench: Bench) -> dict[str, Any]:
    """The cold build, the WeasyPrint floor, the Pandoc pipeline and the one-word edit,
    measured round by round: each round runs all four one after the other, so that a
    ratio (cold / floor, cold / Pandoc, edit / cold) compares runs made under the same
    load of a shared machine. Each ratio is the median of the rounds' ratios."""
    floor_specs = floor_capture(bench)
    edit_project, edit_out = edit_setup(bench)
    pandoc = shutil.which("pandoc")
    cold_runs: list[Run] = []
    floor_runs: dict[str, list[Run]] = {spec.stem: [] for spec in floor_specs}
    pandoc_steps: dict[str, list[Run]] = {"export": [], "epub": [], "pdf": []}
    edit_runs: list[Run] = []
    edits: list[dict[str, Any]] = []
    ratios: dict[str, list[float]] = {"floor": [], "pandoc": [], "edit": []}
    for i in range(bench.repeat):
        cold = measure(bench.cold_build(bench.book, bench.work / f"cold-{i}"), bench.env)
        cold_runs.append(cold)
        floor = sum(floor_run(bench, spec, floor_runs[spec.stem]) for spec in floor_specs)
        ratios["floor"].append(cold.seconds / floor)
        if pandoc:
            ratios["pandoc"].append(cold.seconds / pandoc_round(bench, pandoc, pandoc_steps))
        edits.append(asdict(edit_one_word(edit_project / "manuscript" / "chronology.yaml")))
        edit_runs.append(measure(bench.rebuild(edit_project, edit_out), bench.env))
        ratios["edit"].append(edit_runs[-1].seconds / cold.seconds)
    cold_result = summary(cold_runs)
    cold_result["outputs"] = manifest_pages(bench.work / f"cold-{bench.repeat - 1}")
    if bench.has_jobs:
        serial = measure(bench.cold_build(bench.book, bench.work / "cold-serial", "--jobs", "1"),
                         bench.env)
        cold_result["one_process"] = summary([serial])
    return {
        "cold": cold_result,
        "floor": floor_summary(floor_runs),
        "pandoc": pandoc_summary(pandoc, pandoc_steps),
        "edit": {**summary(edit_runs), "edits": edits},
        "ratios": {name: {"median": round(statistics.median(values), 3),
                          "rounds": [round(v, 3) for v in values]}
                   for name, values in ratios.items() if values},
    }


def manifest_pages(out: Path) -> dict[str, int]:
    """Pages of each PDF the build wrote, from its manifest."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {o["name"]: o["pages"] for o in manifest["outputs"] if o["name"].endswith(".pdf")}


# ---------------------------------------------------------------- 2. the WeasyPrint floor


def floor_capture(bench: Bench) -> list[Path]:
    """Each PDF edition's final HTML and how WeasyPrint fetches for it (one spec each)."""
    folder = bench.work / "floor"
    measure(bench.child("capture", bench.book, folder), bench.env)
    return sorted(folder.glob("*.json"))


def floor_run(bench: Bench, spec: Path, runs: list[Run]) -> float:
    """WeasyPrint alone on one edition, in a fresh process; its render seconds."""
    runs.append(measure(bench.child("floor", spec, spec.with_suffix(".pdf")), bench.env))
    seconds: float = json.loads(runs[-1].stdout)["seconds"]
    return seconds


def floor_summary(floor_runs: dict[str, list[Run]]) -> dict[str, Any]:
    """The floor: the sum over PDF editions of the median render time."""
    editions: dict[str, Any] = {}
    for name, runs in floor_runs.items():
        renders = [json.loads(r.stdout) for r in runs]
        editions[name] = {
            "render_seconds": round(statistics.median(r["seconds"] for r in renders), 3),
            "pages": renders[0]["pages"],
            "process": summary(runs),
        }
    return {
        "seconds": round(sum(e["render_seconds"] for e in editions.values()), 3),
        "process_seconds": round(sum(e["process"]["seconds"] for e in editions.values()), 3),
        "editions": editions,
    }


# ---------------------------------------------------------------- 3. the Pandoc pipeline


def pandoc_round(bench: Bench, pandoc: str, steps: dict[str, list[Run]]) -> float:
    """Export → pandoc EPUB → pandoc PDF through WeasyPrint, once; the summed seconds."""
    folder = bench.work / "pandoc"
    folder.mkdir(exist_ok=True)
    markdown = folder / "book.md"
    env = dict(bench.env, PATH=f"{Path(sys.executable).parent}{os.pathsep}{bench.env['PATH']}")
    steps["export"].append(measure(bench.bookbuild("export", "--format", "markdown",
                                                   bench.book), env, stdout=markdown))
    steps["epub"].append(measure([pandoc, "-f", "markdown", "-o", folder / "book.epub",
                                  markdown], env))
    steps["pdf"].append(measure([pandoc, "-f", "markdown", "--pdf-engine=weasyprint",
                                 "-o", folder / "book.pdf", markdown], env))
    return sum(runs[-1].seconds for runs in steps.values())


def pandoc_summary(pandoc: str | None, steps: dict[str, list[Run]]) -> dict[str, Any]:
    if pandoc is None:
        return {"available": False, "reason": "pandoc is not installed (not on PATH)"}
    count = len(steps["export"])
    totals = [sum(runs[i].seconds for runs in steps.values()) for i in range(count)]
    return {
        "available": True,
        "version": first_line([pandoc, "--version"]),
        "seconds": round(statistics.median(totals), 3),
        "steps": {name: summary(runs) for name, runs in steps.items()},
    }


# ---------------------------------------------------------------- 4. rebuilds


def bench_noop(bench: Bench) -> dict[str, Any]:
    """Build again into the last cold build's folder, nothing changed."""
    out = bench.work / f"cold-{bench.repeat - 1}"
    return summary([measure(bench.rebuild(bench.book, out), bench.env)
                    for _ in range(bench.repeat)])


def edit_setup(bench: Bench) -> tuple[Path, Path]:
    """A built copy of the book, for one-word edits (each round edits it and rebuilds)."""
    project, out = bench.work / "edited", bench.work / "edited-out"
    copy_project(bench.book, project)
    measure(bench.rebuild(project, out), bench.env)  # the build the edits start from
    return project, out


# ---------------------------------------------------------------- 5. sizes


def bench_sizes(bench: Bench, sizes: Sequence[int]) -> list[dict[str, Any]]:
    results = []
    for factor in sizes:
        try:
            results.append(bench_size(bench, factor))
        except BenchError as exc:
            print(f"  {factor}× failed: {exc}", file=sys.stderr)
            results.append({"factor": factor, "error": brief(exc)})
    base = next((r["seconds"] for r in results if r["factor"] == 1 and "seconds" in r), None)
    for r in results:
        r["time_ratio"] = round(r["seconds"] / base, 2) if base and "seconds" in r else None
    return results


def bench_size(bench: Bench, factor: int) -> dict[str, Any]:
    """Check, then cold-build once, a manuscript ``factor`` times the real one."""
    project, out = bench.work / f"size-{factor}", bench.work / f"size-{factor}-out"
    made = synthesize(bench.book, project, factor)
    check = measure(bench.bookbuild("check", project), bench.env)
    print(f"  {factor}×: {made.events} events, building …", file=sys.stderr, flush=True)
    run = measure(bench.cold_build(project, out), bench.env)
    result = {
        "factor": factor,
        "events": made.events,
        "chronology_kib": made.chronology_bytes // 1024,
        "check_seconds": round(check.seconds, 3),
        **summary([run]),
        "outputs": manifest_pages(out),
    }
    shutil.rmtree(out)
    shutil.rmtree(project)
    return result


# ---------------------------------------------------------------- profile


def bench_profile(bench: Bench, text_file: Path) -> dict[str, Any]:
    """One cold build under pyinstrument, in one process so that every stage is seen."""
    session = bench.work / "profile.pyisession"
    serial = ["--jobs", "1"] if bench.has_jobs else []
    build = bench.cold_build(bench.book, bench.work / "profile-out", *serial)
    measure([sys.executable, "-m", "pyinstrument", "-r", "pyisession", "-o", session,
             "-m", *build[2:]], bench.env)
    measure([sys.executable, "-m", "pyinstrument", "--load", session, "-r", "text",
             "--no-color", "--unicode", "--show", "*/bookbuild/*", "-o", text_file], bench.env)
    stages = json.loads(measure(bench.child("stages", session), bench.env).stdout)
    return {"file": text_file.name, "one_process": bool(serial), **stages}


# ---------------------------------------------------------------- targets


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue, from this one run; ratios from side-by-side rounds."""
    ratios = results.get("ratios", {})
    sizes = results["sizes"]
    floor_name = f"cold build ≤ {TARGET_FLOOR_RATIO} × WeasyPrint floor"
    pandoc_name = f"cold build ≤ {TARGET_PANDOC_RATIO} × Pandoc pipeline"
    edit_name = f"one-word edit rebuild ≤ {TARGET_EDIT_RATIO} × cold build"
    noop_name = f"no-op rebuild ≤ {TARGET_NOOP_SECONDS} s"
    rows = [
        target(floor_name, ratios["floor"]["median"], TARGET_FLOOR_RATIO, "×")
        if "floor" in ratios else not_measured(floor_name, reason(results["floor"])),
        target(pandoc_name, ratios["pandoc"]["median"], TARGET_PANDOC_RATIO, "×")
        if "pandoc" in ratios else not_measured(pandoc_name, reason(results["pandoc"])),
        target(edit_name, ratios["edit"]["median"], TARGET_EDIT_RATIO, "×")
        if "edit" in ratios else not_measured(edit_name, reason(results["edit"])),
        target(noop_name, results["noop"]["seconds"], TARGET_NOOP_SECONDS, " s")
        if "seconds" in results["noop"] else not_measured(noop_name, reason(results["noop"])),
    ]
    sizes = [r for r in sizes if "seconds" in r]
    largest = max(sizes, key=lambda r: r["factor"], default=None)
    name = f"time grows slower than content (30× content in ≤ {30 * TARGET_GROWTH:.0f}× time)"
    if largest and largest["factor"] > 1 and largest["time_ratio"]:
        rows.append(target(f"{name}: {largest['factor']}× in ≤ "
                           f"{largest['factor'] * TARGET_GROWTH:.1f}× time",
                           largest["time_ratio"], largest["factor"] * TARGET_GROWTH, "×"))
    else:
        rows.append(not_measured(name, "needs sizes 1 and one above"))
    at_30 = next((r for r in sizes if r["factor"] == MEMORY_SIZE), None)
    memory = "peak memory at 30× ≤ 1 GiB"
    rows.append(target(memory, at_30["tree_mib"], TARGET_MEMORY_MIB, " MiB")
                if at_30 else not_measured(memory, "30× not measured (--quick or --sizes)"))
    return rows


def target(name: str, measured: float, limit: float, unit: str,
           strict: bool = False) -> dict[str, Any]:
    reached = measured < limit if strict else measured <= limit
    return {"target": name, "measured": round(measured, 3), "limit": round(limit, 3),
            "unit": unit.strip(), "reached": reached,
            "shown": f"{measured:.2f}{unit} (limit {limit:.2f}{unit})"}


def not_measured(name: str, why: str) -> dict[str, Any]:
    return {"target": name, "measured": None, "reached": None, "shown": f"not measured: {why}"}


def reason(result: dict[str, Any]) -> str:
    """Why a part of the benchmark has no number."""
    return str(result.get("reason") or result.get("error") or "")


# ---------------------------------------------------------------- machine facts


def machine_facts(bench: Bench, ref: str | None) -> dict[str, Any]:
    weasyprint = subprocess.run([sys.executable, "-c", "import weasyprint; "
                                 "print(weasyprint.__version__)"], capture_output=True,
                                text=True, env=bench.env).stdout.strip()
    pandoc = shutil.which("pandoc")
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu_model(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "weasyprint": weasyprint,
        "pandoc": first_line([pandoc, "--version"]) if pandoc else "not installed",
        "bookbuild_commit": bench.commit[:12],
        "code": f"git revision {ref}" if ref else "working tree",
        "working_tree_changed": ref is None and bool(first_line(
            ["git", "-C", ROOT, "status", "--porcelain", "--", *CODE_FOLDERS])),
        "build_has_force": bench.has_force,
        "build_has_jobs": bench.has_jobs,
        "source_date_epoch": SOURCE_DATE_EPOCH,
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def first_line(cmd: Sequence[str | Path]) -> str:
    try:
        done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    except OSError:
        return ""
    return (done.stdout.strip().splitlines() or [""])[0]


# ---------------------------------------------------------------- report


def render_markdown(data: dict[str, Any]) -> str:
    m = data["machine"]
    lines = [
        "# bookbuild benchmark",
        "",
        f"{m['date']} · {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB · "
        f"Python {m['python']} · WeasyPrint {m['weasyprint']} · {m['pandoc']} · "
        f"bookbuild {m['bookbuild_commit']}"
        + (" + uncommitted changes" if m["working_tree_changed"] else "")
        + f" · SOURCE_DATE_EPOCH={m['source_date_epoch']}",
        "",
        *load_warning(m),
        f"Times are medians of {data['settings']['repeat']} runs (sizes: one run each), wall "
        "clock of a fresh process, start-up included. Memory: peak of the whole process tree "
        "(sum of PSS, sampled every 0.2 s) and, in brackets, the largest single process "
        "(ru_maxrss).",
        "",
        "## Real book",
        "",
        "| measurement | time | memory | notes |",
        "|---|---:|---:|---|",
        *main_rows(data),
        "",
        "## Sizes",
        "",
        "| size | events | booklet pages | time | × 1× time | memory | check |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *size_rows(data["sizes"]),
        "",
        "## Targets",
        "",
        "| target | measured | reached |",
        "|---|---|---|",
        *(f"| {t['target']} | {t['shown']} | {verdict(t['reached'])} |" for t in data["targets"]),
        "",
        *ratio_lines(data.get("ratios", {})),
        *work_bound_lines(data),
        *profile_section(data.get("profile")),
    ]
    return "\n".join(lines) + "\n"


def ratio_lines(ratios: dict[str, Any]) -> list[str]:
    """The ratios round by round: each round measured the four side by side."""
    if not ratios:
        return []
    shown = "; ".join(f"{name} {', '.join(f'{v:.2f}' for v in r['rounds'])}"
                      for name, r in ratios.items())
    return [f"Ratios per round (cold / floor, cold / Pandoc, edit / cold): {shown}.", ""]


def work_bound_lines(data: dict[str, Any]) -> list[str]:
    """The least the cold build could take on this machine: its CPU time spread perfectly
    over the cores. Above the floor target, no scheduling reaches it: the build would have
    to do less work, not only do it side by side."""
    cold, floor, cores = data["cold"], data["floor"], data["machine"]["cores"] or 1
    if not cold.get("cpu_seconds") or "seconds" not in floor:
        return []
    bound = cold["cpu_seconds"] / cores
    ratio = bound / floor["seconds"]
    verdict_text = ("more than the floor target allows: the target needs less work, not only "
                    "more of it side by side" if ratio > TARGET_FLOOR_RATIO
                    else "within the floor target: it is a matter of scheduling")
    return [f"Work: the cold build spends {cold['cpu_seconds']:.2f} s of CPU (user + system, "
            f"every process); spread perfectly over {cores} cores that is {bound:.2f} s, "
            f"{ratio:.2f}× the floor, {verdict_text}.", ""]


def load_warning(machine: dict[str, Any]) -> list[str]:
    """A note when other work was running as the benchmark started: times are upper bounds."""
    load = machine["load_average_at_start"][0]
    if load < 0.5 * (machine["cores"] or 1):
        return []
    return [f"**The machine was busy**: 1-minute load average {load:.1f} on "
            f"{machine['cores']} cores when the benchmark started; times are upper bounds.", ""]


def main_rows(data: dict[str, Any]) -> list[str]:
    cold, floor, pandoc = data["cold"], data["floor"], data["pandoc"]
    force = "--force, " if data["machine"]["build_has_force"] else ""
    rows = [row("cold full build, all editions", cold,
                f"fresh output folder, {force}default jobs; CPU {cold['cpu_seconds']:.2f} s; "
                + ", ".join(f"{n} {p} p." for n, p in cold["outputs"].items()))]
    if "one_process" in cold:
        rows.append(row("cold full build, `--jobs 1`", cold["one_process"], "one process"))
    if "seconds" in floor:
        per = ", ".join(f"{n} {e['render_seconds']:.2f} s ({e['pages']} p.)"
                        for n, e in floor["editions"].items())
        rows.append(f"| WeasyPrint floor (PDF editions) | {floor['seconds']:.2f} s | – | "
                    f"`HTML(...).write_pdf()` only: {per}; with process start and imports "
                    f"{floor['process_seconds']:.2f} s |")
    else:
        rows.append(f"| WeasyPrint floor | – | – | failed: {reason(floor)} |")
    if pandoc.get("available"):
        steps = pandoc["steps"]
        rows.append(f"| Pandoc pipeline (export → EPUB + PDF) | {pandoc['seconds']:.2f} s | "
                    f"{steps['pdf']['tree_mib']:.0f} MiB | export {steps['export']['seconds']:.2f}"
                    f" s + pandoc EPUB {steps['epub']['seconds']:.2f} s + pandoc → weasyprint "
                    f"PDF {steps['pdf']['seconds']:.2f} s (no imposition, handout, index pages) |")
    else:
        rows.append(f"| Pandoc pipeline | – | – | not measured: {reason(pandoc)} |")
    cached = "" if data["machine"]["build_has_force"] else " (no build cache yet: a full build)"
    rows.append(row("no-op rebuild", data["noop"], "same output folder, no --force" + cached))
    edits = data["edit"].get("edits") or [{"event_id": "?", "old": "?", "new": "?"}]
    rows.append(row("one-word edit rebuild", data["edit"],
                    f"event `{edits[0]['event_id']}`: „{edits[0]['old']}” → „{edits[0]['new']}”"
                    + cached))
    return rows


def row(name: str, result: dict[str, Any], notes: str) -> str:
    if "seconds" not in result:
        return f"| {name} | – | – | failed: {reason(result)} |"
    return f"| {name} | {result['seconds']:.2f} s | {memory(result)} | {notes} |"


def memory(result: dict[str, Any]) -> str:
    return f"{result['tree_mib']:.0f} MiB ({result['max_rss_mib']:.0f})"


def size_rows(sizes: list[dict[str, Any]]) -> list[str]:
    rows = []
    for r in sizes:
        if "seconds" not in r:
            rows.append(f"| {r['factor']}× | – | – | failed: {reason(r)} | – | – | – |")
            continue
        booklet = next((p for n, p in r["outputs"].items() if n.endswith("-booklet.pdf")), "–")
        ratio = f"{r['time_ratio']:.2f}×" if r["time_ratio"] else "–"
        rows.append(f"| {r['factor']}× | {r['events']} | {booklet} | {r['seconds']:.1f} s | "
                    f"{ratio} | {memory(r)} | {r['check_seconds']:.1f} s |")
    return rows


def verdict(reached: bool | None) -> str:
    return {True: "**yes**", False: "**no**", None: "–"}[reached]


def profile_section(profile: dict[str, Any] | None) -> list[str]:
    if not profile:
        return []
    if "stages" not in profile:
        return ["## Profile", "", f"failed: {reason(profile)}", ""]
    how = "`--jobs 1`, so every stage runs in the profiled process" if profile["one_process"] \
        else "one process"
    lines = [
        "## Slowest stages (pyinstrument, one cold build of the real book)",
        "",
        f"Full tree in [{profile['file']}]({profile['file']}); {how}; total "
        f"{profile['duration']:.1f} s (profiling adds overhead). Time includes what each stage "
        "calls; stages nest, so shares do not add up.",
        "",
        "| stage | where | time | share |",
        "|---|---|---:|---:|",
    ]
    for s in profile["stages"]:
        lines.append(f"| `{s['function']}` | {s['where']} | {s['seconds']:.2f} s | "
                     f"{s['share']:.0%} |")
    return [*lines, ""]


# ---------------------------------------------------------------- helper processes


def child_capture(project: Path, folder: Path) -> None:
    """Write each PDF edition's final HTML (index with its real pages) and how it is fetched.

    Lays each edition out as the PDF builder does to learn its page map, then renders
    the whole book once more with that map: the HTML WeasyPrint would need to print the
    finished edition in one pass. Base URL and fetcher roots are recorded from the
    builder's own call to ``weasyprint.HTML``.
    """
    from unittest import mock

    import weasyprint

    from bookbuild.builders.base import BuildJob
    from bookbuild.builders.pdf import PdfBuilder, render_html
    from bookbuild.commands.build import build_date
    from bookbuild.errors import Diagnostics
    from bookbuild.manuscript import find_project, read_manuscript
    from bookbuild.render.book import build_view
    from bookbuild.render.html import layout_dirs, make_environment

    folder.mkdir(parents=True, exist_ok=True)
    found = find_project(project)
    diagnostics = Diagnostics()
    manuscript = read_manuscript(found, diagnostics)
    if diagnostics.errors:
        raise BenchError(f"{project}: the manuscript has errors")
    dirs = tuple(layout_dirs(found.layouts_dir))
    env = make_environment(list(dirs))
    for edition in manuscript.editions:
        if getattr(edition.format, "value", edition.format) != "pdf":  # an enum before
            continue
        job = BuildJob(found, manuscript, edition, env, dirs, folder, build_date())
        with mock.patch.object(weasyprint, "HTML", wraps=weasyprint.HTML) as spy:
            page_map = PdfBuilder().page_map(job)
        call = spy.call_args_list[0].kwargs
        view = build_view(manuscript, edition)
        try:  # page slots, numbered after layout
            html = render_html(job, view).numbered(page_map)  # type: ignore[call-arg]
        except TypeError:  # a revision before them: the index's pages only
            html = render_html(job, view, page_map)  # type: ignore[call-arg]
        css_folder = folder / f"{edition.name}-css"
        html = floor_page_numbers(html, css_folder)
        target = folder / f"{edition.name}.html"
        target.write_text(html, encoding="utf-8")
        fetcher = call["url_fetcher"]
        while not hasattr(fetcher, "roots") and hasattr(fetcher, "inner"):
            fetcher = fetcher.inner  # the confined fetcher inside the figures' one
        spec = {"html": str(target), "base_url": call["base_url"],
                "roots": [str(css_folder), *(str(r) for r in fetcher.roots)]}
        (folder / f"{edition.name}.json").write_text(json.dumps(spec), encoding="utf-8")


PRINTED_PAGE = "attr(data-page)"
TARGET_COUNTER = "target-counter(attr(href url), page)"


def floor_page_numbers(html: str, css_folder: Path) -> str:
    """The floor as issue 11 defines it: WeasyPrint finds the contents' and the
    cross-references' pages itself (``target-counter()``, relaying pages until they
    settle), as the layout had it before bookbuild printed them from its page map.

    The layout's stylesheets are copied to ``css_folder`` with ``attr(data-page)`` back
    to ``target-counter()``, and the HTML links the copies, without ``data-page``.
    """
    css_folder.mkdir(parents=True, exist_ok=True)

    def copy(match: re.Match[str]) -> str:
        source = Path(unquote(urlparse(match.group(1)).path))
        if not source.is_file() or PRINTED_PAGE not in source.read_text(encoding="utf-8"):
            return match.group(0)
        copied = css_folder / source.name
        copied.write_text(source.read_text(encoding="utf-8").replace(PRINTED_PAGE,
                                                                     TARGET_COUNTER),
                          encoding="utf-8")
        return match.group(0).replace(match.group(1), copied.as_uri())

    html = re.sub(r'<link rel="stylesheet" href="([^"]+)"', copy, html)
    return re.sub(r' data-page="[^"]*"', "", html)


def child_floor(spec_file: Path, target: Path) -> None:
    """Time WeasyPrint alone: parse, lay out and write one edition's final HTML."""
    import hashlib

    import weasyprint
    from pypdf import PdfReader

    from bookbuild.builders.fetch import ConfinedFetcher

    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    fetcher = ConfinedFetcher([Path(r) for r in spec["roots"]])
    identifier = hashlib.sha256(Path(spec["html"]).read_bytes()).hexdigest()[:32].encode()
    started = time.perf_counter()
    weasyprint.HTML(filename=spec["html"], base_url=spec["base_url"], encoding="utf-8",
                    url_fetcher=fetcher).write_pdf(target, pdf_identifier=identifier,
                                                   pdf_tags=True)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "pages": len(PdfReader(target).pages)}))


PASS_THROUGH = 0.95  # a frame whose one callee takes this share of its time only passes on
WRAPPER = 0.97  # a frame taking this share of the whole run is the command, not a stage


def child_stages(session_file: Path, top: int = 12) -> None:
    """The slowest stages of a pyinstrument session: bookbuild functions and the library
    calls they make, by time including callees (recursion counted once)."""
    from pyinstrument.session import Session

    session = Session.load(session_file)
    totals: dict[tuple[str, str], float] = {}

    def walk(frame: Any, seen: frozenset[tuple[str, str]], parent_ours: bool) -> None:
        ours = "/bookbuild/" in (frame.file_path or "")
        name = f"{frame.class_name}.{frame.function}" if frame.class_name else frame.function
        key = (name or "", short_path(frame.file_path or "", frame.line_no))
        passes_on = ours and any(c.time >= PASS_THROUGH * frame.time for c in frame.children)
        counted = (ours or parent_ours) and not frame.is_synthetic and not passes_on
        if counted and key not in seen:
            totals[key] = totals.get(key, 0.0) + frame.time
            seen = seen | {key}
        for child in frame.children:
            walk(child, seen, ours)

    walk(session.root_frame(), frozenset(), False)
    duration = session.duration
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    stages = [{"function": f, "where": w, "seconds": round(t, 3), "share": round(t / duration, 3)}
              for (f, w), t in ranked if t < WRAPPER * duration][:top]
    print(json.dumps({"duration": round(duration, 3), "stages": stages}))


def short_path(path: str, line: int | None) -> str:
    for marker in ("/bookbuild/", "/site-packages/", "/lib/python"):
        if marker in path:
            path = path.split(marker, 1)[1]
            path = ("bookbuild/" + path) if marker == "/bookbuild/" else path
            break
    return f"{path}:{line}" if line else path


CHILDREN: dict[str, Callable[..., None]] = {
    "capture": lambda project, folder: child_capture(Path(project), Path(folder)),
    "floor": lambda spec, target: child_floor(Path(spec), Path(target)),
    "stages": lambda session: child_stages(Path(session)),
}


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark bookbuild: cold build against the WeasyPrint floor and the "
                    "Pandoc pipeline, rebuilds, sizes, memory, and a profile.")
    parser.add_argument("--quick", action="store_true",
                        help="dry run: no sizes above 10×, one run each; results go to "
                             "benchmarks/work/results/")
    parser.add_argument("--sizes", type=sizes_arg, default=(1, 10, 30),
                        help="synthetic sizes, times the real book (default: 1,10,30)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per real-book measurement (default 3; 1 with --quick)")
    parser.add_argument("--ref", default=None, metavar="REV",
                        help="benchmark git revision REV (its src/, layouts/ and manuscript/) "
                             "instead of the working tree")
    parser.add_argument("--results", type=Path, default=None,
                        help="folder for latest.md, latest.json and profile.txt")
    parser.add_argument("--no-profile", action="store_true", help="skip the pyinstrument run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = tuple(s for s in args.sizes if s <= 10)
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.results = args.results or (QUICK_RESULTS if args.quick else RESULTS)
    return args


def sizes_arg(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(s) for s in text.split(",") if s.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of whole numbers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are whole numbers from 1")
    return sizes


def brief(exc: Exception) -> str:
    """The failed command's first message line (after the command itself), for a table cell."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return (lines[1] if len(lines) > 1 else lines[0] if lines else "")[:300].replace("|", "/")


def step(name: str, work: Callable[[], Any]) -> Any:
    """Run one part of the benchmark, saying so; its failure is reported, not fatal."""
    print(f"{name} …", file=sys.stderr, flush=True)
    started = time.perf_counter()
    try:
        result = work()
    except BenchError as exc:
        print(f"  failed: {exc}", file=sys.stderr)
        return {"error": brief(exc)}
    print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return result


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    bench = make_bench(work, args.repeat, args.ref)
    args.results.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "machine": machine_facts(bench, args.ref),
        "settings": {"repeat": args.repeat, "sizes": list(args.sizes), "quick": args.quick},
    }
    rounds = step("rounds of cold build, WeasyPrint floor, Pandoc pipeline, one-word edit",
                  lambda: bench_rounds(bench))
    if "error" in rounds:
        raise BenchError(f"the cold build failed: {rounds['error']}")
    data.update(rounds)
    data["noop"] = step("no-op rebuilds", lambda: bench_noop(bench))
    data["sizes"] = step(f"sizes {', '.join(f'{s}×' for s in args.sizes)}",
                         lambda: bench_sizes(bench, args.sizes))
    if not args.no_profile:
        data["profile"] = step("profile", lambda: bench_profile(bench,
                                                                 args.results / "profile.txt"))
    data["targets"] = targets(data)
    return data


def write_results(data: dict[str, Any], folder: Path) -> None:
    (folder / "latest.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    (folder / "latest.md").write_text(render_markdown(data), encoding="utf-8")


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["--child"]:
        CHILDREN[argv[1]](*argv[2:])
        return 0
    args = parse_args(argv)
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bookbuild-bench-"))
    try:
        data = run(args, work)
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    data["settings"]["benchmark_seconds"] = round(time.perf_counter() - started, 1)
    write_results(data, args.results)
    print((args.results / "latest.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
