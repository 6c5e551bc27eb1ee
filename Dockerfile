# walhook, built from this repository on Debian 12 (bookworm).
#
#   docker build -t walhook .
#   docker run --rm walhook --help
#   docker run --rm walhook -d "host=db1 dbname=source_rep user=rep" -S myslot \
#          --start --publication pub lua/examples/print.lua
#
# The examples are in the image's working directory: lua/examples/*.lua.

# --- build: scripts/setup installs the packages it needs and builds build/
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# (.dockerignore keeps the host's build directories out; be sure anyway.)
RUN rm -rf build build-luajit \
 && ./scripts/setup --lua lua5.4 \
 && build/walhook --version \
 && rm -rf /var/lib/apt/lists/*

# --- run: walhook, its libraries and the Lua examples --------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpq5 liblua5.4-0 libcurl4 ca-certificates \
      librdkafka1 libnats3.4 libhiredis0.14 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /opt/walhook --shell /usr/sbin/nologin walhook
COPY --from=build /src/build/walhook /usr/local/bin/walhook
COPY lua /opt/walhook/lua
WORKDIR /opt/walhook
USER walhook
ENTRYPOINT ["walhook"]
CMD ["--help"]
