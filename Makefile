# fota-operator: development targets in kubebuilder's style. Tools are pinned and built into bin/.

# The operator's version, stamped into the manager and the image's version label.
VERSION ?= v0.1.0
# Both commands, the manager and kubectl-fota, report VERSION (their main.version).
LDFLAGS = -X main.version=$(VERSION)
# The image `make image` builds and names and `make deploy` deploys. config/default and the chart
# name CONFIG_IMG, the default IMG, which `make deploy` replaces with IMG; test/chart checks that
# the three agree.
IMAGE_REPOSITORY ?= ghcr.io/fota-operator/fota-operator
IMG ?= $(IMAGE_REPOSITORY):$(VERSION)
CONFIG_IMG = ghcr.io/fota-operator/fota-operator:v0.1.0

LOCALBIN ?= $(CURDIR)/bin
CONTROLLER_GEN ?= $(LOCALBIN)/controller-gen
GOLANGCI_LINT ?= $(LOCALBIN)/golangci-lint
CONTROLLER_TOOLS_VERSION ?= v0.23.0
GOLANGCI_LINT_VERSION ?= v2.15.0
HELM ?= $(LOCALBIN)/helm
PROMTOOL ?= $(LOCALBIN)/promtool
HELM_VERSION ?= v3.22.0
# Prometheus publishes its Go module as v0.3MM.P for the release v3.MM.P (v0.316.0 is v3.16.0).
PROMETHEUS_VERSION ?= v0.316.0
KUBECTL ?= kubectl
KUSTOMIZE ?= $(KUBECTL) kustomize

SHELL = /usr/bin/env bash -o pipefail
.SHELLFLAGS = -ec

.PHONY: all
all: build

##@ General

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"; printf "\nUsage:\n  make \033[36m<target>\033[0m\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) } ' $(MAKEFILE_LIST)

##@ Development

.PHONY: manifests
manifests: controller-gen ## Generate the CRD, RBAC and webhook manifests, in config/ and in the Helm chart.
	$(CONTROLLER_GEN) rbac:roleName=manager-role crd webhook paths="./..." output:crd:artifacts:config=config/crd/bases
	go run ./hack/chart

# The chart reads the CRD, the manager's rules, the webhook configuration, the alerts and the
# dashboard from copies of config/'s files, and its schema lists the manager's flags: hack/chart
# writes both, and test/chart checks the rest of the chart against config/.
.PHONY: chart
chart: ## Bring the Helm chart charts/fota-operator up to date with config/ and the manager's flags.
	go run ./hack/chart

.PHONY: generate
generate: controller-gen ## Generate the DeepCopy methods of the API types.
	$(CONTROLLER_GEN) object:headerFile="hack/boilerplate.go.txt" paths="./api/..."

.PHONY: fmt
fmt: ## Run go fmt.
	go fmt ./...

.PHONY: vet
vet: ## Run go vet.
	go vet ./...

.PHONY: setup-envtest
setup-envtest: ## Build kube-apiserver, etcd and kubectl v1.37.2 for envtest (cached outside the clone).
	@hack/setup-envtest.sh >/dev/null

# test/e2e runs hack/dev as `make dev` does and drives it with kubectl. The suites that need a
# kube-apiserver take it from KUBEBUILDER_ASSETS, else from the cache setup-envtest fills
# (test/envtest), and skip only when it was never built.
# The image test needs podman: `make test` runs it when podman is on the PATH and says so when
# it is not (test/image also skips itself under a plain `go test ./...`: FOTA_TEST_IMAGE is unset).
.PHONY: test
test: manifests generate fmt vet setup-envtest promtool helm ## Run every test, envtest included, and the image test when podman is on the PATH.
	KUBEBUILDER_ASSETS="$$(hack/setup-envtest.sh)" go test ./... -coverprofile cover.out
	@if command -v podman >/dev/null; then $(MAKE) --no-print-directory test-image; else \
		echo "make test: SKIPPED the image test (make test-image): podman is not on the PATH; install podman and runc (Debian: apt-get install -y podman runc) to run it"; fi

