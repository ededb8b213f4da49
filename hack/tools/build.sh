#!/usr/bin/env bash
# Builds helm or promtool from the Go module proxy (the download sites of their release binaries
# are out of reach of our machines and CI), with the version stamped the way their own release
# builds stamp it.
#
#   hack/tools/build.sh helm v3.22.0 bin/helm-v3.22.0
#   hack/tools/build.sh promtool v0.316.0 bin/promtool-v0.316.0
#
# `go install module@version` builds from the module's own go.mod, so the pin is the whole
# dependency graph; neither module has replace directives, so no wrapper module is needed.
set -euo pipefail

tool="$1" version="$2" output="$3"

log() { echo "build-tool: $*" >&2; }

# Outside any module, so that looking up the tool's go.mod leaves ours alone.
workdir="$(mktemp -d)"
trap 'rm -rf "${workdir}"' EXIT

# helm_ldflags VERSION: helm's version, and the Kubernetes version that `helm template` and
# `helm lint` assume without a cluster (.Capabilities.KubeVersion). helm's Makefile derives the
# latter from its client-go; unstamped it is v1.20, which deprecation checks would measure against.
helm_ldflags() {
  local gomod client_go minor
  gomod="$(cd "${workdir}" && go mod download -json "helm.sh/helm/v3@$1" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  client_go="$(awk '$1 == "k8s.io/client-go" { print $2 }' "${gomod}")"
  minor="${client_go#v0.}"
  minor="${minor%%.*}"
  local internal=helm.sh/helm/v3/internal/version
  echo "-X ${internal}.version=$1 -X ${internal}.gitTreeState=clean" \
    "-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${minor}" \
    "-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${minor}"
}

# promtool_ldflags MODULE_VERSION: Prometheus v3.MM.P is the module v0.3MM.P; promtool --version
# prints the release version.
promtool_ldflags() {
  local minor="${1#v0.}" patch="${1##*.}"
  minor="${minor%%.*}"
  echo "-X github.com/prometheus/common/version.Version=$((minor / 100)).$((minor % 100)).${patch}"
}

case "${tool}" in
helm)
  package=helm.sh/helm/v3/cmd/helm
  ldflags="$(helm_ldflags "${version}")"
  ;;
promtool)
  package=github.com/prometheus/prometheus/cmd/promtool
  ldflags="$(promtool_ldflags "${version}")"
  # Without the service discovery plugins (AWS, Azure, GCE, Kubernetes, ...), which only
  # `promtool check config` of a scrape configuration uses: rule checks and rule tests need none,
  # and the build downloads and compiles a fraction of the modules.
  tags=remove_all_sd
  ;;
*)
  echo "usage: $0 helm|promtool MODULE_VERSION OUTPUT" >&2
  exit 2
  ;;
esac

log "building ${tool} ${version} from the Go module proxy"
GOBIN="${workdir}" CGO_ENABLED=0 go install -trimpath -tags "${tags:-}" -ldflags "-s -w ${ldflags}" "${package}@${version}"
mv "${workdir}/${tool}" "${output}"
