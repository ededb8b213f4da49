package check_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: fleet-model-a
data:
  imeis: "990013907835573"
`

// otherGroup is a FotaCampaign of another API group: not the operator's, so not checked.
const otherGroup = `apiVersion: fota.example.com/v1
kind: FotaCampaign
metadata:
  name: not-ours
spec: {}
`

const badEndDate = `apiVersion: fota.thingspace.io/v1alpha1
kind: FotaCampaign
metadata:
  name: model-b
  namespace: fleet
spec:
  accountName: "0402196254-00001"
  campaignId: 70b5d639-ccdc-4db8-8824-069bd94c95bf
  credentialsSecretRef: {name: thingspace-credentials}
  startDate: "2026-12-01"
  endDate: "2026-11-30"
`

const endDateLine = "FotaCampaign fleet/model-b: spec.endDate: Invalid value: endDate must be on or after startDate"

// TestCheckFiles reads manifests the ways kubectl apply -f does and checks only the operator's
// kinds.
func TestCheckFiles(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		args  []string
		stdin string
		want  []string
		code  int
	}{
		"a directory is read recursively, its YAML and JSON files only": {
			files: map[string]string{
				"manifests/a/campaign.yaml":      badEndDate,
				"manifests/b/c/configmap.yml":    configMap,
				"manifests/b/rollout.json":       `{"apiVersion": "fota.thingspace.io/v1alpha1", "kind": "FotaRollout", "metadata": {"name": "r"}, "spec": {}}`,
				"manifests/notes.txt":            "not: [a manifest",
				"manifests/b/c/kustomization.md": "# not a manifest",
			},
			args: []string{"-f", "manifests"},
			want: []string{
				"manifests/a/campaign.yaml: " + endDateLine,
				"manifests/b/rollout.json: FotaRollout default/r: spec.accountName: Required value",
				"manifests/b/rollout.json: FotaRollout default/r: spec.campaign: Required value",
				"manifests/b/rollout.json: FotaRollout default/r: spec.credentialsSecretRef: Required value",
				"manifests/b/rollout.json: FotaRollout default/r: spec.software: Required value",
				"manifests/b/rollout.json: FotaRollout default/r: spec.waves: Required value",
				"manifests/b/rollout.json: FotaRollout default/r: <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
				"2 objects checked, 2 refused",
			},
			code: 1,
		},
		"a multi-document file is read document by document; other kinds and groups are skipped": {
			files: map[string]string{"all.yaml": configMap + "---\n" + otherGroup + "--- # the campaign\n" + badEndDate + "---\n"},
			args:  []string{"-f", "all.yaml"},
			want:  []string{"all.yaml: " + endDateLine, "1 object checked, 1 refused"},
			code:  1,
		},
		"a List's items are read": {
			files: map[string]string{"list.yaml": "apiVersion: v1\nkind: List\nitems:\n- " +
				strings.ReplaceAll(strings.TrimSuffix(badEndDate, "\n"), "\n", "\n  ") + "\n- " +
				strings.ReplaceAll(strings.TrimSuffix(configMap, "\n"), "\n", "\n  ") + "\n"},
			args: []string{"-f", "list.yaml"},
			want: []string{"list.yaml: " + endDateLine, "1 object checked, 1 refused"},
			code: 1,
		},
		"- reads standard input": {
			args:  []string{"-f", "-"},
			stdin: configMap + "---\n" + badEndDate,
			want:  []string{"STDIN: " + endDateLine, "1 object checked, 1 refused"},
			code:  1,
		},
		"a version the CRD does not serve is refused": {
			files: map[string]string{"v1beta1.yaml": strings.Replace(badEndDate, "v1alpha1", "v1beta1", 1)},
			args:  []string{"-f", "v1beta1.yaml"},
			want: []string{
				`v1beta1.yaml: FotaCampaign fleet/model-b: apiVersion: Unsupported value: "fota.thingspace.io/v1beta1": supported values: "fota.thingspace.io/v1alpha1"`,
				"1 object checked, 1 refused",
			},
			code: 1,
		},
		"a file with nothing of the operator's checks nothing": {
			files: map[string]string{"cm.yaml": configMap},
			args:  []string{"-f", "cm.yaml"},
			want:  []string{"0 objects checked, 0 refused"},
			code:  0,
		},
	}
	for reason, tc := range cases {
		t.Run(reason, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for path, content := range tc.files {
				writeFile(t, path, content)
			}
			got := run(t, tc.stdin, append([]string{"check"}, tc.args...)...)
			if diff := cmp.Diff(tc.want, got.lines()); diff != "" {
				t.Errorf("report (-want +got):\n%s\nstderr: %s", diff, got.stderr)
			}
			if got.code != tc.code {
				t.Errorf("exit code %d, want %d", got.code, tc.code)
			}
		})
	}
}

// TestCheckUnreadable: a file that cannot be read stops the check with exit code 2 and an error
// naming the file and the line, before any report.
func TestCheckUnreadable(t *testing.T) {
	cases := map[string]struct {
		files   map[string]string
		args    []string
		wantErr string
	}{
		"YAML that does not parse names the line of the file": {
			files:   map[string]string{"m/bad.yaml": configMap + "---\n" + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   labels: {}\n"},
			args:    []string{"-f", "m"},
			wantErr: "error: m/bad.yaml:12: yaml: mapping values are not allowed in this context\n",
		},
		"a tab in the indentation": {
			files:   map[string]string{"tab.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: a\n"},
			args:    []string{"-f", "tab.yaml"},
			wantErr: "error: tab.yaml:4: yaml: found character that cannot start any token\n",
		},
		"a document without a kind": {
			files:   map[string]string{"nokind.yaml": configMap + "---\nmetadata:\n  name: a\n"},
			args:    []string{"-f", "nokind.yaml"},
			wantErr: "error: nokind.yaml:8: the object sets no apiVersion or no kind\n",
		},
		"a file that does not exist": {
			args:    []string{"-f", "missing.yaml"},
			wantErr: "error: missing.yaml: no such file or directory\n",
		},
		"a base that does not parse": {
			files:   map[string]string{"head.yaml": configMap, "base.yaml": "kind: [\n"},
			args:    []string{"-f", "head.yaml", "--base", "base.yaml"},
			wantErr: "error: base.yaml:1: yaml: did not find expected node content\n",
		},
	}
	for reason, tc := range cases {
		t.Run(reason, func(t *testing.T) {
			t.Chdir(t.TempDir())
			for path, content := range tc.files {
				writeFile(t, filepath.FromSlash(path), content)
			}
			got := run(t, "", append([]string{"check"}, tc.args...)...)
			if got.stderr != tc.wantErr || got.code != 2 || got.stdout != "" {
				t.Errorf("exit code %d, stderr %q, stdout %q; want 2, %q and no report", got.code, got.stderr, got.stdout, tc.wantErr)
			}
		})
	}
}

// TestCheckUsage: a usage error exits with 2 and says what to do.
func TestCheckUsage(t *testing.T) {
	cases := map[string]struct {
		args    []string
		wantErr string
	}{
		"no manifests":        {args: []string{"check"}, wantErr: "error: give the manifests to check with -f PATH\n"},
		"two baselines":       {args: []string{"check", "-f", "-", "--base", "b", "--live"}, wantErr: "error: --base and --live both name a baseline: give one\n"},
		"a time not RFC 3339": {args: []string{"check", "-f", "-", "--now", "2026-12-03"}, wantErr: "error: --now \"2026-12-03\": give a time in RFC 3339, e.g. 2026-12-03T10:00:00Z\n"},
		"an unknown format":   {args: []string{"check", "-f", "-", "-o", "yaml"}, wantErr: "error: -o \"yaml\": the output format is text or json\n"},
		"an unknown flag":     {args: []string{"check", "--bsae", "b"}, wantErr: "error: unknown flag: --bsae\n"},
		"standard input twice": {args: []string{"check", "-f", "-", "--base", "-"},
			wantErr: "error: -f - and --base - both read standard input, which can be read once: give one of them as files\n"},
		"an argument, not -f": {args: []string{"check", "manifests/"}, wantErr: "error: unknown command \"manifests/\" for \"kubectl fota check\": name the manifests with -f\n"},
	}
	for reason, tc := range cases {
		t.Run(reason, func(t *testing.T) {
			got := run(t, "", tc.args...)
			if got.stderr != tc.wantErr || got.code != 2 {
				t.Errorf("exit code %d, stderr %q; want 2 and %q", got.code, got.stderr, tc.wantErr)
			}
		})
	}
}

// TestCheckJSON: -o json prints one JSON object per problem, for CI annotations, and the summary
// on the error stream.
func TestCheckJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	writeFile(t, "c.yaml", badEndDate)

	got := run(t, "", "check", "-f", "c.yaml", "-o", "json")

	want := `{"path":"c.yaml","line":1,"kind":"FotaCampaign","namespace":"fleet","name":"model-b","severity":"error",` +
		`"field":"spec.endDate","type":"FieldValueInvalid","message":"Invalid value: endDate must be on or after startDate"}` + "\n"
	if got.stdout != want || got.stderr != "1 object checked, 1 refused\n" || got.code != 1 {
		t.Errorf("exit code %d\nstdout %s\nstderr %s\nwant exit code 1, stdout %s", got.code, got.stdout, got.stderr, want)
	}
}
