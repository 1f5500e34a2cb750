#!/usr/bin/env python3
"""`make audit`: known vulnerabilities in the packages installed in this environment.

When an advisory service answers (PyPI's JSON API or OSV), pip-audit checks every installed
distribution against it. pip-audit lives in its own venv, var/pip-audit, installed there on
first use: its dependencies (packaging>=23, CacheControl>=0.13) conflict with rasa 3.6's pins,
so it never goes into .venv. Without a service, or when pip-audit cannot audit (say it skips
most packages), the advisories recorded in requirements/advisories.json that apply to the
installed versions are printed instead. Advisories recorded as accepted (a pin that must stay,
with the reason) are shown as such and do not fail.

Exit status: 0 nothing unaccepted applies, 1 something does, 2 the audit could not run.
Options: --offline (or AUDIT_OFFLINE=1: recorded advisories only), --timeout SECONDS (service
probe, default 5). PIP_AUDIT=/path/to/pip-audit uses that pip-audit instead of var/pip-audit.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "requirements" / "advisories.json"
TOOL_DIR = ROOT / "var" / "pip-audit"
PIP_AUDIT = "pip-audit==2.10.1"
# A service counts as reachable only when it answers with advisory data for a known release.
PROBES = {
    "pypi": ("https://pypi.org/pypi/pip/24.0/json", None, "vulnerabilities"),
    "osv": ("https://api.osv.dev/v1/query",
            {"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "24.0"}, "vulns"),
}


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> dict[str, tuple[str, str]]:
    from importlib import metadata

    found = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            found.setdefault(canon(name), (name, dist.version))
    return found


def reachable_service(timeout: float) -> str | None:
    for service, (url, body, key) in PROBES.items():
        data = json.dumps(body).encode() if body else None
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if response.status == 200 and key in json.load(response):
                    return service
        except (OSError, ValueError):
            continue
    return None


def pip_audit_command(install_timeout: float) -> list[str] | None:
    if os.environ.get("PIP_AUDIT"):
        return os.environ["PIP_AUDIT"].split()
    import importlib.util

    if importlib.util.find_spec("pip_audit"):
        return [sys.executable, "-m", "pip_audit"]
    for exe in (shutil.which("pip-audit"), TOOL_DIR / "bin" / "pip-audit"):
        if exe and Path(exe).exists():
            return [str(exe)]
    print(f"Instalando {PIP_AUDIT} en {TOOL_DIR.relative_to(ROOT)} (solo la primera vez)...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(TOOL_DIR)], check=True,
                       capture_output=True, timeout=120)
        subprocess.run([str(TOOL_DIR / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", PIP_AUDIT], check=True,
                       capture_output=True, timeout=install_timeout)
    except (OSError, subprocess.SubprocessError):
        print("  no se pudo instalar pip-audit.")
        return None
    return [str(TOOL_DIR / "bin" / "pip-audit")]


def run_pip_audit(command: list[str], service: str, timeout: float) -> list[dict] | None:
    """pip-audit's findings, or None when it could not really audit this environment."""
    paths = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        args = command + [arg for p in paths for arg in ("--path", p)] + [
            "-s", service, "-f", "json", "--progress-spinner", "off", "--aliases", "on",
            "--desc", "off", "--timeout", str(int(timeout) + 10), "-o", str(out)]
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=900)
            data = json.loads(out.read_text()) if proc.returncode in (0, 1) else None
        except (OSError, ValueError, subprocess.SubprocessError):
            data = None
    deps = (data or {}).get("dependencies", [])
    skipped = [d for d in deps if "skip_reason" in d]
    if not deps or len(skipped) * 2 > len(deps):
        return None  # the service answered for too few packages: not an audit
    if skipped:
        names = [d["name"] for d in skipped]
        print(f"pip-audit no pudo revisar {len(names)} paquetes: " + ", ".join(names[:10])
              + (", ..." if len(names) > 10 else ""))
    return [{"package": d["name"], "version": d["version"], "ids": [v["id"], *v.get("aliases", [])],
             "fixed": ", ".join(v.get("fix_versions", [])) or "sin versión arreglada", "summary": ""}
            for d in deps for v in d.get("vulns", [])]


