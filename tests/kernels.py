"""Which CPU kernel path the real models run on, for test messages and the kernel-path matrix.

Model outputs differ across CPU instruction sets: CTranslate2 (faster-whisper) dispatches its int8
kernels by ISA and picks Intel MKL on GenuineIntel CPUs but oneDNN elsewhere (AMD), and torch's ATen
and oneDNN (pyannote) dispatch by ISA too. A bound on a real-model figure is set from the worst path
measured (docs/accuracy.md, "Kernel paths"), and every such assertion prints the path it ran on.

The paths can be forced with environment variables read when the libraries load, so a developer on
an AVX-512 Intel machine can see what an AVX2 AMD machine sees: ``make test-isa`` and
``python -m tests.kernel_paths`` (the matrix).
"""

from __future__ import annotations

import os
import platform

# Each path: the environment that forces it. They must be set before ctranslate2 and torch load.
AVX2_AMD = {"CT2_FORCE_CPU_ISA": "AVX2", "CT2_USE_MKL": "0", "ONEDNN_MAX_CPU_ISA": "AVX2",
            "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}
PATHS: dict[str, dict[str, str]] = {
    "native": {},
    "avx2-mkl": {"CT2_FORCE_CPU_ISA": "AVX2", "CT2_USE_MKL": "1", "ONEDNN_MAX_CPU_ISA": "AVX2",
                 "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "avx2-onednn": AVX2_AMD,  # what an AVX2 AMD machine (no MKL in CTranslate2) computes
    "generic": {"CT2_FORCE_CPU_ISA": "GENERIC", "CT2_USE_MKL": "0", "ONEDNN_MAX_CPU_ISA": "SSE41",
                "ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "SSE4_2"},
}
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
FORCING_VARIABLES = sorted({key for env in PATHS.values() for key in env} | set(THREAD_VARIABLES))


def cpu_flags() -> str:
    """The widest x86 vector ISA this CPU has, and its vendor."""
    vendor, flags = "", set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("vendor_id") and not vendor:
                    vendor = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        return platform.machine()
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "pre-AVX2"
    return f"{vendor or platform.machine()} {isa}"


def kernel_path() -> str:
    """One line: the CPU, what CTranslate2 and torch dispatch to, threads and any forcing variables."""
    parts = [f"cpu {cpu_flags()}"]
    try:
        import ctranslate2

        parts.append(f"ctranslate2 {ctranslate2.__version__} compute types "
                     f"{','.join(sorted(ctranslate2.get_supported_compute_types('cpu')))}")
    except Exception as exc:  # noqa: BLE001 - a description must never fail a test
        parts.append(f"ctranslate2 unavailable ({exc})")
    try:
        import torch

        parts.append(f"torch {torch.__version__} capability {torch.backends.cpu.get_cpu_capability()} "
                     f"threads {torch.get_num_threads()}")
    except Exception as exc:  # noqa: BLE001
        parts.append(f"torch unavailable ({exc})")
    forced = [f"{key}={os.environ[key]}" for key in FORCING_VARIABLES if key in os.environ]
    parts.append("forced: " + (" ".join(forced) if forced else "none"))
    return "; ".join(parts)


def main(argv: list[str]) -> int:
    """``python -m tests.kernels PATH [pytest args]``: run pytest with PATH's kernels forced."""
    import subprocess
    import sys

    if not argv or argv[0] not in PATHS:
        print(f"usage: python -m tests.kernels {{{','.join(PATHS)}}} [pytest args...]", file=sys.stderr)
        return 2
    env = {**os.environ, **PATHS[argv[0]]}
    print(f"kernel path {argv[0]}: " + " ".join(f"{k}={v}" for k, v in PATHS[argv[0]].items()), flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *argv[1:]], env=env)


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
