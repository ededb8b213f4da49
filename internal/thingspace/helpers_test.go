package thingspace_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// Distinctive values, so that a leak of any of them is easy to find in an error or a log.
const (
	testAccount    = "0402196254-00001"
	testCampaignID = "60b5d639-ccdc-4db8-8824-069bd94c95bf"

	staticAccessToken  = "static-access-token-7fQ2"
	staticSessionToken = "static-session-token-9kW4"
	testClientID       = "client-id-3hT8"
	testClientSecret   = "client-secret-5zR1"
	testUsername       = "fleet-user-6pL3"
	testPassword       = "password-8mX6"
)

// world is a simulator behind a real HTTP server that also keeps the headers of every request,
// for what the simulator does not record (Accept).
type world struct {
	sim     *simulator.Server
	baseURL string

	mu      sync.Mutex
	headers []http.Header
	paths   []string
}

func startWorld(t *testing.T, opts simulator.Options) *world {
	t.Helper()
	w := &world{sim: simulator.New(opts)}
	server := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		w.headers = append(w.headers, r.Header.Clone())
		w.paths = append(w.paths, r.URL.Path)
		w.mu.Unlock()
		w.sim.ServeHTTP(rw, r)
	}))
	t.Cleanup(server.Close)
	w.baseURL = server.URL
	return w
}

// staticWorld accepts the static test tokens.
func staticWorld(t *testing.T) *world {
	t.Helper()
	return startWorld(t, simulator.Options{
		StaticTokens: []simulator.TokenPair{{AccessToken: staticAccessToken, SessionToken: staticSessionToken}},
	})
}

// mintingWorld accepts the test client credentials and login.
func mintingWorld(t *testing.T, clock func() time.Time) *world {
	t.Helper()
	return startWorld(t, simulator.Options{
		Clock:   clock,
		Clients: map[string]string{testClientID: testClientSecret},
		Users:   map[string]string{testUsername: testPassword},
	})
}

func (w *world) seenHeaders() []http.Header {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]http.Header(nil), w.headers...)
}

// arrived returns how many requests for path have arrived, answered or not.
func (w *world) arrived(path string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, p := range w.paths {
		if p == path {
			n++
		}
	}
	return n
}

// awaitArrival waits until n requests for path have arrived.
func (w *world) awaitArrival(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for w.arrived(path) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests for %s arrived within 10s, want %d", w.arrived(path), path, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// statuses returns the status of every recorded request of kind, in order.
func (w *world) statuses(kind simulator.Kind) []int {
	var out []int
	for _, r := range w.sim.Requests() {
		if r.Kind == kind {
			out = append(out, r.Status)
		}
	}
	return out
}

func newClient(t *testing.T, opts thingspace.Options) *thingspace.HTTPClient {
	t.Helper()
	client, err := thingspace.NewHTTPClient(opts)
	if err != nil {
		t.Fatalf("NewHTTPClient: %v", err)
	}
	return client
}

var staticCredentials = thingspace.Credentials{AccessToken: staticAccessToken, SessionToken: staticSessionToken}

func credentialsSecret(uid types.UID, resourceVersion string, data map[string]string) *corev1.Secret {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "fleet", Name: "thingspace-credentials", UID: uid, ResourceVersion: resourceVersion},
		Data:       map[string][]byte{},
	}
	for key, value := range data {
		secret.Data[key] = []byte(value)
	}
	return secret
}

// mintingCredentials reads a Secret holding client credentials and a login.
func mintingCredentials(t *testing.T, uid types.UID, resourceVersion, password string) thingspace.Credentials {
	t.Helper()
	creds, err := thingspace.CredentialsFromSecret(credentialsSecret(uid, resourceVersion, map[string]string{
		"clientId": testClientID, "clientSecret": testClientSecret, "username": testUsername, "password": password,
	}))
	if err != nil {
		t.Fatalf("CredentialsFromSecret: %v", err)
	}
	return creds
}

func sampleCampaign(account, id string, start time.Time) thingspace.Campaign {
	day := func(offset int) string { return start.AddDate(0, 0, offset).Format(time.DateOnly) }
	downloadAfter := day(0)
	return thingspace.Campaign{
		ID:                     id,
		AccountName:            account,
		CampaignName:           "FOTA_Verizon_Upgrade",
		SoftwareName:           "FOTA_Verizon_Model-A_02To03_HF",
		DistributionType:       "HTTP",
		Make:                   "Verizon",
		Model:                  "Model-A",
		SoftwareFrom:           "FOTA_Verizon_Model-A_00To01_HF",
		SoftwareTo:             "FOTA_Verizon_Model-A_02To03_HF",
		StartDate:              day(0),
		EndDate:                day(6),
		DownloadAfterDate:      &downloadAfter,
		DownloadTimeWindowList: []thingspace.Window{{StartTime: 3, EndTime: 4}},
		InstallTimeWindowList:  []thingspace.Window{},
		Status:                 "CampaignScheduled",
	}
}

// pendingStart is a start date well in the future of the wall clock, so the campaign is pending.
func pendingStart() time.Time {
	return time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 30)
}

func errorAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error %v (%T) is not a %T", err, err, target)
	}
	return target
}

// requireErrorType fails the test unless err is a T.
func requireErrorType[T error](t *testing.T, err error) {
	t.Helper()
	_ = errorAs[T](t, err)
}

// fakeClock is a clock that tests move by hand, shared by the simulator and the client.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
