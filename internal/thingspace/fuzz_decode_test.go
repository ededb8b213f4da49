package thingspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// maxDecodeErrorLength bounds the text of a decoding error, which ends up in a status condition:
// an error code and a message of ThingSpace's, each cut by sanitize, plus the words around them.
const maxDecodeErrorLength = 2*maxMessageLength + 256

// FuzzDecodeCampaign feeds the decoder of GET and PUT replies arbitrary bodies. Whatever
// ThingSpace (or a proxy in front of it) sends, the decoder either returns a campaign that the
// body really described, or one of the client's typed errors with a message short enough for a
// condition; it never panics and never returns both or neither.
func FuzzDecodeCampaign(f *testing.F) {
	for _, seed := range []string{
		`{"id":"60b5d639-ccdc-4db8-8824-069bd94c95bf","accountName":"0402196254-00001","startDate":"2026-12-01","endDate":"2026-12-07",` +
			`"downloadAfterDate":null,"downloadTimeWindowList":[{"startTime":3,"endTime":4}],"installAfterDate":"2026-12-02",` +
			`"installTimeWindowList":[],"status":"CampaignScheduled","unknownField":{"nested":[1,2,3]}}`,
		`{"id":"only-an-id"}`,
		`{}`,
		``,
		"  \n\t",
		`null`,
		`[]`,
		`[{"id":"x"}]`,
		`"a string"`,
		`<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>`,
		`{"id":"x","startDate":`,
		`{"id":"x"} trailing`,
		`{"startDate":20261201,"endDate":"2026-12-07"}`,
		`{"id":"x","downloadTimeWindowList":"3-4"}`,
		`{"id":"x","installTimeWindowList":[{"startTime":"5","endTime":6}]}`,
		`{"id":"x","downloadTimeWindowList":[{"startTime":99999999999,"endTime":1}]}`,
		`{"id":"x","downloadAfterDate":false}`,
		`{"errorCode":"INVALID_PARAMETER","errorMessage":"Invalid uuid"}`,
		`{"fault":{"code":"900901","message":"Invalid Credentials"}}`,
		`{"id":"x","id":"y"}`,
		"\xef\xbb\xbf{\"id\":\"x\"}",
		"{\"id\":\"\xff\xfe\"}",
		`{"id":"` + strings.Repeat("x", 4096) + `"}`,
		`{"errorCode":"` + strings.Repeat("E", 4096) + `","errorMessage":"` + strings.Repeat("é", 4096) + `"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		campaign, err := decodeReply(body)
		if (campaign == nil) == (err == nil) {
			t.Fatalf("body %q: got campaign %v and error %v, want exactly one", body, campaign, err)
		}
		if err != nil {
			checkDecodeError(t, body, err)
			return
		}
		checkDecodedCampaign(t, body, campaign)
	})
}

// checkDecodeError asserts that a refused reply gives a typed error fit for a condition.
func checkDecodeError(t *testing.T, body []byte, err error) {
	t.Helper()
	var (
		unavailable *UnavailableError
		apiErr      *APIError
	)
	switch {
	case errors.As(err, &unavailable):
		if unavailable.StatusCode != http.StatusOK {
			t.Fatalf("body %q: UnavailableError with status %d, want the reply's 200", body, unavailable.StatusCode)
		}
	case errors.As(err, &apiErr):
		if apiErr.StatusCode != http.StatusOK || apiErr.Code == "" && apiErr.Message == "" {
			t.Fatalf("body %q: APIError %#v, want the reply's status and ThingSpace's code or message", body, apiErr)
		}
	default:
		t.Fatalf("body %q: error %T %v, want *UnavailableError or *APIError", body, err, err)
	}
	// What leaves the package has passed sanitize, which bounds ThingSpace's text.
	if length := len(sanitize(err, nil).Error()); length > maxDecodeErrorLength {
		t.Fatalf("body of %d bytes: error message of %d bytes, want at most %d", len(body), length, maxDecodeErrorLength)
	}
}

// checkDecodedCampaign asserts that an accepted reply was a JSON object naming a campaign, and
// that the campaign holds what the body said: encoding it and decoding again changes nothing.
func checkDecodedCampaign(t *testing.T, body []byte, campaign *Campaign) {
	t.Helper()
	if !json.Valid(body) || !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		t.Fatalf("body %q: decoded to a campaign although it is no JSON object", body)
	}
	if campaign.ID == "" && campaign.StartDate == "" && campaign.EndDate == "" {
		t.Fatalf("body %q: decoded to a campaign with no id, startDate or endDate", body)
	}
	encoded, err := json.Marshal(campaign)
	if err != nil {
		t.Fatalf("encoding the campaign decoded from %q: %v", body, err)
	}
	again, err := decodeReply(encoded)
	if err != nil {
		t.Fatalf("decoding %q again: %v", encoded, err)
	}
	if !reflect.DeepEqual(again, campaign) {
		t.Fatalf("body %q: decoding is not stable: %#v, then %#v", body, campaign, again)
	}
}

// decodeReply reads a 200 reply to a GET or PUT of a campaign as the client does: a FOTA error
// body first, then the campaign.
func decodeReply(body []byte) (*Campaign, error) {
	if err := fotaErrorIn(http.StatusOK, body); err != nil {
		return nil, err
	}
	return decodeCampaign(body)
}
