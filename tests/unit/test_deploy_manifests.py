"""What must stay true of the production Dockerfile and of deploy/k8s (rendered offline)."""
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = shutil.which("kubectl")
PROCESSES = {"rasa": "appointments.launch.rasa_server", "actions": "appointments.launch.action_server",
             "console": "appointments.console", "worker": "appointments.worker"}
HELPDESKS = "/helpdesk/"
WEBHOOK_PATHS = {"/whatsapp-reply", "/webhooks/whatsapp/webhook", "/webhooks/whatsapp/status"}
HEALTH_PATH = "/webhooks/whatsapp/"  # the route nginx.conf publishes as /healthz
NO_PROBES = {"worker"}  # no port and no heartbeat (deploy/k8s/base/worker.yml, deploy/README.md)
SECRETS = {"RASA_API_TOKEN", "ACTION_SERVER_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
           "AGENT_CONSOLE_TOKEN", "AGENT_ACCOUNTS", "REDIS_PASSWORD", "DATABASE_URL",
           "HANDOFF_WEBHOOK_SECRET", "RABBITMQ_URL", "REST_CHANNEL_TOKEN"}


def render(path: str) -> list:
    if KUBECTL is None:
        pytest.skip("kubectl is not on PATH: cannot render deploy/k8s")
    done = subprocess.run([KUBECTL, "kustomize", str(ROOT / path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def of_kind(docs: list, kind: str) -> dict:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def containers(deployment: dict) -> list:
    return deployment["spec"]["template"]["spec"]["containers"]


def config(docs: list) -> dict:
    return next(iter(of_kind(docs, "ConfigMap").values()))["data"]


@pytest.fixture(scope="module")
def overlay() -> list:
    return render("deploy/k8s/overlays/example")


def test_every_process_has_its_deployment_and_services_that_find_each_other(overlay):
    deployments = of_kind(overlay, "Deployment")
    assert set(deployments) == set(PROCESSES)
    for name, module in PROCESSES.items():
        assert containers(deployments[name])[0]["command"][:3] == ["python", "-m", module]
    services = of_kind(overlay, "Service")
    assert set(services) == {"rasa", "actions", "console"}
    assert all(service["spec"].get("type", "ClusterIP") == "ClusterIP" for service in services.values())
    ports = {name: service["spec"]["ports"][0]["port"] for name, service in services.items()}
    actions, rasa = (urlsplit(config(overlay)[key]) for key in ("ACTION_ENDPOINT_URL", "RASA_URL"))
    assert (actions.hostname, actions.port, actions.path) == ("actions", ports["actions"], "/webhook")
    assert (rasa.hostname, rasa.port) == ("rasa", ports["rasa"])


def test_probes_on_declared_ports_and_resources(overlay):
    for name, deployment in of_kind(overlay, "Deployment").items():
        for container in containers(deployment):
            ports = {key for p in container.get("ports", []) for key in (p.get("name"), p["containerPort"])}
            for probe in () if name in NO_PROBES else ("readinessProbe", "livenessProbe"):
                target = container.get(probe, {}).get("httpGet") or container.get(probe, {}).get("tcpSocket")
                assert target and target["port"] in ports, f"{name}: no {probe} on a port it opens"
            resources = container.get("resources", {})
            assert {"cpu", "memory"} <= set(resources.get("requests", {})), name
            assert "memory" in resources.get("limits", {}), name


def test_pods_run_as_non_root_on_a_read_only_root(overlay):
    home = config(overlay)["HOME"]
    assert config(overlay)["BIND_HOST"] == "0.0.0.0"
    for name, deployment in of_kind(overlay, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"].get("runAsUser", 0) != 0, name
        empty_dirs = {volume["name"] for volume in pod.get("volumes", []) if "emptyDir" in volume}
        for container in containers(deployment):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert "ALL" in context["capabilities"]["drop"], name
            writable = {m["mountPath"] for m in container.get("volumeMounts", []) if m["name"] in empty_dirs}
            assert home in writable, f"{name}: HOME={home} is not writable"


def test_ingress_routes_only_the_webhook_to_rasa(overlay):
    routes = []
    for ingress in of_kind(overlay, "Ingress").values():
        assert "defaultBackend" not in ingress["spec"]
        routes += [path for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert {route["path"] for route in routes} == WEBHOOK_PATHS | {HEALTH_PATH, HELPDESKS}
    for route in routes:  # Exact: a Prefix would open Rasa's API or the REST channel below it
        # (/helpdesk/ holds only the helpdesks' webhooks: helpdesk_webhook.py)
        assert route["pathType"] == ("Prefix" if route["path"] == HELPDESKS else "Exact"), \
            route["path"]
        assert route["backend"]["service"]["name"] == "rasa", route["path"]


def test_autoscalers_target_rasa_and_actions_on_cpu(overlay):
    hpas = of_kind(overlay, "HorizontalPodAutoscaler").values()
    assert all(hpa["apiVersion"] == "autoscaling/v2" for hpa in hpas)
    assert {hpa["spec"]["scaleTargetRef"]["name"] for hpa in hpas} == {"rasa", "actions"}
    assert all([m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"] for hpa in hpas)


def test_base_holds_no_secret_value():
    base = render("deploy/k8s/base")
    assert not of_kind(base, "Secret")
    assert not SECRETS & set(config(base))
    for deployment in of_kind(base, "Deployment").values():
        for variable in (v for c in containers(deployment) for v in c.get("env", [])):
            if variable["name"] in SECRETS:
                assert "secretKeyRef" in variable.get("valueFrom", {}), variable["name"]


def dockerfile_stages() -> dict:
    stages: dict = {}
    for line in re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text()).splitlines():
        op, _, rest = line.strip().partition(" ")
        if op.upper() == "FROM":
            words = rest.split()
            name = words[2] if len(words) > 2 and words[1].lower() == "as" else str(len(stages))
            stages[name] = {"base": words[0], "lines": []}
        elif stages and op and not op.startswith("#"):
            stages[list(stages)[-1]]["lines"].append((op.upper(), rest.strip()))
    return stages


def test_image_runs_as_non_root_and_leaves_tests_out():
    stages = dockerfile_stages()
    chain, name = [], list(stages)[-1]  # the final image and the stages it is built on
    while name in stages:
        chain, name = [name] + chain, stages[name]["base"]
    assert "runtime" in chain
    for upto in (chain[: chain.index("runtime") + 1], chain):  # the runtime stage, the image
        lines = [line for stage in upto for line in stages[stage]["lines"]]
        users = [rest.split(":")[0] for op, rest in lines if op == "USER"]
        assert users and users[-1] not in ("root", "0"), upto
        for op, rest in lines:
            if op in ("COPY", "ADD"):
                sources = [word for word in rest.split() if not word.startswith("--")][:-1]
                assert not any(re.fullmatch(r"(\./)?(tests(/.*)?|\.?/?)", s) for s in sources), rest
            if op in ("CMD", "ENTRYPOINT"):
                assert rest.startswith("["), f"{op} needs a shell: {rest}"
    rules = [r.strip() for r in (ROOT / ".dockerignore").read_text().splitlines() if r.strip()[:1] not in ("", "#")]
    assert rules[0] == "*" and not any(re.match(r"!(\./)?(tests|var|\.venv)\b", r) for r in rules)