.PHONY: test-image
test-image: image setup-envtest ## Run the image of make image under podman and runc against a local control plane and a TLS ThingSpace simulator.
	KUBEBUILDER_ASSETS="$$(hack/setup-envtest.sh)" FOTA_TEST_IMAGE=$(CURDIR)/bin/image/fota-operator.tar \
		go test ./test/image/ -count=1 -v -timeout 10m

.PHONY: lint
lint: golangci-lint ## Run golangci-lint.
	$(GOLANGCI_LINT) run

.PHONY: lint-fix
lint-fix: golangci-lint ## Run golangci-lint and fix what it can.
	$(GOLANGCI_LINT) run --fix

.PHONY: verify
verify: manifests generate ## Check that generated files are current and go.mod is tidy.
	go mod tidy
	@if [ -n "$$(git status --porcelain -- api config charts go.mod go.sum)" ]; then \
		echo "generated files or go.mod are stale; commit these:"; git status --porcelain -- api config charts go.mod go.sum; exit 1; fi

##@ Build

.PHONY: build
build: manifests generate fmt vet ## Build the manager and the kubectl plugin (bin/manager, bin/kubectl-fota), stamped with VERSION.
	go build -ldflags "$(LDFLAGS)" -o bin/manager .
	go build -ldflags "$(LDFLAGS)" -o bin/kubectl-fota ./cmd/kubectl-fota

# The platforms of the Krew manifest config/krew/fota.yaml, as GOOS_GOARCH.
KREW_PLATFORMS ?= linux_amd64 linux_arm64 darwin_amd64 darwin_arm64 windows_amd64

