package simulator

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Kind names what a request asked ThingSpace to do.
type Kind string

// The kinds of request the simulator tells apart.
const (
	KindToken         Kind = "token"         // POST /api/ts/v1/oauth2/token
	KindLogin         Kind = "login"         // POST /api/m2m/v1/session/login
	KindGet           Kind = "get"           // GET /campaigns/{acc}/{campaignId}
	KindDates         Kind = "dates"         // PUT /campaigns/{acc}/{campaignId}/dates
	KindDelete        Kind = "delete"        // DELETE /campaigns/{acc}/{campaignId}
	KindCreate        Kind = "create"        // POST /campaigns/software/{acc}
	KindUpdateDevices Kind = "updateDevices" // PUT /campaigns/{acc}/{campaignId}
	KindReport        Kind = "report"        // GET /reports/{acc}/campaigns/{campaignId}/devices
	KindList          Kind = "list"          // GET /reports/{acc}/campaigns?campaignStatus=...
	KindOther         Kind = "other"         // anything ThingSpace has no endpoint for
)

// isFOTA reports whether the kind is a Software Management call, the calls that need both tokens
// and that a Fault without a Kind applies to.
func (k Kind) isFOTA() bool {
	switch k {
	case KindGet, KindDates, KindDelete, KindCreate, KindUpdateDevices, KindReport, KindList:
		return true
	}
	return false
}

// Request is one request the simulator received, with its answer's status.
type Request struct {
	Time                      time.Time // wall clock at arrival
	Method, Path              string
	Query                     string // the raw query, e.g. "lastSeenDeviceId=990003425730535"
	Kind                      Kind
	Account, CampaignID       string
	AccessToken, SessionToken string // as received: the Bearer value and the VZ-M2M-Token header
	ContentType               string
	Body                      []byte
	Status                    int // what the simulator answered; 0 when the connection was dropped
}

// Violation is a dates payload ThingSpace would refuse: illegal for the campaign's phase,
// malformed, or partial (a key missing).
type Violation struct {
	Account, CampaignID, Reason string
	Body                        []byte
}

type countKey struct {
	method string
	kind   Kind
}

// requestLog is the simulator's memory of its traffic. It has its own lock so that recording
// never waits on campaign handling.
type requestLog struct {
	mu         sync.Mutex
	requests   []Request
	counts     map[countKey]int
	arrivals   map[string][]time.Time // FOTA request arrival times per account, in order
	violations []Violation
}

func newRequestLog() requestLog {
	return requestLog{counts: map[countKey]int{}, arrivals: map[string][]time.Time{}}
}

// begin notes a request's arrival. The arrival time is read under the lock so each account's
// arrivals stay sorted, which MaxRequestsPerSecond relies on.
func (l *requestLog) begin(r *http.Request, kind Kind, body []byte) *Request {
	call := &Request{
		Method:       r.Method,
		Path:         r.URL.Path,
		Query:        r.URL.RawQuery,
		Kind:         kind,
		Account:      r.PathValue("acc"),
		CampaignID:   r.PathValue("campaignId"),
		AccessToken:  bearerToken(r),
		SessionToken: r.Header.Get("VZ-M2M-Token"),
		ContentType:  r.Header.Get("Content-Type"),
		Body:         body,
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	call.Time = time.Now()
	if kind.isFOTA() && call.Account != "" {
		l.arrivals[call.Account] = append(l.arrivals[call.Account], call.Time)
	}
	return call
}

// finish records the answered request; the log is in the order requests were answered.
func (l *requestLog) finish(call *Request, status int) {
	call.Status = status
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, *call)
	l.counts[countKey{call.Method, call.Kind}]++
}

func (l *requestLog) violation(v Violation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.violations = append(l.violations, v)
}

// Requests returns every request answered so far, in the order they were answered, as copies.
// Bodies are as received, login passwords included (only /_sim/requests redacts them).
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, len(s.log.requests))
	for i, r := range s.log.requests {
		r.Body = append([]byte(nil), r.Body...)
		out[i] = r
	}
	return out
}

// Count returns how many requests of that method and kind were answered, for example
// Count(http.MethodPut, KindDates). An empty method or kind matches any.
func (s *Server) Count(method string, kind Kind) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	if method != "" && kind != "" {
		return s.log.counts[countKey{strings.ToUpper(method), kind}]
	}
	total := 0
	for key, n := range s.log.counts {
		if (method == "" || strings.EqualFold(key.method, method)) && (kind == "" || key.kind == kind) {
			total += n
		}
	}
	return total
}

// ResetRequests forgets the recorded requests, their counts and their arrival times.
// Violations are kept.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.requests = nil
	s.log.counts = map[countKey]int{}
	s.log.arrivals = map[string][]time.Time{}
}

// Violations returns every illegal or partial dates payload received, oldest first, as copies.
func (s *Server) Violations() []Violation {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Violation, len(s.log.violations))
	for i, v := range s.log.violations {
		v.Body = append([]byte(nil), v.Body...)
		out[i] = v
	}
	return out
}

// MaxRequestsPerSecond returns the highest number of FOTA requests for the account that arrived
// within any one second (a sliding window over wall-clock arrival times).
func (s *Server) MaxRequestsPerSecond(account string) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return maxWithin(s.log.arrivals[account], time.Second)
}

// maxWithin returns the largest number of sorted times that fit in a window shorter than width.
func maxWithin(times []time.Time, width time.Duration) int {
	best, first := 0, 0
	for last, t := range times {
		for t.Sub(times[first]) >= width {
			first++
		}
		best = max(best, last-first+1)
	}
	return best
}
