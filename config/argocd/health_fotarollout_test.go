package argocd_test

import (
	"os"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const rolloutScript = "health_fotarollout.lua"

const rolloutHeader = `
apiVersion: fota.thingspace.io/v1alpha1
kind: FotaRollout
metadata:
  name: model-a-03
  generation: 4
`

func rollout(extra string) string { return rolloutHeader + extra }

// rolloutStatus is a status of generation 4 in the given phase, with a Ready condition of reason
// and message, at wave 2 of 3 of a fleet of 100000.
func rolloutStatus(phase, readyStatus, reason, message string) string {
	return rollout(`status:
  observedGeneration: 4
  phase: ` + phase + `
  currentWave: 2
  waveText: 2/3
  fleetSize: 100000
  devices: {total: 10000, succeeded: 9790, failed: 150, rejected: 20, cancelled: 0, pending: 40, upgraded: 9790/100000}
  conditions: [{type: Ready, status: "` + readyStatus + `", reason: ` + reason + `, message: "` + message + `"}]
`)
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	content, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

func TestRolloutHealth(t *testing.T) {
	script := readFile(t, rolloutScript)
	const counts = " (wave 2/3, 9790/100000 devices upgraded, 150 failed)"
	tests := map[string]struct {
		manifest    string
		wantStatus  string
		wantMessage string
	}{
		"no status yet: waiting for the controller": {
			manifest:    rollout("spec: {paused: true}\n"),
			wantStatus:  "Progressing",
			wantMessage: "Waiting for the controller to report on the rollout",
		},
		"a newer generation than the controller has seen, though the status says Completed": {
			manifest: rollout(`status:
  observedGeneration: 3
  phase: Completed
  conditions: [{type: Ready, status: "True", reason: Completed, message: "all 3 waves done"}]
`),
			wantStatus:  "Progressing",
			wantMessage: "Waiting for the controller to observe generation 4",
		},
		"being deleted": {
			manifest: `
metadata:
  generation: 1
  deletionTimestamp: "2026-12-07T10:00:00Z"
status:
  observedGeneration: 1
  phase: Completed
`,
			wantStatus:  "Progressing",
			wantMessage: "The FotaRollout is being deleted",
		},
		"completed is healthy, with the counts": {
			manifest: rollout(`status:
  observedGeneration: 4
  phase: Completed
  waveText: 3/3
  fleetSize: 100000
  devices: {total: 100000, succeeded: 99000, failed: 400, rejected: 0, cancelled: 0, pending: 600}
  conditions: [{type: Ready, status: "True", reason: Completed, message: "all 3 waves done: wave 3 succeeded (89100/90000, 99%)"}]
`),
			wantStatus:  "Healthy",
			wantMessage: "Completed: all 3 waves done: wave 3 succeeded (89100/90000, 99%) (wave 3/3, 99000/100000 devices upgraded, 400 failed)",
		},
		"a wave running is progressing": {
			manifest:    rolloutStatus("Progressing", "False", "WaveRunning", "wave 2 runs (4000/9990, 40%; the gate is 90%)"),
			wantStatus:  "Progressing",
			wantMessage: "WaveRunning: wave 2 runs (4000/9990, 40%; the gate is 90%)" + counts,
		},
		"a wave soaking is progressing": {
			manifest:    rolloutStatus("Progressing", "False", "Soaking", "wave 2 succeeded (9780/9990, 97%) and soaks until 2026-12-08T10:00:00Z"),
			wantStatus:  "Progressing",
			wantMessage: "Soaking: wave 2 succeeded",
		},
		"paused is suspended": {
			manifest:    rolloutStatus("Paused", "False", "Paused", "spec.paused is true: no new wave starts"),
			wantStatus:  "Suspended",
			wantMessage: "Paused: spec.paused is true: no new wave starts" + counts,
		},
		"waiting for an approval is suspended, naming what to change in Git": {
			manifest:    rolloutStatus("WaitingForApproval", "False", "WaitingForApproval", "wave 2 succeeded (9780/9990, 97%); wave 3 waits for spec.approvedWaves >= 3"),
			wantStatus:  "Suspended",
			wantMessage: "WaitingForApproval: wave 2 succeeded (9780/9990, 97%); wave 3 waits for spec.approvedWaves >= 3" + counts,
		},
		"waiting for a release window is suspended": {
			manifest:    rolloutStatus("WaitingForWindow", "False", "WaitingForWindow", "wave 3 waits for the next release window"),
			wantStatus:  "Suspended",
			wantMessage: "WaitingForWindow: wave 3 waits for the next release window",
		},
		"a failed wave is degraded": {
			manifest:    rolloutStatus("Failed", "False", "WaveFailed", "wave 2 halted the rollout: every campaign closed with 8000/9990 upgraded, 80%, below successPercent 90%"),
			wantStatus:  "Degraded",
			wantMessage: "WaveFailed: wave 2 halted the rollout",
		},
		"a wave aborted on failures is degraded": {
			manifest:    rolloutStatus("Aborted", "False", "WaveAbortedOnFailures", "wave 2 halted the rollout: 1 of 1 campaign aborted on failures"),
			wantStatus:  "Degraded",
			wantMessage: "WaveAbortedOnFailures: wave 2 halted the rollout",
		},
		"an aborted rollout is degraded": {
			manifest:    rolloutStatus("Aborted", "False", "Aborted", "spec.abort is true"),
			wantStatus:  "Degraded",
			wantMessage: "Aborted: spec.abort is true" + counts,
		},
		"an invalid device in a fleet ConfigMap is degraded": {
			manifest:    rolloutStatus("Progressing", "False", "InvalidDevices", "spec.devicesFrom[0]: ConfigMap fleet-model-a, key imeis, line 7"),
			wantStatus:  "Degraded",
			wantMessage: "InvalidDevices: spec.devicesFrom[0]: ConfigMap fleet-model-a, key imeis, line 7",
		},
		"a missing fleet ConfigMap is progressing: it may come in a later sync wave": {
			manifest:    rolloutStatus("Progressing", "False", "DevicesNotFound", "spec.devicesFrom[0]: ConfigMap fleet-model-a not found"),
			wantStatus:  "Progressing",
			wantMessage: "DevicesNotFound: spec.devicesFrom[0]: ConfigMap fleet-model-a not found",
		},
		"paused outranks an invalid fleet, as the phase does": {
			manifest:    rolloutStatus("Paused", "False", "Paused", "spec.paused is true"),
			wantStatus:  "Suspended",
			wantMessage: "Paused",
		},
		"a status without conditions says its phase": {
			manifest: rollout(`status:
  observedGeneration: 4
  phase: Progressing
`),
			wantStatus:  "Progressing",
			wantMessage: "The rollout is Progressing",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := evaluate(t, script, tt.manifest)
			if got.Status != tt.wantStatus {
				t.Errorf("status = %q, want %q (message %q)", got.Status, tt.wantStatus, got.Message)
			}
			if !strings.Contains(got.Message, tt.wantMessage) {
				t.Errorf("message = %q, want it to contain %q", got.Message, tt.wantMessage)
			}
		})
	}
}

// TestConfigMapCarriesTheRolloutScript keeps the argocd-cm snippet users copy identical to the
// tested script.
func TestConfigMapCarriesTheRolloutScript(t *testing.T) {
	var configMap struct {
		Data map[string]string `json:"data"`
	}
	if err := yaml.Unmarshal([]byte(readFile(t, "argocd-cm.yaml")), &configMap); err != nil {
		t.Fatal(err)
	}
	if configMap.Data["resource.customizations.health.fota.thingspace.io_FotaRollout"] != readFile(t, rolloutScript) {
		t.Errorf("argocd-cm.yaml does not carry %s as it is; regenerate the snippet", rolloutScript)
	}
}
