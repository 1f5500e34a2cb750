"""Dependencies point one way (README "Arquitectura"):

    domain  <-  interpret  <-  services  <-  adapters, rasa, console  <-  bootstrap, launch, worker, actions

A module may import its own layer and the layers to its left, never one to its right.
`privacy` (masking phones) is as plain as the domain; `settings` (the environment, read
once) belongs with the adapters. The test reads every import statement (also the ones
inside functions and under TYPE_CHECKING) of the package and of actions/.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {
    "appointments.domain": 0, "appointments.privacy": 0,
    "appointments.interpret": 1,
    "appointments.services": 2,
    "appointments.adapters": 3, "appointments.settings": 3, "appointments.settings_values": 3,
    "appointments.rasa": 4, "appointments.console": 4,
    "appointments.bootstrap": 5, "appointments.launch": 5, "appointments.worker": 5,
    "appointments.console.__main__": 5,  # the console's entry point
    "actions": 5,
}
# Nothing but the outer layer may touch these frameworks.
FRAMEWORKS = {"rasa", "rasa_sdk", "sanic", "sqlalchemy", "aiohttp", "redis", "twilio", "openai",
              "httpx", "pydantic", "ruamel", "lingua"}
PURE_LAYERS = 2  # domain, interpret and services import none of FRAMEWORKS


def layer_of(module: str) -> Optional[int]:
    for prefix, layer in sorted(LAYERS.items(), key=lambda item: -len(item[0])):
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> Iterator[Tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:  # "from appointments import bootstrap"
                yield node.lineno, f"{node.module}.{alias.name}"


def sources() -> List[Path]:
    return sorted((ROOT / "appointments").rglob("*.py")) + sorted((ROOT / "actions").rglob("*.py"))


def test_every_module_has_a_layer():
    assert [module_name(p) for p in sources() if layer_of(module_name(p)) is None] == [
        "appointments"]  # the package's own __init__ (a docstring)


def test_no_import_points_outwards():
    wrong = []
    for path in sources():
        own = layer_of(module_name(path))
        if own is None:
            continue
        for line, imported in imports(path):
            target = layer_of(imported)
            if target is not None and target > own:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
            top = imported.split(".")[0]
            if own <= PURE_LAYERS and top in FRAMEWORKS:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported} (framework)")
    assert wrong == []


def test_the_checker_sees_a_wrong_import(tmp_path):
    wrong = tmp_path / "bad.py"
    wrong.write_text("def f():\n    from appointments.adapters.sql import tables\n")
    found = [name for _, name in imports(wrong)]
    assert "appointments.adapters.sql" in found
    assert layer_of("appointments.adapters.sql.tables") > layer_of("appointments.domain.codes")
