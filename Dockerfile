# syntax=docker/dockerfile:1
# newsbot in a small image: Python 3.11 slim, a virtualenv copied from a build stage, a non-root
# user, the database under /data and the watched inbox under /inbox (both volumes).
#
#   docker build -t newsbot .
#   docker run -d --name newsbot --env-file .env -v newsbot-data:/data -v "$PWD/inbox:/inbox" newsbot
#
# docs/operations.md has the details (compose, systemd, webhook mode, health checks).

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY summaries ./summaries
# tornado (python-telegram-bot[webhooks]) serves webhook mode; asyncpg reaches PostgreSQL.
# pip leaves the venv afterwards: 16 MB that nothing uses at run time.
RUN python -m venv /opt/newsbot \
    && /opt/newsbot/bin/pip install . "python-telegram-bot[webhooks]~=22.5" "asyncpg>=0.29" \
    && /opt/newsbot/bin/pip uninstall --yes pip \
    && /opt/newsbot/bin/newsbot --version

FROM python:3.11-slim
LABEL org.opencontainers.image.title="newsbot" \
      org.opencontainers.image.description="Summaries and key quotes of news articles, posted to Telegram chats"
ENV PATH=/opt/newsbot/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/data \
    NEWSBOT_DATA_DIR=/data \
    NEWSBOT_INBOX=/inbox
RUN groupadd --system --gid 10001 newsbot \
    && useradd --system --uid 10001 --gid newsbot --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin newsbot \
    && mkdir -p /data /inbox \
    && chown newsbot:newsbot /data /inbox
COPY --from=build /opt/newsbot /opt/newsbot
USER 10001:10001
WORKDIR /data
VOLUME ["/data", "/inbox"]
# Only used in webhook mode (NEWSBOT_WEBHOOK_URL set): put a TLS reverse proxy in front.
EXPOSE 8443
# Settings valid, inbox and data writable, database reachable at a schema this code runs.
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s --retries=3 CMD ["newsbot", "check"]
CMD ["newsbot", "run"]
