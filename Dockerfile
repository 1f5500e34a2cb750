# syntax=docker/dockerfile:1
# Production image of the appointment assistant (deploy/README.md).
#
#   docker build -t citas:TAG .                    # default target: with the model trained inside
#   docker build --target runtime -t citas:TAG .   # no model: mount one at /app/models
#
# One image runs every process; the command picks which (see deploy/k8s/base):
#   python -m appointments.launch.rasa_server ... | appointments.launch.action_server ...
#   python -m appointments.console | python -m appointments.worker
# No secret is baked in: every token comes from the environment at run time.

# Same base in every stage: the venv's python is a link to /usr/local/bin/python3.11.
# For reproducible builds pin it by digest: python:3.11-slim-bookworm@sha256:...
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- builder: the venv, installed exactly like the Makefile's $(INSTALLED) target -------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
# multidict 5.2.0 has no wheel for Python 3.11: it is compiled here (never in the runtime).
# tzdata: Duckling reads /usr/share/zoneinfo (training runs it too).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev tzdata \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
COPY requirements/rasa.txt requirements/runtime.txt /tmp/requirements/
# rasa 3.6 declares Python <3.11 but runs on 3.11 with the pins in runtime.txt (Makefile).
RUN /opt/venv/bin/pip install -q --upgrade pip==26.3 \
 && /opt/venv/bin/pip install -q --no-deps --ignore-requires-python -r /tmp/requirements/rasa.txt \
 && /opt/venv/bin/pip install -q -r /tmp/requirements/runtime.txt

# --- runtime: the venv and the project, no compiler, no tests, not root -------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 citas \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin citas
# HOME=/tmp: Rasa writes ~/.config/rasa/global.yml even with telemetry off; /app is read-only.
ENV PATH=/opt/venv/bin:$PATH \
    HOME=/tmp \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    RASA_TELEMETRY_ENABLED=false \
    BIND_HOST=0.0.0.0
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
# Owned by root and read-only for the service user: the code cannot be changed at run time.
COPY config.yml domain.yml endpoints.yml credentials.yml business.yml ./
COPY prompts/ prompts/
COPY data/ data/
COPY actions/ actions/
COPY appointments/ appointments/
# Byte-code compiled now, because the root file system is read-only in Kubernetes.
# models/: the mount point of the model (or where the with-model stage puts it).
# var/: only for a local `docker run` without DATABASE_URL (SQLite); not used in Kubernetes.
RUN python -m compileall -q actions appointments \
 && mkdir -p models var \
 && chown 10001:10001 var \
 && chmod 0700 var
USER 10001:10001
EXPOSE 5005 5055 5056
CMD ["python", "-m", "appointments.launch.rasa_server", "--model", "models", \
     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", "5005"]

# --- trainer: `rasa train` as in the Makefile's $(MODEL) target ---------------------------
FROM builder AS trainer
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false
WORKDIR /app
COPY config.yml domain.yml ./
COPY data/ data/
COPY appointments/ appointments/
RUN rasa train --config config.yml --domain domain.yml --data data \
      --out models --fixed-model-name citas

# --- with-model (default): the runtime plus the model trained above -----------------------
FROM runtime AS with-model
COPY --from=trainer /app/models/citas.tar.gz models/citas.tar.gz
