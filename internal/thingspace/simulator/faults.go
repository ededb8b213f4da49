package simulator

import (
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

// applyFault answers the request with a fault when one hits it, and reports whether it did. A
// dropped connection is only marked on w: serveAPI closes it after recording the request, so
// that a client which sees the drop also finds it in Requests.
func (s *Server) applyFault(w *statusRecorder, r *http.Request, call *Request) bool {
	fault, hit := s.takeFault(call)
	if !hit {
		return false
	}
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
