package v1alpha1_test

import (
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// validCampaign is the sample of config/samples as an unstructured object, so that a row can break
// it in ways the Go types cannot express (wrong types, unknown fields).
func validCampaign() *unstructured.Unstructured {
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "fota.thingspace.io/v1alpha1",
		"kind":       "FotaCampaign",
		"metadata": map[string]any{
			"name":      "fc-" + rand.String(8),
			"namespace": "default",
		},
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
	return obj
}

func window(start, end any) map[string]any {
	return map[string]any{"startTime": start, "endTime": end}
}

func windows(n int) []any {
	list := make([]any, 0, n)
	for i := range n {
		list = append(list, window(int64(i%24), int64(i%24+1)))
	}
	return list
}

func spec(obj *unstructured.Unstructured) map[string]any {
	return obj.Object["spec"].(map[string]any)
}

// createStrictly creates obj the way kubectl does: unknown fields are errors, not dropped silently.
func createStrictly(obj *unstructured.Unstructured) error {
	return k8sClient.Create(ctx, obj, client.FieldValidation("Strict"))
}

var _ = Describe("FotaCampaign schema", func() {
	DescribeTable("accepts valid campaigns",
		func(change func(s map[string]any)) {
			obj := validCampaign()
			change(spec(obj))
			Expect(createStrictly(obj)).To(Succeed())
		},
		Entry("the sample as it is", func(map[string]any) {}),
		Entry("only the required fields", func(s map[string]any) {
			for _, k := range []string{"downloadAfterDate", "downloadTimeWindowList", "installAfterDate", "installTimeWindowList"} {
				delete(s, k)
			}
		}),
		Entry("a one-day campaign", func(s map[string]any) {
			s["endDate"] = "2026-12-01"
			s["installAfterDate"] = "2026-12-01"
		}),
		Entry("after-dates on the end date", func(s map[string]any) {
			s["downloadAfterDate"] = "2026-12-07"
			s["installAfterDate"] = "2026-12-07"
		}),
		Entry("a window across midnight split in two", func(s map[string]any) {
			s["downloadTimeWindowList"] = []any{window(22, 24), window(0, 2)}
		}),
		Entry("the widest window", func(s map[string]any) { s["installTimeWindowList"] = []any{window(0, 24)} }),
		Entry("24 distinct windows", func(s map[string]any) { s["downloadTimeWindowList"] = windows(24) }),
		Entry("29 February of a leap year", func(s map[string]any) {
			s["startDate"] = "2028-02-29"
			s["endDate"] = "2028-03-01"
			delete(s, "downloadAfterDate")
			delete(s, "installAfterDate")
		}),
		Entry("suspended", func(s map[string]any) { s["suspend"] = true }),
	)

	DescribeTable("rejects malformed campaigns with a message naming the field",
		func(change func(obj *unstructured.Unstructured), wantField string, wantMessage string) {
			obj := validCampaign()
			change(obj)
			err := createStrictly(obj)
			Expect(err).To(HaveOccurred(), "the API server accepted the object")
			Expect(err.Error()).To(ContainSubstring(wantField))
			Expect(err.Error()).To(ContainSubstring(wantMessage))
		},
		// Windows.
		Entry("startTime 24 is past the last hour", setSpec("downloadTimeWindowList", []any{window(24, 24)}),
			"spec.downloadTimeWindowList[0].startTime", "less than or equal to 23"),
		Entry("startTime -1 is before the first hour", setSpec("downloadTimeWindowList", []any{window(-1, 4)}),
			"spec.downloadTimeWindowList[0].startTime", "greater than or equal to 0"),
		Entry("endTime 0 is before the first closing hour", setSpec("installTimeWindowList", []any{window(0, 0)}),
			"spec.installTimeWindowList[0].endTime", "greater than or equal to 1"),
		Entry("endTime 25 is past midnight", setSpec("installTimeWindowList", []any{window(3, 25)}),
			"spec.installTimeWindowList[0].endTime", "less than or equal to 24"),
		Entry("an empty window {5,5}", setSpec("downloadTimeWindowList", []any{window(5, 5)}),
			"spec.downloadTimeWindowList[0]", "startTime must be earlier than endTime"),
		Entry("a window across midnight {22,2} tells how to split it", setSpec("downloadTimeWindowList", []any{window(22, 2)}),
			"spec.downloadTimeWindowList[0]", "{startTime: 22, endTime: 24} and {startTime: 0, endTime: 2}"),
		Entry("an hour given as a string", setSpec("downloadTimeWindowList", []any{window("3", 4)}),
			"spec.downloadTimeWindowList[0].startTime", "must be of type integer"),
		Entry("an hour with a fraction", setSpec("installTimeWindowList", []any{window(3.5, 4)}),
			"spec.installTimeWindowList[0].startTime", "must be of type integer"),
		Entry("a window without endTime", setSpec("installTimeWindowList", []any{map[string]any{"startTime": 3}}),
			"spec.installTimeWindowList[0].endTime", "Required value"),
		Entry("a download window listed twice", setSpec("downloadTimeWindowList", []any{window(3, 4), window(3, 4)}),
			"spec.downloadTimeWindowList", "must not list the same window twice"),
		Entry("an install window listed twice", setSpec("installTimeWindowList", []any{window(5, 6), window(1, 2), window(5, 6)}),
			"spec.installTimeWindowList", "must not list the same window twice"),
		Entry("25 download windows", setSpec("downloadTimeWindowList", windows(25)),
			"spec.downloadTimeWindowList", "must have at most 24 items"),
		Entry("25 install windows", setSpec("installTimeWindowList", windows(25)),
			"spec.installTimeWindowList", "must have at most 24 items"),
		Entry("a window list that is an object", setSpec("downloadTimeWindowList", window(3, 4)),
			"spec.downloadTimeWindowList.startTime", "unknown field"),

		// Dates.
		Entry("30 February", setSpec("startDate", "2026-02-30"), "spec.startDate", "must be of type date"),
		Entry("29 February of a common year", setSpec("endDate", "2027-02-29"), "spec.endDate", "must be of type date"),
		Entry("month 13", setSpec("endDate", "2026-13-01"), "spec.endDate", "must be of type date"),
		Entry("a date without leading zeros", setSpec("startDate", "2026-1-5"), "spec.startDate", "should be at least 10 chars long"),
		Entry("a date in another format", setSpec("startDate", "01/12/2026"), "spec.startDate", "must be of type date"),
		Entry("a date with a time", setSpec("startDate", "2026-12-01T00:00:00Z"), "spec.startDate", "may not be more than 10 bytes"),
		Entry("a date given as a number", setSpec("endDate", int64(20261207)), "spec.endDate", "must be of type date"),
		Entry("an after-date that is not a date", setSpec("installAfterDate", "tomorrow"), "spec.installAfterDate", "must be of type date"),
		Entry("endDate before startDate", setSpec("endDate", "2026-11-30"),
			"spec.endDate", "endDate must be on or after startDate"),
		Entry("downloadAfterDate after endDate", setSpec("downloadAfterDate", "2026-12-08"),
			"spec.downloadAfterDate", "downloadAfterDate must be on or before endDate"),
		Entry("installAfterDate after endDate", setSpec("installAfterDate", "2027-01-01"),
			"spec.installAfterDate", "installAfterDate must be on or before endDate"),

		// Required fields and identifiers.
		Entry("no startDate", deleteSpec("startDate"), "spec.startDate", "Required value"),
		Entry("no endDate", deleteSpec("endDate"), "spec.endDate", "Required value"),
		Entry("no accountName", deleteSpec("accountName"), "spec.accountName", "Required value"),
		Entry("neither campaignId nor software", deleteSpec("campaignId"),
			"spec", "set exactly one of campaignId (to manage a campaign that exists in ThingSpace) and software"),
		Entry("an empty campaignId", setSpec("campaignId", ""), "spec.campaignId", "should be at least 1 chars long"),
		Entry("an empty accountName", setSpec("accountName", ""), "spec.accountName", "should be at least 1 chars long"),
		Entry("a 65-character campaignId", setSpec("campaignId", strings.Repeat("a", 65)), "spec.campaignId", "may not be more than 64 bytes"),
		Entry("a 65-character accountName", setSpec("accountName", strings.Repeat("0", 65)), "spec.accountName", "may not be more than 64 bytes"),
		Entry("a campaignId that is a path segment", setSpec("campaignId", ".."), "spec.campaignId", "should match"),
		Entry("an accountName with a slash", setSpec("accountName", "0402196254/00001"), "spec.accountName", "should match"),
		Entry("no credentialsSecretRef", deleteSpec("credentialsSecretRef"), "spec.credentialsSecretRef", "Required value"),
		Entry("a Secret name that is not a valid name", setSpec("credentialsSecretRef", map[string]any{"name": "Thing_Space"}),
			"spec.credentialsSecretRef.name", "should match"),
		Entry("suspend given as a string", setSpec("suspend", "yes"), "spec.suspend", "must be of type boolean"),
		Entry("an unknown field", setSpec("startdate", "2026-12-01"), "spec.startdate", "unknown field"),
		Entry("no spec at all", func(obj *unstructured.Unstructured) { delete(obj.Object, "spec") }, "spec", "Required value"),

		// Scheduling, devices and deletion.
		Entry("both campaignId and software", setSpec("software", software()),
			"spec", "set exactly one of campaignId"),
		Entry("software without devices", scheduling(func(s map[string]any) { delete(s, "devices") }),
			"spec.devices", "devices is required with software"),
		Entry("campaignName without software", setSpec("campaignName", "wave1"),
			"spec.campaignName", "set it only together with software"),
		Entry("a 65-character campaignName", scheduling(func(s map[string]any) { s["campaignName"] = strings.Repeat("n", 65) }),
			"spec.campaignName", "may not be more than 64 bytes"),
		Entry("software without its name", scheduling(func(s map[string]any) { delete(s["software"].(map[string]any), "name") }),
			"spec.software.name", "Required value"),
		Entry("an unknown distribution type", scheduling(func(s map[string]any) { s["software"].(map[string]any)["distributionType"] = "FTP" }),
			"spec.software.distributionType", `supported values: "HTTP", "OMA", "LWM2M"`),
		Entry("a device id with a dash", scheduling(func(s map[string]any) { s["devices"] = []any{"99001-3907835573"} }),
			"spec.devices[0]", "should match"),
		Entry("a device id of 33 characters", scheduling(func(s map[string]any) { s["devices"] = []any{strings.Repeat("9", 33)} }),
			"spec.devices[0]", "may not be more than 32 bytes"),
		Entry("a device listed twice", scheduling(func(s map[string]any) { s["devices"] = []any{"990013907835573", "990013907835573"} }),
			"spec.devices[1]", "Duplicate value"),
		Entry("no device at all", scheduling(func(s map[string]any) { s["devices"] = []any{} }),
			"spec.devices", "should have at least 1 items"),
		Entry("10001 devices", scheduling(func(s map[string]any) { s["devices"] = deviceIDs(10001) }),
			"spec.devices", "must have at most 10000 items"),
		Entry("an unknown deletion policy", setSpec("deletionPolicy", "Delete"),
			"spec.deletionPolicy", `supported values: "Orphan", "Cancel"`),
		Entry("an abort threshold of 0%", setSpec("abortPolicy", map[string]any{"failedPercent": 0, "minFinishedDevices": 20}),
			"spec.abortPolicy.failedPercent", "greater than or equal to 1"),
		Entry("an abort threshold of 101%", setSpec("abortPolicy", map[string]any{"failedPercent": 101, "minFinishedDevices": 20}),
			"spec.abortPolicy.failedPercent", "less than or equal to 100"),
		Entry("an abort policy without its minimum", setSpec("abortPolicy", map[string]any{"failedPercent": 10}),
			"spec.abortPolicy.minFinishedDevices", "Required value"),
	)

	It("accepts a campaign to schedule with 10000 devices", func() {
		obj := validCampaign()
		scheduling(func(s map[string]any) { s["devices"] = deviceIDs(10000) })(obj)
		Expect(createStrictly(obj)).To(Succeed())
		Expect(spec(obj)["deletionPolicy"]).To(Equal("Orphan"), "deletionPolicy defaults to Orphan")
	})

	DescribeTable("keeps what a scheduled campaign is from being added, removed or changed, and says what to do instead",
		func(change func(s map[string]any), wantField, wantMessage string) {
			obj := validCampaign()
			scheduling(func(s map[string]any) { s["campaignName"] = "wave1" })(obj)
			Expect(createStrictly(obj)).To(Succeed())
			change(spec(obj))
			err := k8sClient.Update(ctx, obj)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring(wantField))
			Expect(err.Error()).To(ContainSubstring(wantMessage))
		},
		Entry("a changed campaignName", func(s map[string]any) { s["campaignName"] = "wave2" },
			"spec.campaignName", "campaignName is immutable: ThingSpace cannot rename a campaign"),
		Entry("a removed campaignName", func(s map[string]any) { delete(s, "campaignName") },
			"spec", "campaignName cannot be added or removed after creation"),
		Entry("a changed software", func(s map[string]any) { s["software"].(map[string]any)["to"] = "FOTA_Other" },
			"spec.software", "software is immutable"),
		Entry("a campaignId added instead of software", func(s map[string]any) {
			delete(s, "software")
			delete(s, "campaignName")
			s["campaignId"] = "60b5d639-ccdc-4db8-8824-069bd94c95bf"
		}, "spec", "campaignId cannot be added or removed after creation"),
	)

	It("lets deletionPolicy and the devices change", func() {
		obj := validCampaign()
		scheduling(nil)(obj)
		Expect(createStrictly(obj)).To(Succeed())
		spec(obj)["deletionPolicy"] = "Cancel"
		spec(obj)["devices"] = []any{"990013907835581"}
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
	})

	DescribeTable("keeps the campaign's identity immutable",
		func(field, newValue string) {
			obj := validCampaign()
			Expect(createStrictly(obj)).To(Succeed())
			spec(obj)[field] = newValue
			err := k8sClient.Update(ctx, obj)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).To(ContainSubstring("spec." + field))
			Expect(err.Error()).To(ContainSubstring(fmt.Sprintf("%s is immutable", field)))
		},
		Entry("accountName", "accountName", "0402196254-00002"),
		Entry("campaignId", "campaignId", "70b5d639-ccdc-4db8-8824-069bd94c95bf"),
	)
})

// scheduling turns the sample into a campaign the operator schedules, then applies change.
func scheduling(change func(s map[string]any)) func(obj *unstructured.Unstructured) {
	return func(obj *unstructured.Unstructured) {
		s := spec(obj)
		delete(s, "campaignId")
		s["software"] = software()
		s["devices"] = []any{"990013907835573", "990013907835581"}
		if change != nil {
			change(s)
		}
	}
}

func software() map[string]any {
	return map[string]any{
		"name": "FOTA_Verizon_Model-A_02To03_HF", "from": "FOTA_Verizon_Model-A_00To01_HF",
		"to": "FOTA_Verizon_Model-A_02To03_HF", "distributionType": "HTTP",
	}
}

func deviceIDs(n int) []any {
	ids := make([]any, 0, n)
	for i := range n {
		ids = append(ids, fmt.Sprintf("99%013d", i))
	}
	return ids
}

func setSpec(key string, value any) func(obj *unstructured.Unstructured) {
	return func(obj *unstructured.Unstructured) { spec(obj)[key] = value }
}

func deleteSpec(key string) func(obj *unstructured.Unstructured) {
	return func(obj *unstructured.Unstructured) { delete(spec(obj), key) }
}
