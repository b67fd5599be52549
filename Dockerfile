# kubeward as a static binary in an empty image.
#
#   docker build -t kubeward:dev .
#   docker run --rm --pid=host -v /:/host:ro kubeward:dev node --root /host --proc /host/proc
#
# Build stage: Rust on Alpine targets musl, and musl binaries are linked statically by default
# (crt-static), so the result runs in `scratch`. build-base provides the C compiler `ring` needs;
# cmake builds librdkafka (audit follow --kafka), perl and linux-headers build the OpenSSL it
# links statically (Event Hubs' TLS); curl-dev only for a header librdkafka's build includes (no
# curl is linked); ca-certificates gives the CA bundle copied below.
FROM rust:1-alpine AS build
RUN apk add --no-cache build-base cmake perl linux-headers curl-dev ca-certificates
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p kubeward \
    && cp target/release/kubeward /kubeward \
    && ./target/release/kubeward --version \
    && ! ldd /kubeward 2>/dev/null | grep -q '=>'

# Runtime: nothing but the binary (no shell, no package manager: a node scan starts no process).
FROM scratch
COPY --from=build /kubeward /kubeward
# Trusted roots for the Kafka client's TLS to Event Hubs (librdkafka looks for this file; the
# webhook and storage clients carry their own roots).
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# uid 0 on purpose: the files a node scan reads (/etc/default/kubeletconfig.json, azure.json,
# /etc/default/kubelet) are root:root 0600. The Job drops every capability except the one it needs.
USER 0:0
ENTRYPOINT ["/kubeward"]
CMD ["node", "--root", "/host", "--proc", "/host/proc", "-o", "json"]
