package v1alpha1_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/yaml"
)

// validRollout is a FotaRollout like the sample of config/samples, as an unstructured object, so
// that a row can break it in ways the Go types cannot express.
func validRollout() *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fota.thingspace.io/v1alpha1",
		"kind":       "FotaRollout",
		"metadata": map[string]any{
			"name":      "fr-" + rand.String(8),
			"namespace": "default",
		},
		"spec": map[string]any{
			"accountName":          "0402196254-00001",
			"credentialsSecretRef": map[string]any{"name": "thingspace-credentials"},
			"software":             software(),
			"devices":              []any{"990000000000001", "990000000000002"},
			"devicesFrom":          []any{map[string]any{"configMapKeyRef": map[string]any{"name": "fleet-model-a", "key": "imeis"}}},
			"waves":                []any{wave("devices", 1), wave("percent", 50), wave("percent", 100)},
			"campaign": map[string]any{
				"durationDays":           int64(7),
				"downloadTimeWindowList": []any{window(3, 4)},
				"abortPolicy":            map[string]any{"failedPercent": int64(10), "minFinishedDevices": int64(20)},
				"deletionPolicy":         "Cancel",
				"displayTimeZone":        "Europe/Berlin",
			},
			"gate": map[string]any{"successPercent": int64(80), "soakTime": "2m"},
			"releaseWindows": map[string]any{
				"timeZone":      "Europe/Berlin",
				"windows":       []any{releaseWindow([]any{"Mon", "Tue"}, 9, 16)},
				"blackoutDates": []any{"2026-12-24"},
			},
			"approvedWaves": int64(2),
		},
	}}
}

func wave(kind string, size any) map[string]any {
	return map[string]any{kind: size}
}

func releaseWindow(days []any, start, end any) map[string]any {
	w := map[string]any{"startTime": start, "endTime": end}
	if days != nil {
		w["days"] = days
	}
	return w
}

// inSpec applies change to the map at path under spec (e.g. "gate"), creating it when missing.
func inSpec(path string, change func(m map[string]any)) func(obj *unstructured.Unstructured) {
	return func(obj *unstructured.Unstructured) {
		s := spec(obj)
		m, ok := s[path].(map[string]any)
		if !ok {
			m = map[string]any{}
			s[path] = m
		}
		change(m)
	}
}

func waves(n int) []any {
	list := make([]any, 0, n)
	for i := range n - 1 {
		list = append(list, wave("devices", int64(i+1)))
	}
	return append(list, wave("percent", int64(100)))
}

func blackoutDates(n int) []any {
	dates := make([]any, 0, n)
	for i := range n {
		dates = append(dates, fmt.Sprintf("2027-%02d-%02d", i/28+1, i%28+1))
	}
	return dates
}

