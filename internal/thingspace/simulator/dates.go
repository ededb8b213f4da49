package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// scheduleKeys are the keys every dates payload must carry: ThingSpace wants the whole schedule
// on every call, changed and unchanged fields alike.
var scheduleKeys = []string{
	"startDate", "endDate", "downloadAfterDate", "downloadTimeWindowList", "installAfterDate", "installTimeWindowList",
}

// partialPayload starts the reason of a Violation for a payload with a key missing.
const partialPayload = "partial payload"

// putDates is PUT /campaigns/{acc}/{campaignId}/dates.
func (s *Server) putDates(w http.ResponseWriter, r *http.Request) {
	key := keyOf(r)
	body, _ := io.ReadAll(r.Body)
	updated, problems, found := s.changeSchedule(key, mediaType(r), body)
	if !found {
		writeUnknownCampaign(w)
		return
	}
	if len(problems) > 0 {
		reason := strings.Join(problems, "; ")
		s.log.violation(Violation{Account: key.account, CampaignID: key.id, Reason: reason, Body: body})
		writeInvalidParameter(w, reason)
		return
	}
	writeJSON(w, http.StatusOK, updated)
}

// changeSchedule checks and applies a dates payload under the lock, so two concurrent PUTs are
// each judged against the schedule the other left.
func (s *Server) changeSchedule(key campaignKey, contentType string, body []byte) (thingspace.Campaign, []string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	record, ok := s.record(key)
	if !ok {
		return thingspace.Campaign{}, nil, false
	}
	desired, problems := decodeDates(contentType, body)
	if len(problems) == 0 {
		problems = checkChange(record.campaign, desired, s.now())
	}
	if len(problems) > 0 {
		return thingspace.Campaign{}, problems, true
	}
	setSchedule(&record.campaign, desired)
	return copyCampaign(record.campaign), nil, true
}

// decodeDates reads a dates payload and returns what is wrong with it on its own.
func decodeDates(contentType string, body []byte) (thingspace.Dates, []string) {
	if contentType != jsonMediaType {
		return thingspace.Dates{}, []string{fmt.Sprintf("Content-Type must be application/json, got %q", contentType)}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return thingspace.Dates{}, []string{"Input binding error: the body is not a JSON object"}
	}
	if missing := missingKeys(fields); len(missing) > 0 {
		return thingspace.Dates{}, []string{partialPayload + ": missing " + strings.Join(missing, ", ") +
			"; every call must carry the whole schedule"}
	}
	if problems := nullKeys(fields); len(problems) > 0 {
		return thingspace.Dates{}, problems
	}
	var desired thingspace.Dates
	if err := json.Unmarshal(body, &desired); err != nil {
		return thingspace.Dates{}, []string{"Input binding error: " + err.Error()}
	}
	return desired, checkSchedule(desired)
}

func missingKeys(fields map[string]json.RawMessage) []string {
	var missing []string
	for _, key := range scheduleKeys {
		if _, ok := fields[key]; !ok {
			missing = append(missing, key)
		}
	}
	return missing
}

// nullKeys rejects null where ThingSpace needs a value. Null after-dates mean "as soon as
// possible", but a null window list is the mark of a client that forgot to send [].
func nullKeys(fields map[string]json.RawMessage) []string {
	var problems []string
	for _, key := range []string{"startDate", "endDate"} {
		if isNull(fields[key]) {
			problems = append(problems, key+" is required and cannot be null")
		}
	}
	for _, key := range []string{"downloadTimeWindowList", "installTimeWindowList"} {
		if isNull(fields[key]) {
			problems = append(problems, key+" is null: send [] for no windows")
		}
	}
	return problems
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}
