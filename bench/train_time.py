"""Training time from scratch (no cache) and the size of the model it makes.

    .venv/bin/python bench/train_time.py

Trains into a temporary folder with a temporary cache (RASA_CACHE_DIRECTORY), so
neither models/ nor the warm cache of `make train` is touched or used.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-train-") as folder:
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", PYTHONPATH=str(ROOT),
                   RASA_CACHE_DIRECTORY=str(Path(folder) / "cache"))
        command = [str(Path(sys.executable).parent / "rasa"), "train", "--config", "config.yml",
                   "--domain", "domain.yml", "--data", "data", "--out", folder,
                   "--fixed-model-name", "bench"]
        begin = time.perf_counter()
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - begin
        if run.returncode:
            print(run.stdout[-3000:], run.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"rasa train failed ({run.returncode})")
        size = (Path(folder) / "bench.tar.gz").stat().st_size / 2**20
    epochs = re.findall(r"Epochs: 100%\|[^|]*\| (\d+)/\d+ \[(\d+):(\d+)", run.stderr + run.stdout)
    print(f"training from scratch: {seconds / 60:.1f} min ({seconds:.0f} s); model {size:.0f} MiB")
    for count, minutes, secs in dict.fromkeys(epochs):  # DIET, then TED (tqdm repeats lines)
        print(f"  a component trained {count} epochs in {int(minutes)}:{secs}")


if __name__ == "__main__":
    main()
