package harness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Kustomize renders the kustomization in dir with `kubectl kustomize`, the way `make deploy`
// does, using the kubectl in assets (see FindAssets), and returns the objects.
func Kustomize(assets, dir string) ([]*unstructured.Unstructured, error) {
	cmd := exec.Command(filepath.Join(assets, "kubectl"), "kustomize", dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kubectl kustomize %s: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return DecodeObjects(&stdout)
}

// DecodeObjects reads a stream of YAML documents, as kubectl kustomize and helm template write
// them, skipping empty ones.
func DecodeObjects(stream io.Reader) ([]*unstructured.Unstructured, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(stream))
	var objects []*unstructured.Unstructured
	for {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objects, nil
		}
		if err != nil {
			return nil, err
		}
		json, err := yaml.YAMLToJSON(document)
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(json)) == 0 || string(json) == "null" {
			continue
		}
		// Unstructured's own decoding keeps integers as int64, as the API machinery expects.
		object := &unstructured.Unstructured{}
		if err := object.UnmarshalJSON(json); err != nil {
			return nil, err
		}
		objects = append(objects, object)
	}
}

// Find returns the object of that kind and name (as rendered, with its prefix), or nil.
func Find(objects []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, object := range objects {
		if object.GetKind() == kind && object.GetName() == name {
			return object
		}
	}
	return nil
}

// OfKind returns the objects of that kind.
func OfKind(objects []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	var found []*unstructured.Unstructured
	for _, object := range objects {
		if object.GetKind() == kind {
			found = append(found, object)
		}
	}
	return found
}
