"""nbval as `make nbval` runs it: figures compared by content, under kernels other than the ones that executed them.

- nbval compares every output of every cell, text and glued values exactly, except a figure's SVG bytes
  (image/svg+xml), which carry floating-point noise; each figure's content digest (plots.digest) is compared in its
  place. nbval itself already leaves PNG and JPEG bytes alone.
- With --narrow-kernels, the chapters' kernels run numpy without its AVX2 and AVX-512 kernels
  (NPY_DISABLE_CPU_FEATURES) and OpenBLAS on its Sandybridge kernel (OPENBLAS_CORETYPE): not what a current x86-64
  CPU executes the chapters with, so the pass shows that the committed outputs reproduce on another CPU. Before the
  first cell of each chapter, the kernel reports which numpy features are on and which kernel each OpenBLAS runs,
  and the chapter fails unless the narrowing took effect: the pass can never silently run the default kernels.

Loaded with `-p nbval_plugin` (tests/ on the path), by the Makefile and by tests/test_nbval_strict.py.
"""

from __future__ import annotations

import json
import os
import platform

import pytest
from nbval.plugin import IPyNbFile

FIGURE_BYTES = ("image/svg+xml",)
# numpy 2.4's names for the dispatch targets above its x86-64 baseline (older names, such as AVX2, are ignored
# with a warning), and an OpenBLAS kernel every x86-64 CPU with AVX runs.
NARROW_NUMPY = ("X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR")
NARROW_BLAS = "Sandybridge"
# What the kernel reports: numpy's runtime CPU features and each loaded OpenBLAS's kernel (threadpoolctl).
REPORT = """
import json as _json
from numpy._core._multiarray_umath import __cpu_features__ as _features
from threadpoolctl import threadpool_info as _info
print(_json.dumps({"numpy": {k: bool(v) for k, v in _features.items()},
                   "blas": {i["filepath"].rsplit("/", 1)[-1]: i.get("architecture")
                            for i in _info() if i.get("internal_api") == "openblas"}}))
del _json, _features, _info
"""


def pytest_addoption(parser):
    parser.addoption(
        "--narrow-kernels",
        action="store_true",
        help="run the notebooks' kernels under narrowed numpy dispatch and OpenBLAS kernel, and check they took effect",
    )


def narrowing_applies() -> bool:
    return platform.machine() in ("x86_64", "AMD64")


def pytest_configure(config):
    if not config.getoption("narrow_kernels"):
        return
    if narrowing_applies():
        # Kernels inherit this process's environment when nbval starts them, one per notebook. One BLAS thread
        # each: two workers already run two kernels on the two cores, and a thread count other than the one that
        # executed the chapters is one more difference the outputs must survive.
        os.environ["NPY_DISABLE_CPU_FEATURES"] = " ".join(NARROW_NUMPY)
        os.environ["OPENBLAS_CORETYPE"] = NARROW_BLAS
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
    if not hasattr(config, "workerinput"):  # the summary belongs to the main process, not to xdist's workers
        config.pluginmanager.register(Summary(), "narrowed-kernels-summary")


def pytest_collectstart(collector):
    if isinstance(collector, IPyNbFile):
        collector.skip_compare = tuple(collector.skip_compare) + FIGURE_BYTES


def kernel_report(notebook: IPyNbFile) -> dict:
    """What the notebook's running kernel says of its numpy features and OpenBLAS kernels."""
    printed: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            printed.append("\n".join(msg["content"]["traceback"]))

    reply = notebook.kernel.kc.execute_interactive(REPORT, store_history=False, output_hook=hook, timeout=60)
    if reply["content"]["status"] != "ok":
        raise AssertionError("the kernel could not report its numpy and OpenBLAS kernels:\n" + "".join(printed))
    return json.loads("".join(printed))


def narrowing_problems(report: dict) -> list[str]:
    """Why a kernel's report shows it did not run under the narrowed kernels (empty when it did)."""
    problems = [f"numpy's {name} is enabled" for name in NARROW_NUMPY if report["numpy"].get(name)]
    if not report["blas"]:
        problems.append("no OpenBLAS is loaded")
    problems += [
        f"{library} runs the {core} kernel, not {NARROW_BLAS}"
        for library, core in report["blas"].items()
        if str(core).lower() != NARROW_BLAS.lower()
    ]
    return problems


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    result = yield
    notebook = item.parent
    if (
        isinstance(notebook, IPyNbFile)
        and item.config.getoption("narrow_kernels")
        and narrowing_applies()
        and not getattr(notebook, "kernels_checked", False)
    ):
        notebook.kernels_checked = True
        problems = narrowing_problems(kernel_report(notebook))
        if problems:
            raise AssertionError(f"{notebook.name}: the kernel did not run under the narrowed kernels: {problems}")
        # reported with the test (through pytest-xdist's workers too) and counted in the summary
        item.user_properties.append(("narrowed_kernels", notebook.name))
    return result


class Summary:
    """Counts the notebooks whose kernels were checked, from the test reports (which pytest-xdist's workers send
    back), and says so at the end of the run."""

    def __init__(self):
        self.checked: set[str] = set()

    def pytest_runtest_logreport(self, report):
        name = dict(report.user_properties).get("narrowed_kernels")
        if name and report.when == "setup" and report.passed:
            self.checked.add(name)

    def pytest_terminal_summary(self, terminalreporter):
        if narrowing_applies():
            terminalreporter.write_line(
                f"narrowed kernels: numpy without {', '.join(NARROW_NUMPY)}, OpenBLAS {NARROW_BLAS}; "
                f"checked inside {len(self.checked)} notebook kernels"
            )
        else:
            terminalreporter.write_line(f"narrowed kernels: not applied on {platform.machine()}")
