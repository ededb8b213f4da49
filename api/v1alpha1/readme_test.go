package v1alpha1_test

import (
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// readmeRules are the rows of the README's table of what the API server rejects, by their rule
// cell: how to break the sample that way. update, when set, breaks an object that was created
// valid, for the rules of what cannot change.
var readmeRules = map[string]struct {
	create func(obj *unstructured.Unstructured)
	update func(s map[string]any)
}{
	"dates are real `YYYY-MM-DD` calendar dates":                        {create: setSpec("startDate", "2026-02-30")},
	"a schema error leaves the rules below unchecked until it is fixed": {create: setSpec("startDate", "2026-02-30")},
	"`startDate <= endDate`, after-dates `<= endDate`":                  {create: setSpec("endDate", "2026-11-30")},
	"a window's `startTime` 0..23, `endTime` 1..24":                     {create: setSpec("downloadTimeWindowList", []any{window(24, 24)})},
	"`startTime < endTime`; a window cannot cross midnight": {
		create: setSpec("downloadTimeWindowList", []any{window(22, 2)}),
	},
	"at most 24 windows per list":                     {create: setSpec("downloadTimeWindowList", windows(25))},
	"no window listed twice":                          {create: setSpec("installTimeWindowList", []any{window(5, 6), window(5, 6)})},
	"`accountName`, `campaignId`: 1 to 64 characters": {create: setSpec("campaignId", strings.Repeat("a", 65))},
	"`accountName`, `campaignId` are immutable": {
		update: func(s map[string]any) { s["campaignId"] = "70b5d639-ccdc-4db8-8824-069bd94c95bf" },
	},
	"exactly one of `campaignId` and `software`": {create: setSpec("software", software())},
	"`devices` with `software`":                  {create: scheduling(func(s map[string]any) { delete(s, "devices") })},
	"1 to 10000 devices, each 1 to 32 letters and digits": {
		create: scheduling(func(s map[string]any) { s["devices"] = []any{"99001-3907835573"} }),
	},
	"no device listed twice": {
		create: scheduling(func(s map[string]any) { s["devices"] = []any{"990013907835573", "990013907835573"} }),
	},
	"`campaignName` and `software` cannot change": {
		update: func(s map[string]any) { s["software"].(map[string]any)["to"] = "FOTA_Verizon_Model-A_03To04_HF" },
	},
	"`abortPolicy.failedPercent` 1..100, `minFinishedDevices` at least 1": {
		create: setSpec("abortPolicy", map[string]any{"failedPercent": 0, "minFinishedDevices": 20}),
	},
}

var _ = Describe("The README's table of what the API server rejects", func() {
	It("quotes what the API server answers, for every rule it lists", func() {
		rows := readmeRejectionTable()
		Expect(rows).To(HaveLen(len(readmeRules)), "a row of the table without a case here, or the other way round")
		for rule, message := range rows {
			breakIt, known := readmeRules[rule]
			Expect(known).To(BeTrue(), "the README lists a rule this test does not know: %s", rule)
			obj := validCampaign()
			var err error
			if breakIt.update == nil {
				breakIt.create(obj)
				err = createStrictly(obj)
			} else {
				if rule == "`campaignName` and `software` cannot change" {
					scheduling(nil)(obj)
				}
				Expect(createStrictly(obj)).To(Succeed())
				breakIt.update(spec(obj))
				err = k8sClient.Update(ctx, obj)
			}
			Expect(err).To(HaveOccurred(), rule)
			Expect(err.Error()).To(ContainSubstring(message), "the README's message for %q", rule)
		}
	})
})

// readmeRejectionTable reads the README's table of what the API server rejects: rule -> message.
func readmeRejectionTable() map[string]string {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	Expect(err).NotTo(HaveOccurred())
	text := string(raw)
	start := strings.Index(text, "The API server itself rejects malformed campaigns")
	Expect(start).To(BeNumerically(">=", 0), "the README has no table of what the API server rejects")
	rows := map[string]string{}
	lines := strings.Split(text[start:], "\n")
	for len(lines) > 0 && !strings.HasPrefix(lines[0], "| ---") {
		lines = lines[1:]
	}
	Expect(lines).NotTo(BeEmpty(), "the README's table of what the API server rejects has no rows")
	for _, line := range lines[1:] {
		if !strings.HasPrefix(line, "| ") {
			break
		}
		rule, message, found := strings.Cut(strings.Trim(line, "| "), " | ")
		Expect(found).To(BeTrue(), line)
		rows[rule] = strings.Trim(message, "`")
	}
	return rows
}
