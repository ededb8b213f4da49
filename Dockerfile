# The manager's image for those with a Docker engine (make docker-build). It holds what `make
# image` builds without one: the static manager, and /etc/passwd, /etc/group (the user 65532) and
# the CA bundle /etc/ssl/certs/ca-certificates.crt, which hack/image writes here as it does there,
# on an empty base, with the same user, entrypoint and labels.
FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=devel
WORKDIR /workspace
COPY go.mod go.sum ./
RUN go mod download
COPY main.go main.go
COPY api/ api/
COPY controllers/ controllers/
COPY internal/ internal/
COPY hack/image/ hack/image/
COPY hack/harness/ hack/harness/
RUN CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} go build -trimpath -buildvcs=false \
    -ldflags "-s -w -buildid= -X main.version=${VERSION}" -o manager .
RUN go run ./hack/image -rootfs=/rootfs

FROM scratch
ARG VERSION=devel
ARG REVISION=unknown
LABEL org.opencontainers.image.source="https://github.com/fota-operator/fota-operator" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=builder /rootfs/ /
COPY --from=builder /workspace/manager /manager
USER 65532:65532
WORKDIR /
ENTRYPOINT ["/manager"]
