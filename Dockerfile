# nodegate-server and its plugin on Debian 12 (bookworm), the release the project builds and
# tests on. The build is `make install`, nothing more:
#   docker build -t nodegate:0.1.0 .      (the version is NODEGATE_VERSION in include/nodegate.h)
# examples/deploy/ runs the image beside kube-scheduler; README.md, Deploying.

# ---- build: what `make install` needs (the Makefile's DEBIAN_PKGS without the test tools:
# cmocka, gnutls (the fake API server's), openssl, jq, prometheus and curl serve only the tests) ----
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        gcc libc6-dev make pkg-config \
        libjansson-dev libmicrohttpd-dev libyajl-dev libyaml-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# bin/nodegate-server, bin/nodegate-replay, lib/nodegate/libnodegate.so and include/nodegate.h
# under /out/usr/local; the server finds the plugin from its own path, so no flag is needed.
RUN make install PREFIX=/usr/local DESTDIR=/out

# ---- runtime: the shared libraries the server and the plugin load, and CA certificates for
# an API server whose kubeconfig names no certificate authority ----
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libmicrohttpd12 libjansson4 libyajl2 libyaml-0-2 libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /
# Not root: nodegate needs no privilege (it writes nothing but --record files, and listens on
# an unprivileged port). 65532 is the conventional "nonroot" uid of distroless images.
USER 65532:65532
EXPOSE 8888
# Default --listen 127.0.0.1:8888 serves only this pod (or host); examples/deploy/ says when
# to give --listen 0.0.0.0:8888.
ENTRYPOINT ["/usr/local/bin/nodegate-server"]
