"""The README's file overview and environment table stay true: every path the overview
names exists, every package folder is in it, and every variable the code reads is in the
environment table."""
from __future__ import annotations

import re
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end != -1 else None]


def first_column_paths() -> List[str]:
    paths = []
    for line in section("Archivos").splitlines():
        if line.startswith("| `"):
            first = line.split("|")[1]
            paths += re.findall(r"`([^`]+)`", first)
    return paths


def test_every_path_in_the_overview_exists():
    missing = [p for p in first_column_paths() if not (ROOT / p.rstrip("/")).exists()]
    assert missing == []


def test_every_package_folder_is_in_the_overview():
    named = first_column_paths()
    folders = [p.relative_to(ROOT).as_posix() for p in (ROOT / "appointments").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()]
    folders += ["actions", "bench", "deploy", "scripts", "requirements"]
    unlisted = [f for f in folders if not any(n.rstrip("/") == f for n in named)]
    assert unlisted == []


HEADER_LIKE: set = set()  # upper-case literals in those modules that are not variables


def variables_read_by_the_code() -> set:
    settings = "\n".join((ROOT / "appointments" / name).read_text(encoding="utf-8")
                         for name in ("settings.py", "settings_values.py"))
    reads = r'(?:env\.get\(\s*|read_int\(\s*env,\s*|read_flag\(\s*env,\s*)"([A-Z_]+)"'
    names = set(re.findall(reads, settings))
    # each helpdesk adapter reads its own settings (appointments/adapters/helpdesks/):
    # the variables it names as string literals
    for module in (ROOT / "appointments" / "adapters" / "helpdesks").glob("*.py"):
        text = module.read_text(encoding="utf-8")
        names |= set(re.findall(r'"([A-Z][A-Z0-9]*_[A-Z0-9_]+)"', text)) - HEADER_LIKE
    for config in ("endpoints.yml", "credentials.yml"):
        text = (ROOT / config).read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        names |= set(re.findall(r"\$\{([A-Z_]+)\}", code))
    return names


def test_every_variable_the_code_reads_is_in_the_table():
    table = section("Variables de entorno")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert sorted(variables_read_by_the_code() - documented) == []
