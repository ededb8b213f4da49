package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// build compiles the command once per test run, so the tests exercise the real binary with its
// own signal handling.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "thingspace-sim-test")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "thingspace-sim")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary != "" {
		_ = os.RemoveAll(filepath.Dir(binary))
	}
	os.Exit(code)
}

// started is a running thingspace-sim process and the base URL it printed.
type started struct {
	cmd     *exec.Cmd
	baseURL string
}

func start(t *testing.T, args ...string) *started {
	t.Helper()
	cmd := exec.Command(build(t), append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		const prefix = "ThingSpace simulator listening on "
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("first line = %q, want %q followed by the URL", line, prefix)
		}
		return &started{cmd: cmd, baseURL: strings.TrimSpace(strings.TrimPrefix(line, prefix))}
	case <-time.After(30 * time.Second):
		t.Fatal("thingspace-sim printed nothing within 30s")
		return nil
	}
}

func (s *started) get(t *testing.T, account, id string) (int, thingspace.Campaign) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.baseURL+"/api/fota/v2/campaigns/"+account+"/"+id, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer dev-access-token")
	req.Header.Set("VZ-M2M-Token", "dev-session-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var campaign thingspace.Campaign
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&campaign); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode, campaign
}

// devices reads a campaign's devices through /_sim/.
func (s *started) devices(t *testing.T, account, id string) []simulator.Device {
	t.Helper()
	resp, err := http.Get(s.baseURL + "/_sim/campaigns/" + account + "/" + id + "/devices")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var devices []simulator.Device
	if err := json.NewDecoder(resp.Body).Decode(&devices); err != nil {
		t.Fatalf("GET devices: %d: %v", resp.StatusCode, err)
	}
	return devices
}