.PHONY: krew
krew: ## Build the kubectl plugin's release archives into bin/krew/ and the Krew manifest with their sha256 sums (bin/krew/fota.yaml).
	@mkdir -p $(LOCALBIN)/krew
	@cp config/krew/fota.yaml $(LOCALBIN)/krew/fota.yaml
	@for platform in $(KREW_PLATFORMS); do \
		os=$${platform%_*}; arch=$${platform#*_}; exe=kubectl-fota; [ "$$os" = windows ] && exe=kubectl-fota.exe; \
		dir=$(LOCALBIN)/krew/$$platform; mkdir -p $$dir; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o $$dir/$$exe ./cmd/kubectl-fota; \
		tar -C $$dir -czf $(LOCALBIN)/krew/kubectl-fota_$$platform.tar.gz $$exe; \
		sum=$$(sha256sum $(LOCALBIN)/krew/kubectl-fota_$$platform.tar.gz | cut -d' ' -f1); \
		upper=$$(echo $$platform | tr a-z A-Z); sed -i "s/SHA256_$$upper\$$/$$sum/" $(LOCALBIN)/krew/fota.yaml; \
	done
	@echo "bin/krew/fota.yaml: the Krew manifest of $(VERSION) with the sums of the archives in bin/krew/"

.PHONY: run
run: manifests generate fmt vet ## Run the manager against the cluster of the current kubeconfig (webhook off).
	@echo "make run: a manager for the cluster of $${KUBECONFIG:-~/.kube/config}, webhook off. It is a second" >&2
	@echo "controller if make dev or a deployed operator runs against that cluster too: stop the other one first." >&2
	ENABLE_WEBHOOKS=false go run . $(ARGS)

.PHONY: dev
dev: manifests generate setup-envtest ## Run a local control plane, the ThingSpace simulator and the operator with its webhook.
	go build -o $(LOCALBIN)/fota-dev ./hack/dev
	KUBEBUILDER_ASSETS="$$(hack/setup-envtest.sh)" exec $(LOCALBIN)/fota-dev $(ARGS)

.PHONY: bench
bench: manifests generate setup-envtest ## Measure 1000 campaigns against per-step floors: time to sync, PUTs, idle writes, webhook latency, heap per campaign, progress reads, reads of closed campaigns, a rollout of 100 000 devices (writes bin/bench/results.json; ARGS=--campaigns=10000).
	go build -o $(LOCALBIN)/fota-bench ./hack/bench
	KUBEBUILDER_ASSETS="$$(hack/setup-envtest.sh)" $(LOCALBIN)/fota-bench $(ARGS)

.PHONY: soak
soak: manifests generate setup-envtest ## Soak 300 campaigns through ThingSpace faults, edits and a SIGKILL of the manager.
	KUBEBUILDER_ASSETS="$$(hack/setup-envtest.sh)" go test ./test/soak/... -count=1 -timeout 30m -v -soak-campaigns=300 $(ARGS)

# Every time stamp in the image is the commit's (SOURCE_DATE_EPOCH, by default the time of HEAD):
# two builds of one commit give one digest.
.PHONY: image
image: ## Build the manager's image with Go alone, no Docker engine: bin/image/oci (OCI layout, linux/amd64 and linux/arm64) and bin/image/fota-operator.tar (linux/amd64, for podman load or docker load).
	go run ./hack/image -image=$(IMG) -version=$(VERSION)

.PHONY: docker-build
docker-build: ## Build the same image with the Dockerfile (needs a Docker engine).
	docker build --build-arg VERSION=$(VERSION) --build-arg REVISION=$$(git rev-parse HEAD) -t $(IMG) .

##@ Deployment

ifndef ignore-not-found
  ignore-not-found = false
endif

.PHONY: install
install: manifests ## Install the CRDs into the cluster of the current kubeconfig.
	$(KUSTOMIZE) config/crd | $(KUBECTL) apply -f -

.PHONY: uninstall
uninstall: manifests ## Remove the CRDs from the cluster of the current kubeconfig.
	$(KUSTOMIZE) config/crd | $(KUBECTL) delete --ignore-not-found=$(ignore-not-found) -f -

.PHONY: deploy
deploy: manifests ## Deploy the operator image IMG to the cluster of the current kubeconfig.
	$(KUSTOMIZE) config/default | sed 's|image: $(CONFIG_IMG)$$|image: $(IMG)|' | $(KUBECTL) apply -f -

.PHONY: undeploy
undeploy: ## Remove the operator from the cluster of the current kubeconfig.
	$(KUSTOMIZE) config/default | $(KUBECTL) delete --ignore-not-found=$(ignore-not-found) -f -

##@ Tools

.PHONY: controller-gen
controller-gen: $(CONTROLLER_GEN) ## Build controller-gen into bin/.
$(CONTROLLER_GEN): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS_VERSION)

.PHONY: golangci-lint
golangci-lint: $(GOLANGCI_LINT) ## Build golangci-lint into bin/.
$(GOLANGCI_LINT): | $(LOCALBIN)
	GOBIN=$(LOCALBIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

# helm and promtool are built from the module proxy into a file named by their version, which
# bin/helm and bin/promtool link to: a second make finds the file and builds nothing, a new
# version builds a new file.
.PHONY: helm
helm: $(HELM) ## Build helm into bin/.
$(HELM): $(LOCALBIN)/helm-$(HELM_VERSION)
	ln -sf $(notdir $<) $@
$(LOCALBIN)/helm-$(HELM_VERSION): | $(LOCALBIN)
	hack/tools/build.sh helm $(HELM_VERSION) $@

.PHONY: promtool
promtool: $(PROMTOOL) ## Build promtool into bin/.
$(PROMTOOL): $(LOCALBIN)/promtool-$(PROMETHEUS_VERSION)
	ln -sf $(notdir $<) $@
$(LOCALBIN)/promtool-$(PROMETHEUS_VERSION): | $(LOCALBIN)
	hack/tools/build.sh promtool $(PROMETHEUS_VERSION) $@

$(LOCALBIN):
	mkdir -p $(LOCALBIN)
