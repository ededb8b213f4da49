#!/usr/bin/env bash
# Builds the envtest control plane (kube-apiserver and etcd) from the Go module proxy, because the
# download site that setup-envtest uses is unreachable from our machines and from CI.
#
# The binaries go to a cache directory outside the clone so that every clone on a machine shares one
# build (the first one takes about five minutes on two cores). The script prints that directory, which
# is what KUBEBUILDER_ASSETS must point at. It does nothing when both binaries are already there.
set -euo pipefail

K8S_VERSION=1.37.2
ETCD_VERSION=3.7.3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${FOTA_ENVTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fota-operator/k8s}"
assets="${cache_root}/${K8S_VERSION}-$(go env GOOS)-$(go env GOARCH)"

log() { echo "setup-envtest: $*" >&2; }

mkdir -p "${assets}"

# build_kubernetes_binary NAME: builds k8s.io/kubernetes/cmd/NAME with its version stamped.
# Unstamped, a server reports v0.0.0-master and `kubectl version` fails against it.
build_kubernetes_binary() {
  local name="$1" pkg=k8s.io/component-base/version minor="${K8S_VERSION#*.}"
  minor="${minor%%.*}"
  local ldflags="-s -w -X ${pkg}.gitVersion=v${K8S_VERSION} -X ${pkg}.gitMajor=${K8S_VERSION%%.*}"
  ldflags+=" -X ${pkg}.gitMinor=${minor} -X ${pkg}.gitTreeState=clean"
  (cd "${here}/envtest/kubernetes" &&
    CGO_ENABLED=0 go build -trimpath -ldflags "${ldflags}" -o "${assets}/${name}.tmp" "k8s.io/kubernetes/cmd/${name}")
  mv "${assets}/${name}.tmp" "${assets}/${name}"
}

if [[ ! -x "${assets}/kube-apiserver" ]]; then
  log "building kube-apiserver v${K8S_VERSION} (about five minutes the first time)"
  build_kubernetes_binary kube-apiserver
fi

# A kubectl of the same version for `make dev` users and the end-to-end test (a machine's own
# kubectl may be several minor versions older).
if [[ ! -x "${assets}/kubectl" ]]; then
  log "building kubectl v${K8S_VERSION}"
  build_kubernetes_binary kubectl
fi

if [[ ! -x "${assets}/etcd" ]]; then
  log "building etcd v${ETCD_VERSION}"
  (cd "${here}/envtest/etcd" &&
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "${assets}/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "${assets}/etcd.tmp" "${assets}/etcd"
fi

echo "${assets}"