// schedule POSTs a campaign starting today and returns the status of ThingSpace's reply.
func (s *started) schedule(t *testing.T) string {
	t.Helper()
	today := time.Now().UTC().Format(time.DateOnly)
	body := `{"campaignName":"c","softwareName":"s","softwareFrom":"a","softwareTo":"b","distributionType":"HTTP",` +
		`"startDate":"` + today + `","endDate":"` + today + `","downloadTimeWindowList":[],"installTimeWindowList":[],"deviceList":["1"]}`
	req, err := http.NewRequest(http.MethodPost, s.baseURL+"/api/fota/v2/campaigns/software/"+simulator.SampleAccount, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer dev-access-token")
	req.Header.Set("VZ-M2M-Token", "dev-session-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var campaign thingspace.Campaign
	if err := json.NewDecoder(resp.Body).Decode(&campaign); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: %d, %v", resp.StatusCode, err)
	}
	return campaign.Status
}

// listed returns the sample account's campaigns of status, as the campaign list's first page
// shows them.
func (s *started) listed(t *testing.T, status string) []thingspace.Campaign {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.baseURL+"/api/fota/v2/reports/"+simulator.SampleAccount+"/campaigns?campaignStatus="+status, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer dev-access-token")
	req.Header.Set("VZ-M2M-Token", "dev-session-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var page struct {
		CampaignList []thingspace.Campaign `json:"campaignList"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET campaign list: %d, %v", resp.StatusCode, err)
	}
	return page.CampaignList
}

// stop sends SIGTERM and returns the exit code.
func (s *started) stop(t *testing.T) int {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return s.cmd.ProcessState.ExitCode()
	case <-time.After(10 * time.Second):
		t.Fatal("thingspace-sim did not stop within 10s of SIGTERM")
		return -1
	}
}

func TestBinaryServesTheSampleCampaignsAndStopsOnSIGTERM(t *testing.T) {
	sim := start(t)

	status, campaign := sim.get(t, simulator.SampleAccount, simulator.SampleCampaignID)
	devices := sim.devices(t, simulator.SampleAccount, simulator.SampleRunningCampaignID)

	if status != http.StatusOK || campaign.ID != simulator.SampleCampaignID || campaign.AccountName != simulator.SampleAccount {
		t.Errorf("GET sample campaign = %d %+v, want 200 with the sample", status, campaign)
	}
	if len(devices) != 500 || devices[0].Status != simulator.DeviceUpgradePending {
		t.Errorf("the sample campaign in progress has %d devices, the first %+v; want 500 upgrading", len(devices), devices[0])
	}
	if code := sim.stop(t); code != 0 {
		t.Errorf("exit code after SIGTERM = %d, want 0", code)
	}
	if resp, err := http.Get(sim.baseURL + "/_sim/campaigns"); err == nil {
		_ = resp.Body.Close()
		t.Error("the simulator still answers after it stopped")
	}
}

func TestBinarySeedsFromAYAMLFile(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "campaigns.yaml")
	yamlList := `
- id: 11111111-2222-4333-8444-555555555555
  accountName: "0000000001-00001"
  startDate: "2030-01-01"
  endDate: "2030-01-31"
  downloadTimeWindowList: [{startTime: 1, endTime: 2}]
  status: CampaignScheduled
`
	if err := os.WriteFile(seed, []byte(yamlList), 0o600); err != nil {
		t.Fatal(err)
	}
	sim := start(t, "--seed", seed)

	status, campaign := sim.get(t, "0000000001-00001", "11111111-2222-4333-8444-555555555555")
	sampleStatus, _ := sim.get(t, simulator.SampleAccount, simulator.SampleCampaignID)

	if status != http.StatusOK || campaign.EndDate != "2030-01-31" || len(campaign.DownloadTimeWindowList) != 1 {
		t.Errorf("GET seeded campaign = %d %+v, want 200 with the file's campaign", status, campaign)
	}
	if sampleStatus != http.StatusBadRequest {
		t.Errorf("GET sample campaign with --seed = %d, want 400: a seed file replaces the samples", sampleStatus)
	}
	sim.stop(t)
}

func TestInitialCampaigns(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	write := func(t *testing.T, name, content string) string {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name    string
		file    func(t *testing.T) string
		wantIDs []string
		wantErr string
	}{
		{name: "no file means the sample campaigns", file: func(*testing.T) string { return "" },
			wantIDs: idsOf(simulator.SampleCampaigns(now))},
		{name: "a JSON list is read as is", file: func(t *testing.T) string {
			return write(t, "c.json", `[{"id":"a","accountName":"0001"},{"id":"b","accountName":"0001"}]`)
		}, wantIDs: []string{"a", "b"}},
		{name: "a campaign without an id is refused", file: func(t *testing.T) string {
			return write(t, "c.yaml", "- accountName: \"0001\"\n")
		}, wantErr: "campaign 0 needs id and accountName"},
		{name: "a single object is not a list", file: func(t *testing.T) string {
			return write(t, "c.json", `{"id":"a","accountName":"0001"}`)
		}, wantErr: "want a JSON or YAML list of campaigns"},
		{name: "a missing file is reported with the flag", file: func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "absent.yaml")
		}, wantErr: "--seed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			campaigns, err := initialCampaigns(tt.file(t), now)

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOf(campaigns); strings.Join(got, ",") != strings.Join(tt.wantIDs, ",") {
				t.Errorf("ids = %v, want %v", got, tt.wantIDs)
			}
		})
	}
}

func idsOf(campaigns []thingspace.Campaign) []string {
	ids := make([]string, len(campaigns))
	for i, c := range campaigns {
		ids[i] = c.ID
	}
	return ids
}

func TestFlagsRefuseStrayArguments(t *testing.T) {
	_, err := parseFlags([]string{"--addr", "127.0.0.1:0", "extra"}, io.Discard)

	if err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("error = %v, want one naming the stray argument", err)
	}
}

func TestBinaryAcceptDelay(t *testing.T) {
	tests := map[string]struct {
		args       []string
		wantStatus string
	}{
		"by default a new campaign is pending for a minute": {wantStatus: simulator.StatusRequestPending},
		"--accept-delay 0 queues it at once":                {args: []string{"--accept-delay", "0"}, wantStatus: simulator.StatusRequestQueued},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			sim := start(t, tt.args...)

			if got := sim.schedule(t); got != tt.wantStatus {
				t.Errorf("POST reply status = %s, want %s", got, tt.wantStatus)
			}
			sim.stop(t)
		})
	}
}

func TestBinaryListLag(t *testing.T) {
	tests := map[string]struct {
		args       []string
		wantListed bool
	}{
		"by default a new campaign is listed at once":             {wantListed: true},
		"--list-lag keeps a new campaign out of the list a while": {args: []string{"--list-lag", "1h"}, wantListed: false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			sim := start(t, tt.args...)
			sim.schedule(t)

			listed := sim.listed(t, simulator.StatusRequestPending)

			if got := slices.ContainsFunc(listed, func(c thingspace.Campaign) bool { return c.CampaignName == "c" }); got != tt.wantListed {
				t.Errorf("the new campaign listed: %t, want %t (list: %v)", got, tt.wantListed, idsOf(listed))
			}
			sim.stop(t)
		})
	}
}

func TestFlagsRefuseANegativeListLag(t *testing.T) {
	_, err := parseFlags([]string{"--list-lag", "-1s"}, io.Discard)

	if err == nil || !strings.Contains(err.Error(), "--list-lag") {
		t.Errorf("error = %v, want one naming --list-lag", err)
	}
}

func TestFlagsAcceptDelay(t *testing.T) {
	tests := map[string]struct {
		args []string
		want time.Duration
	}{
		"the default is ThingSpace's minute": {want: simulator.DefaultAcceptDelay},
		"a duration is passed on":            {args: []string{"--accept-delay", "20s"}, want: 20 * time.Second},
		"0 asks the simulator for no delay":  {args: []string{"--accept-delay", "0"}, want: -1},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := parseFlags(tt.args, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.options().AcceptDelay; got != tt.want {
				t.Errorf("Options.AcceptDelay = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHelpListsTheFlagsAndEveryAdminEndpoint(t *testing.T) {
	var help strings.Builder

	_, err := parseFlags([]string{"--help"}, &help)

	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("error = %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"-accept-delay", "-seed", "-latency", "-list-lag"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("--help does not mention %s:\n%s", want, help.String())
		}
	}
	for _, line := range strings.Split(simulator.AdminUsage("http://127.0.0.1:8089"), "\n") {
		if !strings.Contains(help.String(), line) {
			t.Errorf("--help lacks this line of the admin usage:\n%s", line)
		}
	}
}
