package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Fault makes matching requests fail (or slow down) before ThingSpace's normal handling, auth
// included. Faults are tried in the order they were injected; the first one that matches and hits
// decides the answer.
type Fault struct {
	Account, CampaignID string // empty = any
	Kind                Kind   // empty = any FOTA call (not the token or login endpoints)
	// Status is the HTTP status to answer, e.g. 503, 429, 400, 401. Zero answers normally after
	// Latency, which makes a slow-but-working ThingSpace.
	Status int
	// Body replaces the default error body (e.g. HTML, invalid JSON, something huge). The
	// defaults: 5xx a gateway's HTML page, 429 gateway fault 900800, 401 gateway fault 900901,
	// 400 INVALID_PARAMETER.
	Body string
	// ContentType overrides the Content-Type of a custom Body, which otherwise is guessed from
	// its first character.
	ContentType string
	RetryAfter  string // Retry-After header value, e.g. "2"
	Times       int    // how many requests it affects; 0 = until cleared
	// Probability is the chance a matching request is hit; 0 = always. The dice are seeded
	// with Options.RandSeed.
	Probability float64
	Latency     time.Duration // waited before answering
	// DropConnection closes the connection without an answer, like a crashed load balancer.
	DropConnection bool
	// Alter, when Status is zero, lets ThingSpace handle the request as usual (a POST schedules
	// its campaign) and then spoils its 2xx JSON reply, for replies the operator must not trust.
	Alter Alteration
}

// Alteration is how Fault.Alter spoils a reply.
type Alteration string

// The alterations. Those that name a field change it in the reply's campaign object, or in
// every campaign of a list reply.
const (
	// AlterWithoutCampaignList drops the campaignList key of a campaign list reply.
	AlterWithoutCampaignList Alteration = "withoutCampaignList"
	// AlterOtherAccount makes the reply name OtherAccount as the campaign's accountName.
	AlterOtherAccount Alteration = "otherAccount"
	// AlterOtherCampaignName appends "-other" to the campaign's campaignName.
	AlterOtherCampaignName Alteration = "otherCampaignName"
	// AlterWithoutID drops the campaign's id.
	AlterWithoutID Alteration = "withoutId"
	// AlterErrorMessage replaces the whole reply with a FOTA error body under the same 2xx
	// status: {"errorCode":"INTERNAL_SERVER_ERROR","errorMessage":...}.
	AlterErrorMessage Alteration = "errorMessage"
)

// OtherAccount is the account AlterOtherAccount writes into a reply.
const OtherAccount = "0999999999-00001"

// known reports whether a is one of the alterations above.
func (a Alteration) known() bool {
	switch a {
	case AlterWithoutCampaignList, AlterOtherAccount, AlterOtherCampaignName, AlterWithoutID, AlterErrorMessage:
		return true
	}
	return false
}

type queuedFault struct {
	Fault
	remaining int // hits left when Times > 0
}

// InjectFault queues a fault behind the ones already queued.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &queuedFault{Fault: f, remaining: f.Times})
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (f *Fault) matches(call *Request) bool {
	if f.Kind == "" && !call.Kind.isFOTA() {
		return false
	}
	return (f.Kind == "" || f.Kind == call.Kind) &&
		(f.Account == "" || f.Account == call.Account) &&
		(f.CampaignID == "" || f.CampaignID == call.CampaignID)
}

// takeFault returns the fault that hits this request, if any, and uses up one of its Times.
func (s *Server) takeFault(call *Request) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, queued := range s.faults {
		if !queued.matches(call) {
			continue
		}
		if queued.Probability > 0 && s.dice.Float64() >= queued.Probability {
			continue
		}
		if queued.Times > 0 {
			queued.remaining--
			if queued.remaining == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return queued.Fault, true
	}
	return Fault{}, false
}