var _ = Describe("FotaRollout schema", func() {
	DescribeTable("accepts valid rollouts",
		func(change func(obj *unstructured.Unstructured)) {
			obj := validRollout()
			change(obj)
			Expect(createStrictly(obj)).To(Succeed())
		},
		Entry("the sample as it is", func(*unstructured.Unstructured) {}),
		Entry("inline devices only", deleteSpec("devicesFrom")),
		Entry("ConfigMaps only", deleteSpec("devices")),
		Entry("one wave of 100%", setSpec("waves", []any{wave("percent", 100)})),
		Entry("20 waves", setSpec("waves", waves(20))),
		Entry("a canary of a million devices", setSpec("waves", []any{wave("devices", 1000000), wave("percent", 100)})),
		Entry("a soak of 720h, the longest", inSpec("gate", func(g map[string]any) { g["soakTime"] = "720h" })),
		Entry("a soak in minutes and seconds", inSpec("gate", func(g map[string]any) { g["soakTime"] = "1h30m15s" })),
		Entry("a window of the whole day on every day", inSpec("releaseWindows", func(r map[string]any) {
			r["windows"] = []any{releaseWindow([]any{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}, 0, 24)}
		})),
		Entry("100 blackout dates", inSpec("releaseWindows", func(r map[string]any) { r["blackoutDates"] = blackoutDates(100) })),
		Entry("approvedWaves 0: nothing starts yet", setSpec("approvedWaves", int64(0))),
		Entry("a name of 50 characters", func(obj *unstructured.Unstructured) { obj.SetName(strings.Repeat("r", 50)) }),
		Entry("paused and aborted", func(obj *unstructured.Unstructured) {
			spec(obj)["paused"] = true
			spec(obj)["abort"] = true
		}),
	)

	It("accepts the sample of config/samples", func() {
		raw, err := os.ReadFile(filepath.Join("..", "..", "config", "samples", "fota_v1alpha1_fotarollout.yaml"))
		Expect(err).NotTo(HaveOccurred())
		obj := &unstructured.Unstructured{}
		Expect(yaml.Unmarshal(raw, &obj.Object)).To(Succeed())
		obj.SetName("fr-sample-" + rand.String(8))
		Expect(createStrictly(obj)).To(Succeed())
	})

	It("fills in the defaults of the gate, the template and the release windows", func() {
		obj := validRollout()
		delete(spec(obj), "gate")
		delete(spec(obj)["campaign"].(map[string]any), "deletionPolicy")
		delete(spec(obj)["releaseWindows"].(map[string]any), "timeZone")
		Expect(createStrictly(obj)).To(Succeed())

		gate := spec(obj)["gate"].(map[string]any)
		Expect(gate).To(HaveKeyWithValue("successPercent", BeNumerically("==", 90)))
		Expect(gate).To(HaveKeyWithValue("soakTime", "0s"))
		Expect(spec(obj)["campaign"]).To(HaveKeyWithValue("deletionPolicy", "Orphan"))
		Expect(spec(obj)["releaseWindows"]).To(HaveKeyWithValue("timeZone", "UTC"))
	})

	DescribeTable("rejects malformed rollouts with a message naming the field and the rule",
		func(change func(obj *unstructured.Unstructured), wantField string, wantMessage string) {
			obj := validRollout()
			change(obj)
			err := createStrictly(obj)
			Expect(err).To(HaveOccurred(), "the API server accepted the object")
			Expect(err.Error()).To(ContainSubstring(wantField))
			Expect(err.Error()).To(ContainSubstring(wantMessage))
		},
		// The fleet.
		Entry("no fleet at all", func(obj *unstructured.Unstructured) {
			delete(spec(obj), "devices")
			delete(spec(obj), "devicesFrom")
		}, "spec", "a rollout needs a fleet: set devices, devicesFrom or both"),
		Entry("an empty device list", setSpec("devices", []any{}), "spec.devices", "should have at least 1 items"),
		Entry("10001 inline devices", setSpec("devices", deviceIDs(10001)), "spec.devices", "must have at most 10000 items"),
		Entry("a device listed twice", setSpec("devices", []any{"990000000000001", "990000000000001"}),
			"spec.devices[1]", "Duplicate value"),
		Entry("a device id with a dash", setSpec("devices", []any{"99000-0000000001"}), "spec.devices[0]", "should match"),
		Entry("a ConfigMap key with a slash", setSpec("devicesFrom", []any{map[string]any{"configMapKeyRef": map[string]any{"name": "fleet", "key": "a/b"}}}),
			"spec.devicesFrom[0].configMapKeyRef.key", "should match"),
		Entry("a ConfigMap reference without a name", setSpec("devicesFrom", []any{map[string]any{"configMapKeyRef": map[string]any{"key": "imeis"}}}),
			"spec.devicesFrom[0].configMapKeyRef.name", "Required value"),

		// Waves.
		Entry("a wave with both devices and percent", setSpec("waves", []any{map[string]any{"devices": 10, "percent": 10}, wave("percent", 100)}),
			"spec.waves[0]", "a wave sets exactly one of devices (a number of devices, e.g. a canary of 10) and percent (a share of the fleet)"),
		Entry("a wave with neither", setSpec("waves", []any{map[string]any{}, wave("percent", 100)}),
			"spec.waves[0]", "a wave sets exactly one of devices"),
		Entry("a last wave of 50%", setSpec("waves", []any{wave("devices", 1), wave("percent", 50)}),
			"spec.waves", "the last wave must be percent: 100, so that the rollout reaches the whole fleet"),
		Entry("a last wave of devices", setSpec("waves", []any{wave("devices", 1), wave("devices", 1000000)}),
			"spec.waves", "the last wave must be percent: 100"),
		Entry("no waves", setSpec("waves", []any{}), "spec.waves", "should have at least 1 items"),
		Entry("21 waves", setSpec("waves", waves(21)), "spec.waves", "must have at most 20 items"),
		Entry("a wave of 0 devices", setSpec("waves", []any{wave("devices", 0), wave("percent", 100)}),
			"spec.waves[0].devices", "greater than or equal to 1"),
		Entry("a wave of more than a million devices", setSpec("waves", []any{wave("devices", 1000001), wave("percent", 100)}),
			"spec.waves[0].devices", "less than or equal to 1000000"),
		Entry("a wave of 101%", setSpec("waves", []any{wave("percent", 101)}), "spec.waves[0].percent", "less than or equal to 100"),

		// The campaign template.
		Entry("campaigns of 0 days", inSpec("campaign", func(c map[string]any) { c["durationDays"] = 0 }),
			"spec.campaign.durationDays", "greater than or equal to 1"),
		Entry("campaigns of 91 days", inSpec("campaign", func(c map[string]any) { c["durationDays"] = 91 }),
			"spec.campaign.durationDays", "less than or equal to 90"),
		Entry("no campaign template", deleteSpec("campaign"), "spec.campaign", "Required value"),
		Entry("a download window across midnight", inSpec("campaign", func(c map[string]any) { c["downloadTimeWindowList"] = []any{window(22, 2)} }),
			"spec.campaign.downloadTimeWindowList[0]", "startTime must be earlier than endTime"),
		Entry("an unknown deletion policy", inSpec("campaign", func(c map[string]any) { c["deletionPolicy"] = "Delete" }),
			"spec.campaign.deletionPolicy", `supported values: "Orphan", "Cancel"`),

		// The gate.
		Entry("a gate of 0%", inSpec("gate", func(g map[string]any) { g["successPercent"] = 0 }),
			"spec.gate.successPercent", "greater than or equal to 1"),
		Entry("a gate of 101%", inSpec("gate", func(g map[string]any) { g["successPercent"] = 101 }),
			"spec.gate.successPercent", "less than or equal to 100"),
		Entry("a soak longer than 720h", inSpec("gate", func(g map[string]any) { g["soakTime"] = "721h" }),
			"spec.gate.soakTime", "soakTime must be at most 720h (30 days)"),
		Entry("a negative soak", inSpec("gate", func(g map[string]any) { g["soakTime"] = "-1h" }),
			"spec.gate.soakTime", "should match"),
		Entry("a soak in days, which Go durations do not have", inSpec("gate", func(g map[string]any) { g["soakTime"] = "2d" }),
			"spec.gate.soakTime", "should match"),

		// Release windows and approval.
		Entry("a release window that ends before it starts", inSpec("releaseWindows", func(r map[string]any) {
			r["windows"] = []any{releaseWindow(nil, 16, 9)}
		}), "spec.releaseWindows.windows[0]", "startTime must be earlier than endTime"),
		Entry("a release window ending after midnight", inSpec("releaseWindows", func(r map[string]any) {
			r["windows"] = []any{releaseWindow(nil, 22, 25)}
		}), "spec.releaseWindows.windows[0].endTime", "less than or equal to 24"),
		Entry("a day written out", inSpec("releaseWindows", func(r map[string]any) {
			r["windows"] = []any{releaseWindow([]any{"Monday"}, 9, 16)}
		}), "spec.releaseWindows.windows[0].days[0]", `supported values: "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"`),
		Entry("a day listed twice", inSpec("releaseWindows", func(r map[string]any) {
			r["windows"] = []any{releaseWindow([]any{"Mon", "Mon"}, 9, 16)}
		}), "spec.releaseWindows.windows[0].days[1]", "Duplicate value"),
		Entry("no release window listed", inSpec("releaseWindows", func(r map[string]any) { r["windows"] = []any{} }),
			"spec.releaseWindows.windows", "should have at least 1 items"),
		Entry("21 release windows", inSpec("releaseWindows", func(r map[string]any) {
			list := []any{}
			for i := range 21 {
				list = append(list, releaseWindow(nil, int64(i), int64(i+1)))
			}
			r["windows"] = list
		}), "spec.releaseWindows.windows", "must have at most 20 items"),
		Entry("101 blackout dates", inSpec("releaseWindows", func(r map[string]any) { r["blackoutDates"] = blackoutDates(101) }),
			"spec.releaseWindows.blackoutDates", "must have at most 100 items"),
		Entry("a blackout date that does not exist", inSpec("releaseWindows", func(r map[string]any) { r["blackoutDates"] = []any{"2026-02-30"} }),
			"spec.releaseWindows.blackoutDates[0]", "must be of type date"),
		Entry("a negative approvedWaves", setSpec("approvedWaves", int64(-1)), "spec.approvedWaves", "greater than or equal to 0"),

		// Identity.
		Entry("a name of 51 characters", func(obj *unstructured.Unstructured) { obj.SetName(strings.Repeat("r", 51)) },
			"metadata.name", "metadata.name must be at most 50 characters: the wave campaigns are named <rollout>-w<wave>-<chunk>"),
		Entry("no software", deleteSpec("software"), "spec.software", "Required value"),
		Entry("an unknown distribution type", setSpec("software", map[string]any{"name": "a", "from": "b", "to": "c", "distributionType": "FTP"}),
			"spec.software.distributionType", `supported values: "HTTP", "OMA", "LWM2M"`),
		Entry("an accountName with a slash", setSpec("accountName", "0402196254/00001"), "spec.accountName", "should match"),
		Entry("an unknown field", setSpec("pause", true), "spec.pause", "unknown field"),
	)

	DescribeTable("keeps what a rollout is from changing, and abort from being undone",
		func(before, change func(s map[string]any), wantField, wantMessage string) {
			obj := validRollout()
			if before != nil {
				before(spec(obj))
			}
			Expect(createStrictly(obj)).To(Succeed())
			change(spec(obj))
			err := k8sClient.Update(ctx, obj)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(wantField))
			Expect(err.Error()).To(ContainSubstring(wantMessage))
		},
		Entry("a changed accountName", nil, func(s map[string]any) { s["accountName"] = "0402196254-00002" },
			"spec.accountName", "accountName is immutable: create a new FotaRollout for another account"),
		Entry("a changed software", nil, func(s map[string]any) { s["software"].(map[string]any)["to"] = "FOTA_Other" },
			"spec.software", "software is immutable: a rollout installs one upgrade; create a new FotaRollout for another"),
		Entry("abort set back to false", func(s map[string]any) { s["abort"] = true }, func(s map[string]any) { s["abort"] = false },
			"spec.abort", "Forbidden: abort cannot go back to false: an aborted rollout cannot be resumed; create a new FotaRollout"),
		Entry("abort removed", func(s map[string]any) { s["abort"] = true }, func(s map[string]any) { delete(s, "abort") },
			"spec.abort", "Forbidden: abort cannot go back to false"),
	)

	It("lets pause, approval, abort, waves, the gate and the windows change", func() {
		obj := validRollout()
		Expect(createStrictly(obj)).To(Succeed())
		s := spec(obj)
		s["paused"] = true
		s["approvedWaves"] = int64(3)
		s["abort"] = true
		s["waves"] = []any{wave("devices", 1), wave("percent", 10), wave("percent", 100)}
		s["gate"] = map[string]any{"successPercent": int64(95), "soakTime": "24h"}
		delete(s, "releaseWindows")
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
	})
})

var _ = Describe("FotaCampaign spec.cancel", func() {
	It("defaults to false and may become true", func() {
		obj := validCampaign()
		Expect(createStrictly(obj)).To(Succeed())
		Expect(spec(obj)).To(HaveKeyWithValue("cancel", false))
		spec(obj)["cancel"] = true
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
	})

	DescribeTable("cannot go back once true",
		func(change func(s map[string]any)) {
			obj := validCampaign()
			spec(obj)["cancel"] = true
			Expect(createStrictly(obj)).To(Succeed())
			change(spec(obj))
			err := k8sClient.Update(ctx, obj)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(
				"spec.cancel: Forbidden: cancel cannot go back to false: a cancelled campaign cannot be resumed; schedule a new one"))
		},
		Entry("set to false", func(s map[string]any) { s["cancel"] = false }),
		Entry("removed, which defaults it to false", func(s map[string]any) { delete(s, "cancel") }),
	)

	It("leaves a cancelled campaign's other fields free to change", func() {
		obj := validCampaign()
		spec(obj)["cancel"] = true
		Expect(createStrictly(obj)).To(Succeed())
		spec(obj)["suspend"] = true
		spec(obj)["endDate"] = "2026-12-10"
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
	})
})