def applies(affected, version: str) -> bool:
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    try:
        parsed = Version(version)
    except InvalidVersion:
        return True  # cannot tell: show it rather than hide it
    ranges = [affected] if isinstance(affected, str) else affected
    return any(SpecifierSet(r).contains(parsed, prereleases=True) for r in ranges)


def recorded_findings(records: dict, dists: dict, manual_only: bool = False) -> list[dict]:
    """Recorded advisories that apply; manual_only: those no advisory service knows about."""
    findings = []
    for adv in records["advisories"]:
        if manual_only and not adv.get("manual"):
            continue
        dist = dists.get(canon(adv["package"]))
        if dist and applies(adv["affected"], dist[1]):
            findings.append({"package": dist[0], "version": dist[1], "ids": adv["ids"],
                             "fixed": adv.get("fixed", "sin versión arreglada"),
                             "summary": adv.get("summary", "")})
    return findings


def acceptance(records: dict, package: str, ids: list[str]) -> str | None:
    for adv in records["advisories"]:
        if adv.get("accepted") and canon(adv["package"]) == canon(package) and set(ids) & set(adv["ids"]):
            return records.get("reasons", {}).get(adv["accepted"], adv["accepted"])
    return None


def report(findings: list[dict], records: dict) -> int:
    wrap = textwrap.TextWrapper(width=100, subsequent_indent=" " * 14)
    unaccepted = accepted = 0
    by_package: dict[tuple[str, str], list[dict]] = {}
    for f in findings:
        by_package.setdefault((f["package"], f["version"]), []).append(f)
    for (package, version), items in sorted(by_package.items(), key=lambda kv: canon(kv[0][0])):
        print(f"\n{package} {version}")
        reasons: list[str] = []
        for f in items:
            reason = acceptance(records, package, f["ids"])
            label = "aceptada" if reason else "VULNERABLE"
            accepted, unaccepted = accepted + bool(reason), unaccepted + (not reason)
            text = f"  {label:<11} {', '.join(f['ids'])} -> arreglada en {f['fixed']}"
            print(wrap.fill(text + (f": {f['summary']}" if f["summary"] else "")))
            if reason and reason not in reasons:
                reasons.append(reason)
        for reason in reasons:
            print(textwrap.fill(f"  motivo: {reason}", width=100, subsequent_indent=" " * 10))
    print(f"\nResultado: {unaccepted} aviso(s) sin aceptar, {accepted} aceptado(s).")
    if unaccepted:
        print("Actualice los paquetes marcados VULNERABLE (requirements/*.txt; pip, en el Makefile) o registre en "
              "requirements/advisories.json por qué el pin debe quedarse.")
    return 1 if unaccepted else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offline", action="store_true", help="solo los avisos registrados")
    parser.add_argument("--timeout", type=float, default=5.0, help="segundos para probar el servicio")
    args = parser.parse_args()
    try:
        records = json.loads(RECORDS.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"No se pudo leer {RECORDS}: {error}", file=sys.stderr)
        return 2
    dists = installed()
    print(f"Auditoría de dependencias: {sys.prefix} ({len(dists)} paquetes)")
    service = None if args.offline or os.environ.get("AUDIT_OFFLINE") else reachable_service(args.timeout)
    findings = None
    if service:
        command = pip_audit_command(install_timeout=300)
        if command:
            print(f"Fuente: pip-audit contra el servicio {service}.")
            findings = run_pip_audit(command, service, args.timeout)
            if findings is None:
                print("pip-audit no pudo auditar este entorno; se usan los avisos registrados.")
            else:
                findings += recorded_findings(records, dists, manual_only=True)
    else:
        print("Sin acceso a un servicio de avisos (pypi.org / api.osv.dev).")
    if findings is None:
        print(f"Fuente: avisos registrados en {RECORDS.relative_to(ROOT)} (al {records['updated']}); "
              "los publicados después no aparecen.")
        findings = recorded_findings(records, dists)
    return report(findings, records)


if __name__ == "__main__":
    sys.exit(main())