// applyFault answers the request with fault, after its latency, and reports whether it did; a
// fault without a Status leaves the answer to the endpoint. A dropped connection is only marked
// on w: serveAPI closes it after recording the request, so that a client which sees the drop
// also finds it in Requests.
func (s *Server) applyFault(w *statusRecorder, r *http.Request, fault Fault) bool {
	if !pause(r.Context(), fault.Latency) {
		return true
	}
	if fault.DropConnection {
		w.drop = true
		return true
	}
	if fault.Status == 0 {
		return false
	}
	if fault.RetryAfter != "" {
		w.Header().Set("Retry-After", fault.RetryAfter)
	}
	body, contentType := fault.reply()
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(fault.Status)
	_, _ = w.Write([]byte(body))
	return true
}

func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot hand over its connection; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// reply returns the fault's body and its content type.
func (f *Fault) reply() (body, contentType string) {
	if f.Body != "" {
		if f.ContentType != "" {
			return f.Body, f.ContentType
		}
		return f.Body, guessContentType(f.Body)
	}
	switch {
	case f.Status >= 500:
		return gatewayErrorPage(f.Status), "text/html"
	case f.Status == http.StatusTooManyRequests:
		return mustJSON(gatewayFault(codeThrottled, "Message throttled out",
			"You have exceeded your quota. Try again later")), jsonMediaType
	case f.Status == http.StatusUnauthorized:
		return mustJSON(invalidCredentialsFault()), jsonMediaType
	default:
		return mustJSON(errorBody(codeInvalidParameter, "simulated fault")), jsonMediaType
	}
}

func guessContentType(body string) string {
	trimmed := strings.TrimSpace(body)
	switch {
	case strings.HasPrefix(trimmed, "{"), strings.HasPrefix(trimmed, "["):
		return jsonMediaType
	case strings.HasPrefix(trimmed, "<"):
		return "text/html"
	}
	return "text/plain"
}

// gatewayErrorPage is what a load balancer in front of ThingSpace answers when the service
// behind it is down: HTML, not JSON.
func gatewayErrorPage(status int) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n</body>\r\n</html>\r\n"
}

// handleAltered lets handle answer into a buffer, spoils a 2xx JSON reply with alteration, and
// sends what results.
func handleAltered(w http.ResponseWriter, r *http.Request, handle http.HandlerFunc, alteration Alteration) {
	captured := &capturedReply{header: http.Header{}, status: http.StatusOK}
	handle(captured, r)
	body := captured.body.Bytes()
	if captured.status >= 200 && captured.status <= 299 {
		body = alteration.apply(body)
	}
	for key, values := range captured.header {
		w.Header()[key] = values
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(captured.status)
	_, _ = w.Write(body)
}

// capturedReply is a reply held back to be altered.
type capturedReply struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *capturedReply) Header() http.Header         { return c.header }
func (c *capturedReply) Write(b []byte) (int, error) { return c.body.Write(b) }
func (c *capturedReply) WriteHeader(status int)      { c.status = status }

// apply spoils a JSON object reply; anything else is left as it is.
func (a Alteration) apply(body []byte) []byte {
	if a == AlterErrorMessage {
		return []byte(mustJSON(errorBody("INTERNAL_SERVER_ERROR", "the request could not be completed")))
	}
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()
	var reply map[string]any
	if decoder.Decode(&reply) != nil {
		return body
	}
	if a == AlterWithoutCampaignList {
		delete(reply, "campaignList")
		return []byte(mustJSON(reply))
	}
	campaigns := []map[string]any{reply}
	if list, ok := reply["campaignList"].([]any); ok {
		campaigns = campaigns[:0]
		for _, entry := range list {
			if campaign, ok := entry.(map[string]any); ok {
				campaigns = append(campaigns, campaign)
			}
		}
	}
	for _, campaign := range campaigns {
		a.applyToCampaign(campaign)
	}
	return []byte(mustJSON(reply))
}

func (a Alteration) applyToCampaign(campaign map[string]any) {
	switch a {
	case AlterOtherAccount:
		campaign["accountName"] = OtherAccount
	case AlterOtherCampaignName:
		name, _ := campaign["campaignName"].(string)
		campaign["campaignName"] = name + "-other"
	case AlterWithoutID:
		delete(campaign, "id")
	}
}
