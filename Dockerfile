# The service image: Deno, the sources, the npm packages vendored from the build context, a non-root user.
#
# No registry is needed. Before building:
#   deno install                                       # vendors the npm packages into node_modules/
#   cp "$(readlink -f "$(command -v deno)")" .deno-bin  # the Deno binary (2.9.x, linux x86-64, glibc)
# then:
#   docker build -t backend-agent/service .                                    # from debian:bookworm-slim
#   docker build --build-arg BASE_IMAGE=backend-agent/debian:bookworm -t backend-agent/service .
# where backend-agent/debian:bookworm is a base imported from the Debian mirror (see README, "Deploying").
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
USER root

# Deno ships its own Mozilla root certificates, so the base needs no ca-certificates.
COPY .deno-bin /usr/local/bin/deno
# The service user, written directly so that minimal bases without useradd work too.
RUN chmod 0755 /usr/local/bin/deno \
 && (grep -q '^agent:' /etc/passwd || echo 'agent:x:10001:10001:backend-agent:/app:/usr/sbin/nologin' >> /etc/passwd) \
 && (grep -q '^agent:' /etc/group || echo 'agent:x:10001:' >> /etc/group)

WORKDIR /app
ENV DENO_DIR=/app/.deno-cache \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1 \
    HOST=0.0.0.0 \
    PORT=8080 \
    JOBS_DB_PATH=/app/data/jobs.sqlite
COPY deno.json deno.lock ./
COPY node_modules ./node_modules
COPY src ./src
# graphile-worker (the PostgreSQL queue) looks for its settings file from the working directory up; it stops here.
COPY .graphile-workerrc ./
# Warm Deno's cache as root; the code stays root-owned and read-only to the service user; only data/ is its own.
RUN deno cache --frozen src/main.ts \
 && mkdir -p /app/data \
 && chown 10001:10001 /app/data

USER 10001:10001
VOLUME ["/app/data"]
EXPOSE 8080
# `deno task start` with the same explicit permissions: never -A, never --allow-run. The Docker engine is
# reached through DOCKER_HOST (compose: our docker-proxy); the socket path is listed for deployments that mount one.
ENTRYPOINT []
CMD ["deno", "run", "--cached-only", "--allow-net", "--allow-env", "--allow-sys=homedir", \
     "--allow-read=/app,/var/run/docker.sock,/run/secrets", "--allow-write=/app/data,/var/run/docker.sock", \
     "src/main.ts"]
