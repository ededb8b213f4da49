// Package crd carries the CustomResourceDefinitions of config/crd/bases into the binaries that
// judge manifests without a cluster (`kubectl fota check`). The files are embedded as `make
// manifests` writes them, so a binary built from a commit checks against that commit's CRDs.
package crd

import "embed"

// Bases holds bases/*.yaml, one CustomResourceDefinition per file.
//
//go:embed bases/*.yaml
var Bases embed.FS
