# The service image, also run as the Docker API proxy: Deno, the sources, the npm packages they import, and
# glibc; nothing else (no shell, no package manager). Made by `deno task service-image`, which stages the build
# context in .build/ (the Deno binary you run, the sources, a node_modules holding only what the entry points
# import) and picks the base: debian:bookworm-slim from a registry, else backend-agent/debian:bookworm imported
# from the Debian mirror. The base only lends its glibc: the image starts from scratch. Classic builder or
# BuildKit alike.
#
# Targets: `service` (the default use), and `try-it`, the same plus the GitHub and Anthropic stand-ins with the
# example repository (compose.demo.yaml); the service image holds neither.
ARG BASE_IMAGE=debian:bookworm-slim

FROM ${BASE_IMAGE} AS build
COPY .build/service/deno /rootfs/usr/local/bin/deno
COPY .build/service/app/ /rootfs/app/
ENV DENO_DIR=/rootfs/app/.deno-cache DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1
# Deno's own cache of the sources (the service runs --cached-only); then the shared libraries the binary
# loads, a passwd entry for the service user (uid 10001), /tmp and the data folder it owns.
RUN chmod 0755 /rootfs/usr/local/bin/deno \
 && cd /rootfs/app \
 && /rootfs/usr/local/bin/deno cache src/main.ts src/cli.ts src/docker_proxy/main.ts src/docker_proxy/health_check.ts \
 && for lib in $(ldd /rootfs/usr/local/bin/deno | grep -o '/[^ ]*'); do cp --parents -L "$lib" /rootfs; done \
 && mkdir -p /rootfs/etc /rootfs/tmp /rootfs/app/data \
 && chmod 1777 /rootfs/tmp \
 && echo 'agent:x:10001:10001:backend-agent:/app:/usr/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'agent:x:10001:' > /rootfs/etc/group \
 && chown 10001:10001 /rootfs/app/data

FROM scratch AS service
COPY --from=build /rootfs/ /
WORKDIR /app
ENV DENO_DIR=/app/.deno-cache \
    DENO_NO_UPDATE_CHECK=1 \
    DENO_NO_PROMPT=1 \
    HOST=0.0.0.0 \
    PORT=8080 \
    JOBS_DB_PATH=/app/data/jobs.sqlite
USER 10001:10001
# No VOLUME: a VOLUME line gives every container of the image (the proxy too) an anonymous volume that
# `down -v` leaves behind. Compose mounts its named volume on /app/data instead.
EXPOSE 8080
# `deno task start` with the same explicit permissions: never -A, never --allow-run. The Docker engine is
# reached through DOCKER_HOST (compose: our docker-proxy); the socket path is listed for deployments that mount one.
CMD ["deno", "run", "--cached-only", "--allow-net", "--allow-env", "--allow-sys=homedir,osRelease,networkInterfaces", \
     "--allow-read=/app,/var/run/docker.sock,/run/secrets,/var/run/secrets", "--allow-write=/app/data,/var/run/docker.sock", \
     "src/main.ts"]

FROM service AS try-it
USER 0:0
COPY .build/try-it/app/ /app/
RUN ["deno", "cache", "examples/try_it/main.ts"]
USER 10001:10001
EXPOSE 8081 8082
CMD ["deno", "run", "--cached-only", "--allow-net", "--allow-env", "--allow-read=/app,/run/secrets", \
     "examples/try_it/main.ts"]
