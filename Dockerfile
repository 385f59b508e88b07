# ostbot in a container: `docker compose up` (see compose.yaml and the README).
#
# Two stages: the first builds the wheel (the catalog inside it) and installs it into a
# virtualenv; the second is a slim image with only that virtualenv, run as an unprivileged
# user, its database on a volume.
# The base is pinned to an exact Python release; for byte-for-byte rebuilds pin its digest too
# (python:3.11.13-slim-bookworm@sha256:...).

FROM python:3.11.13-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md ./
COPY bot ./bot
COPY data ./data
RUN python -m venv /opt/ostbot \
    && /opt/ostbot/bin/pip install --no-cache-dir . \
    && /opt/ostbot/bin/pip uninstall --yes pip

FROM python:3.11.13-slim-bookworm
# A fixed uid/gid, so the volume's owner is the same in every build.
RUN groupadd --system --gid 10001 ostbot \
    && useradd --system --uid 10001 --gid ostbot --home-dir /var/lib/ostbot \
        --shell /usr/sbin/nologin ostbot \
    && mkdir -p /var/lib/ostbot \
    && chown ostbot:ostbot /var/lib/ostbot
COPY --from=build /opt/ostbot /opt/ostbot
ENV PATH=/opt/ostbot/bin:$PATH \
    OSTBOT_DB=/var/lib/ostbot/ostbot.db \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /var/lib/ostbot
VOLUME ["/var/lib/ostbot"]
# Settings readable, database intact and of a schema this version reads; no network.
HEALTHCHECK --interval=60s --timeout=15s --start-period=30s --retries=3 \
    CMD ["ostbot", "doctor", "--quick"]
# Exec form: ostbot is the process that receives `docker stop`'s SIGTERM and shuts down cleanly.
STOPSIGNAL SIGTERM
ENTRYPOINT ["ostbot"]
CMD ["run"]
