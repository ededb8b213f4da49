package check_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"sigs.k8s.io/yaml"

	"github.com/fota-operator/fota-operator/internal/kubectlfota/cmd"
)

// Times of the reference campaign, which runs from 2026-12-01 to 2026-12-07 (UTC).
const (
	pending = "2026-11-20T10:00:00Z"
	running = "2026-12-03T10:00:00Z"
	ended   = "2026-12-10T10:00:00Z"
)

// campaignObject is the reference FotaCampaign as a manifest declares it (no namespace: it is in
// "default"), changed by each change in order; an unstructured object, so that a change can break
// it in ways the Go types cannot express.
func campaignObject(changes ...func(spec map[string]any)) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fota.thingspace.io/v1alpha1",
		"kind":       "FotaCampaign",
		"metadata":   map[string]any{"name": "model-a"},
		"spec": map[string]any{
			"accountName":            "0402196254-00001",
			"campaignId":             "60b5d639-ccdc-4db8-8824-069bd94c95bf",
			"credentialsSecretRef":   map[string]any{"name": "thingspace-credentials"},
			"startDate":              "2026-12-01",
			"endDate":                "2026-12-07",
			"downloadAfterDate":      "2026-12-01",
			"downloadTimeWindowList": []any{window(3, 4)},
			"installAfterDate":       "2026-12-02",
			"installTimeWindowList":  []any{window(5, 6)},
		},
	}}
	for _, change := range changes {
		change(obj.Object["spec"].(map[string]any))
	}
	return obj
}

// scheduling is a change to a FotaCampaign that schedules its campaign: software and devices
// instead of a campaign id.
func scheduling(spec map[string]any) {
	delete(spec, "campaignId")
	spec["software"] = map[string]any{
		"name": "FOTA_Verizon_Model-A_02To03_HF", "from": "FOTA_Verizon_Model-A_00To01_HF",
		"to": "FOTA_Verizon_Model-A_02To03_HF", "distributionType": "HTTP",
	}
	spec["devices"] = []any{"990013907835573", "990013907835574"}
}

// rolloutObject is the reference FotaRollout, changed by each change in order.
func rolloutObject(changes ...func(spec map[string]any)) *unstructured.Unstructured {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fota.thingspace.io/v1alpha1",
		"kind":       "FotaRollout",
		"metadata":   map[string]any{"name": "model-a-03"},
		"spec": map[string]any{
			"accountName":          "0402196254-00001",
			"credentialsSecretRef": map[string]any{"name": "thingspace-credentials"},
			"software": map[string]any{
				"name": "FOTA_Verizon_Model-A_02To03_HF", "from": "FOTA_Verizon_Model-A_00To01_HF",
				"to": "FOTA_Verizon_Model-A_02To03_HF", "distributionType": "HTTP",
			},
			"devices":  []any{"990013907835573", "990013907835574"},
			"waves":    []any{map[string]any{"devices": int64(10)}, map[string]any{"percent": int64(10)}, map[string]any{"percent": int64(100)}},
			"campaign": map[string]any{"durationDays": int64(7), "downloadTimeWindowList": []any{window(3, 4)}},
			"releaseWindows": map[string]any{
				"timeZone": "Europe/Berlin",
				"windows":  []any{map[string]any{"days": []any{"Mon", "Tue"}, "startTime": int64(9), "endTime": int64(16)}},
			},
		},
	}}
	for _, change := range changes {
		change(obj.Object["spec"].(map[string]any))
	}
	return obj
}

// withStatus gives obj a status, as `kubectl get -o yaml` of a live object has one.
func withStatus(obj *unstructured.Unstructured, status map[string]any) *unstructured.Unstructured {
	obj.Object["status"] = status
	return obj
}

func window(start, end any) map[string]any {
	return map[string]any{"startTime": toInt64(start), "endTime": toInt64(end)}
}

func toInt64(v any) any {
	if i, ok := v.(int); ok {
		return int64(i)
	}
	return v
}

func windows(n int) []any {
	list := make([]any, 0, n)
	for i := range n {
		list = append(list, window(i%24, i%24+1))
	}
	return list
}

func set(key string, value any) func(map[string]any) {
	return func(spec map[string]any) { spec[key] = toInt64(value) }
}

func unset(key string) func(map[string]any) {
	return func(spec map[string]any) { delete(spec, key) }
}

// writeManifest writes objs as one multi-document YAML file at dir/name and returns its path.
func writeManifest(t *testing.T, dir, name string, objs ...*unstructured.Unstructured) string {
	t.Helper()
	var docs []string
	for _, obj := range objs {
		raw, err := yaml.Marshal(obj.Object)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(raw))
	}
	return writeFile(t, filepath.Join(dir, name), strings.Join(docs, "---\n"))
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// result is what a user sees of a run of the plugin.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) lines() []string {
	return strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
}

// run runs `kubectl fota args...` in-process with stdin, as its main would.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	streams := genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &stdout, ErrOut: &stderr}
	code := cmd.Execute(context.Background(), args, streams, "v0.0.0-test")
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}
