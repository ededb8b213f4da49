package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/fota-operator/fota-operator/internal/thingspace"
)

// kubectlBinary is the kubectl built with the control plane (v1.37.2, in assets), or the one on
// PATH when that one is missing.
func kubectlBinary() (string, error) {
	matching := filepath.Join(assets, "kubectl")
	if info, err := os.Stat(matching); err == nil && info.Mode()&0o111 != 0 {
		return matching, nil
	}
	return exec.LookPath("kubectl")
}

// kubectl runs kubectl against the dev environment's kubeconfig, the way its user would.
type kubectl struct {
	binary, kubeconfig, dir string
}

// run returns kubectl's stdout, or an error carrying its stderr.
func (k kubectl) run(stdin string, args ...string) (string, error) {
	cmd := exec.Command(k.binary, args...)
	cmd.Dir = k.dir
	cmd.Env = append(os.Environ(), "KUBECONFIG="+k.kubeconfig)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

func (k kubectl) apply(manifest string) (string, error) {
	return k.run(manifest, "apply", "-f", "-")
}

// syncState is "<generation>/<observedGeneration>/<Synced status>" of a FotaCampaign, e.g.
// "2/2/True" once the operator has pushed generation 2.
func (k kubectl) syncState(name string) (string, error) {
	out, err := k.run("", "get", "fotacampaign", name, "-o",
		`jsonpath={.metadata.generation}/{.status.observedGeneration}/{.status.conditions[?(@.type=="Synced")].status}`)
	return strings.TrimSpace(out), err
}

// rolloutPhase is the phase of the FotaRollout name.
func (k kubectl) rolloutPhase(name string) (string, error) {
	return k.run("", "get", "fr", name, "-o", "jsonpath={.status.phase}")
}

// waveCampaigns maps each FotaCampaign of the rollout name to its devices.
func (k kubectl) waveCampaigns(rollout string) (map[string][]string, error) {
	out, err := k.run("", "get", "fc", "-l", "fota.thingspace.io/rollout="+rollout, "-o", "json")
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Spec struct {
				Devices []string `json:"devices"`
			} `json:"spec"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		return nil, err
	}
	campaigns := make(map[string][]string, len(list.Items))
	for _, item := range list.Items {
		campaigns[item.Metadata.Name] = item.Spec.Devices
	}
	return campaigns, nil
}

// simulatorAdmin talks to the simulator's /_sim/ endpoints.
type simulatorAdmin struct{ baseURL string }

// recordedRequest is a ThingSpace request as GET /_sim/requests shows it.
type recordedRequest struct {
	Method     string `json:"method"`
	Kind       string `json:"kind"`
	CampaignID string `json:"campaignId"`
	Body       string `json:"body"`
	Status     int    `json:"status"`
}

// readyReason is the reason of the Ready condition of the FotaCampaign name.
func (k kubectl) readyReason(name string) (string, error) {
	return k.run("", "get", "fc", name, "-o", `jsonpath={.status.conditions[?(@.type=="Ready")].reason}`)
}

func (s simulatorAdmin) seed(c thingspace.Campaign) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	resp, err := http.Post(s.baseURL+"/_sim/campaigns", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /_sim/campaigns: %s", resp.Status)
	}
	return nil
}

// datesPuts returns every PUT .../dates the simulator received for the campaign (the "dates"
// kind is that request only).
func (s simulatorAdmin) datesPuts(campaignID string) ([]recordedRequest, error) {
	return s.requestsOf("dates", campaignID)
}

// requestsOf returns every request of kind the simulator received, for the campaign when
// campaignID is set.
func (s simulatorAdmin) requestsOf(kind, campaignID string) ([]recordedRequest, error) {
	resp, err := http.Get(s.baseURL + "/_sim/requests")
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	var all []recordedRequest
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return nil, err
	}
	var matching []recordedRequest
	for _, r := range all {
		if r.Kind == kind && (campaignID == "" || r.CampaignID == campaignID) {
			matching = append(matching, r)
		}
	}
	return matching, nil
}

// postsNamed returns every POST that scheduled a campaign named name.
func (s simulatorAdmin) postsNamed(name string) ([]recordedRequest, error) {
	creates, err := s.requestsOf("create", "")
	if err != nil {
		return nil, err
	}
	var named []recordedRequest
	for _, r := range creates {
		var body struct {
			CampaignName string `json:"campaignName"`
		}
		if json.Unmarshal([]byte(r.Body), &body) == nil && body.CampaignName == name {
			named = append(named, r)
		}
	}
	return named, nil
}

// campaign returns the simulator's campaign of id in the sample account.
func (s simulatorAdmin) campaign(id string) (thingspace.Campaign, error) {
	resp, err := http.Get(s.baseURL + "/_sim/campaigns")
	if err != nil {
		return thingspace.Campaign{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	var all []thingspace.Campaign
	if err := json.NewDecoder(resp.Body).Decode(&all); err != nil {
		return thingspace.Campaign{}, err
	}
	for _, c := range all {
		if c.ID == id {
			return c, nil
		}
	}
	return thingspace.Campaign{}, fmt.Errorf("the simulator holds no campaign %s", id)
}

// day is the UTC date offset days from now, as YYYY-MM-DD.
func day(offset int) string {
	return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly)
}

// fotaCampaign is the manifest of a FotaCampaign in the default namespace for the campaign c of
// the sample account, using the sample Secret.
func fotaCampaign(name string, c thingspace.Campaign) string {
	return fmt.Sprintf(`apiVersion: fota.thingspace.io/v1alpha1
kind: FotaCampaign
metadata:
  name: %s
  namespace: default
spec:
  accountName: %q
  campaignId: %s
  credentialsSecretRef:
    name: thingspace-credentials
  startDate: %q
  endDate: %q
  downloadTimeWindowList: %s
  installTimeWindowList: %s
`, name, c.AccountName, c.ID, c.StartDate, c.EndDate, flowWindows(c.DownloadTimeWindowList), flowWindows(c.InstallTimeWindowList))
}

// flowWindows writes windows as a YAML flow list, e.g. [{startTime: 1, endTime: 3}].
func flowWindows(windows []thingspace.Window) string {
	items := make([]string, len(windows))
	for i, w := range windows {
		items[i] = fmt.Sprintf("{startTime: %d, endTime: %d}", w.StartTime, w.EndTime)
	}
	return "[" + strings.Join(items, ", ") + "]"
}
