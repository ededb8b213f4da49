package campaign

import (
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// RuleUnknownTimeZone is broken by a displayTimeZone that is not an IANA time zone.
const RuleUnknownTimeZone Rule = "unknown-time-zone"

// LoadTimeZone loads an IANA time zone by name. "Local" is refused: it would show the operator's
// machine's zone, which means nothing to the reader of the status.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("%q is not an IANA time zone name", name)
	}
	return time.LoadLocation(name)
}

// CheckTimeZone lists the violation of a displayTimeZone that is not an IANA time zone; none for
// an unset one.
func CheckTimeZone(name string) []Violation {
	if name == "" {
		return nil
	}
	if _, err := LoadTimeZone(name); err != nil {
		return []Violation{{
			Rule: RuleUnknownTimeZone,
			Error: field.Invalid(specPath.Child("displayTimeZone"), name,
				"must be an IANA time zone name such as America/Chicago, Europe/Berlin or UTC"),
		}}
	}
	return nil
}
