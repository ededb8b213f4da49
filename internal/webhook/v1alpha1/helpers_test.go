package v1alpha1

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
)

// The reference campaign runs from 00:00 UTC on 2026-11-23 to the end of 2026-11-30.
const (
	beforeStart = "2026-11-20T12:00:00Z" // Pending; today is 2026-11-20
	running     = "2026-11-25T10:00:00Z" // InProgress; now + 24 h falls on 2026-11-26
	afterEnd    = "2026-12-02T00:00:00Z" // Ended by its dates
)

func datePtr(s string) *fotav1alpha1.Date {
	d := fotav1alpha1.Date(s)
	return &d
}

func windows(pairs ...[2]int32) []fotav1alpha1.TimeWindow {
	list := make([]fotav1alpha1.TimeWindow, 0, len(pairs))
	for _, p := range pairs {
		list = append(list, fotav1alpha1.TimeWindow{StartTime: p[0], EndTime: p[1]})
	}
	return list
}

// referenceSchedule is the schedule every test starts from: one download and one install window,
// both after-dates set, so that every field can be changed, unset or shrunk.
func referenceSchedule() fotav1alpha1.Schedule {
	return fotav1alpha1.Schedule{
		StartDate:              "2026-11-23",
		EndDate:                "2026-11-30",
		DownloadAfterDate:      datePtr("2026-11-23"),
		DownloadTimeWindowList: windows([2]int32{3, 4}),
		InstallAfterDate:       datePtr("2026-11-24"),
		InstallTimeWindowList:  windows([2]int32{5, 6}),
	}
}

// scheduleWith is the reference schedule after change.
func scheduleWith(change func(*fotav1alpha1.Schedule)) fotav1alpha1.Schedule {
	s := referenceSchedule()
	change(&s)
	return s
}

// newCampaign is a FotaCampaign with the given schedule, as a user would write it.
func newCampaign(name string, schedule fotav1alpha1.Schedule) *fotav1alpha1.FotaCampaign {
	return &fotav1alpha1.FotaCampaign{
		TypeMeta: metav1.TypeMeta{
			APIVersion: fotav1alpha1.GroupVersion.String(),
			Kind:       "FotaCampaign",
		},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "fleet"},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          "0402196254-00001",
			CampaignID:           "60b5d639-ccdc-4db8-8824-069bd94c95bf",
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: "thingspace-credentials"},
			Schedule:             schedule,
		},
	}
}

// withThingSpace records, as the controller would, that ThingSpace holds applied and reports
// the campaign with the given raw status.
func withThingSpace(fc *fotav1alpha1.FotaCampaign, applied fotav1alpha1.Schedule, status string) *fotav1alpha1.FotaCampaign {
	fc = fc.DeepCopy()
	fc.Status.Applied = applied.DeepCopy()
	fc.Status.Campaign = &fotav1alpha1.CampaignInfo{ID: fc.Spec.CampaignID, Status: status}
	return fc
}

// withSchedule is a copy of fc whose schedule went through change.
func withSchedule(fc *fotav1alpha1.FotaCampaign, change func(*fotav1alpha1.Schedule)) *fotav1alpha1.FotaCampaign {
	fc = fc.DeepCopy()
	change(&fc.Spec.Schedule)
	return fc
}

// fataler is the part of testing.TB that at needs, which GinkgoT() also offers.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// at parses an RFC 3339 time, failing the test when it does not parse.
func at(t fataler, s string) time.Time {
	t.Helper()
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return parsed
}
