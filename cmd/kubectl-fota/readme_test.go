package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fota-operator/fota-operator/hack/harness"
)

// The manifests of the README's example: on the target branch, a campaign that ended in June 2025;
// the pull request moves its end and adds a campaign whose install date lies after its end.
const (
	baseCampaigns = `apiVersion: fota.thingspace.io/v1alpha1
kind: FotaCampaign
metadata:
  name: model-a-02to03
  namespace: fleet
spec:
  accountName: "0402196254-00001"
  campaignId: 60b5d639-ccdc-4db8-8824-069bd94c95bf
  credentialsSecretRef:
    name: thingspace-credentials
  startDate: "2025-06-01"
  endDate: "2025-06-07"
  downloadTimeWindowList:
  - {startTime: 3, endTime: 4}
`
	addedCampaign = `---
apiVersion: fota.thingspace.io/v1alpha1
kind: FotaCampaign
metadata:
  name: model-b-02to03
  namespace: fleet
spec:
  accountName: "0402196254-00001"
  campaignId: 70b5d639-ccdc-4db8-8824-069bd94c95bf
  credentialsSecretRef:
    name: thingspace-credentials
  startDate: "2099-06-01"
  endDate: "2099-06-07"
  installAfterDate: "2099-06-08"
`
	readmeCheck = "kubectl-fota check -f manifests/ --base ../base/manifests/"
)

// TestReadmeCIJobs runs the shell steps of the README's GitHub Actions and GitLab CI jobs, as
// written there, in a fresh clone of a repository whose pull request branch changes the target
// branch's manifests, and checks that they fail the job with the output the README shows.
func TestReadmeCIJobs(t *testing.T) {
	root, err := harness.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	wantOutput := consoleOutput(t, string(readme), readmeCheck)
	bin := buildPlugin(t, root)
	origin := fixtureRepository(t)

	jobs := map[string]string{
		"GitHub Actions": githubCheckStep(t, string(readme)),
		"GitLab CI":      gitlabScript(t, string(readme)),
	}
	for name, script := range jobs {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(script, readmeCheck) {
				t.Fatalf("the job does not run the README's sample command %q:\n%s", readmeCheck, script)
			}
			clone := filepath.Join(t.TempDir(), "clone")
			git(t, "", "clone", "--quiet", "--branch", "change-windows", origin, clone)

			cmd := exec.Command("bash", "-e", "-c", script)
			cmd.Dir = clone
			cmd.Env = append(gitEnv(), "BASE_REF=main", "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()

			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
				t.Errorf("the job ended with %v, want exit status 1 (refused); stderr:\n%s", err, stderr.String())
			}
			got := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
			if diff := cmp.Diff(wantOutput, got); diff != "" {
				t.Errorf("the job's output differs from the README's (-README +job):\n%s", diff)
			}
		})
	}
}

// fixtureRepository creates a repository whose main branch holds baseCampaigns and whose branch
// change-windows moves the end date and adds a campaign, and returns its path.
func fixtureRepository(t *testing.T) string {
	t.Helper()
	repo := filepath.Join(t.TempDir(), "origin")
	git(t, "", "init", "--quiet", "--initial-branch", "main", repo)
	writeFile(t, filepath.Join(repo, "manifests", "campaigns.yaml"), baseCampaigns)
	writeFile(t, filepath.Join(repo, "manifests", "secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata:\n  name: thingspace-credentials\n  namespace: fleet\n")
	git(t, repo, "add", ".")
	git(t, repo, "commit", "--quiet", "-m", "model-a-02to03 in June 2025")
	git(t, repo, "checkout", "--quiet", "-b", "change-windows")
	changed := strings.Replace(baseCampaigns, `endDate: "2025-06-07"`, `endDate: "2025-06-30"`, 1) + addedCampaign
	writeFile(t, filepath.Join(repo, "manifests", "campaigns.yaml"), changed)
	git(t, repo, "commit", "--quiet", "-am", "model-a-02to03 runs longer; model-b-02to03")
	git(t, repo, "checkout", "--quiet", "main")
	return repo
}

// githubCheckStep is the run script of the README workflow's step that checks the manifests.
func githubCheckStep(t *testing.T, readme string) string {
	t.Helper()
	block := codeBlock(t, readme, "yaml", "on: pull_request")
	_, step, found := strings.Cut(block, "- name: Check the manifests against the target branch\n")
	if !found {
		t.Fatal("the README's workflow has no step named \"Check the manifests against the target branch\"")
	}
	_, run, found := strings.Cut(step, "run: |\n")
	if !found {
		t.Fatal("the README's check step has no run: | script")
	}
	var lines []string
	for _, line := range strings.Split(run, "\n") {
		if !strings.HasPrefix(line, "        ") {
			break
		}
		lines = append(lines, strings.TrimPrefix(line, "        "))
	}
	return strings.Join(lines, "\n")
}

// gitlabScript is the script of the README's GitLab CI job, one command a line.
func gitlabScript(t *testing.T, readme string) string {
	t.Helper()
	block := codeBlock(t, readme, "yaml", "merge_request_event")
	_, script, found := strings.Cut(block, "  script:\n")
	if !found {
		t.Fatal("the README's GitLab CI job has no script")
	}
	var lines []string
	for _, line := range strings.Split(script, "\n") {
		command, ok := strings.CutPrefix(line, "  - ")
		if !ok {
			break
		}
		lines = append(lines, command)
	}
	return strings.Join(lines, "\n")
}

// codeBlock is the README's fenced block of language lang that contains marker.
func codeBlock(t *testing.T, readme, lang, marker string) string {
	t.Helper()
	for _, part := range strings.Split(readme, "```"+lang+"\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		if strings.Contains(block, marker) {
			return block
		}
	}
	t.Fatalf("the README has no %s block with %q", lang, marker)
	return ""
}

// consoleOutput is the output the README's console blocks show for `$ command`.
func consoleOutput(t *testing.T, readme, command string) []string {
	t.Helper()
	for _, part := range strings.Split(readme, "```console\n")[1:] {
		block, _, _ := strings.Cut(part, "```")
		if rest, found := strings.CutPrefix(block, "$ "+command+"\n"); found {
			output, _, _ := strings.Cut(rest, "\n$ ")
			return strings.Split(strings.TrimRight(output, "\n"), "\n")
		}
	}
	t.Fatalf("the README shows no `$ %s`", command)
	return nil
}

// buildPlugin builds kubectl-fota into a directory of its own and returns the directory.
func buildPlugin(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "kubectl-fota"), "./cmd/kubectl-fota")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building kubectl-fota: %v\n%s", err, out)
	}
	return dir
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// gitEnv runs git with a fixed identity and without the machine's or the user's configuration.
func gitEnv() []string {
	return append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_AUTHOR_NAME=fixture", "GIT_AUTHOR_EMAIL=fixture@example.com",
		"GIT_COMMITTER_NAME=fixture", "GIT_COMMITTER_EMAIL=fixture@example.com")
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
