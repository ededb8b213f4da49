package main

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

var (
	amd64 = v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = v1.Platform{OS: "linux", Architecture: "arm64"}
	// commitTime stands for SOURCE_DATE_EPOCH.
	commitTime = time.Date(2026, 11, 30, 17, 4, 5, 0, time.UTC)
	testRef    = name.MustParseReference("ghcr.io/fota-operator/fota-operator:v0.1.0").(name.Tag)
)

// content is what the tests build images from: a stand-in for the manager and the real files.
func content(t *testing.T, platform v1.Platform) Content {
	t.Helper()
	files, err := rootFiles()
	if err != nil {
		t.Fatal(err)
	}
	return Content{
		Platform: platform,
		Manager:  []byte("\x7fELF the manager for " + platform.String()),
		Files:    files,
		Labels: map[string]string{
			labelSource: defaultSource, labelVersion: "v0.1.0", labelRevision: "f347cbb6c1a5e2b1d1d0f1f0e9e8d7c6b5a49382",
		},
		Created: commitTime,
	}
}

func mustImage(t *testing.T, c Content) v1.Image {
	t.Helper()
	img, err := Image(c)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func digestOf(t *testing.T, d interface{ Digest() (v1.Hash, error) }) v1.Hash {
	t.Helper()
	digest, err := d.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return digest
}

func TestSameContentGivesTheSameDigest(t *testing.T) {
	first := mustImage(t, content(t, amd64))
	second := mustImage(t, content(t, amd64))
	if a, b := digestOf(t, first), digestOf(t, second); a != b {
		t.Errorf("two builds of the same content: %s and %s", a, b)
	}
	firstIndex, err := Index(first, mustImage(t, content(t, arm64)))
	if err != nil {
		t.Fatal(err)
	}
	secondIndex, err := Index(second, mustImage(t, content(t, arm64)))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := digestOf(t, firstIndex), digestOf(t, secondIndex); a != b {
		t.Errorf("two builds of the same index: %s and %s", a, b)
	}

	// What goes to disk is the same bytes too: the tarball and the layout's index.json.
	dir := t.TempDir()
	for _, build := range []string{"first", "second"} {
		if err := WriteTarball(filepath.Join(dir, build+".tar"), testRef, first); err != nil {
			t.Fatal(err)
		}
		if err := WriteLayout(filepath.Join(dir, build), testRef, firstIndex); err != nil {
			t.Fatal(err)
		}
	}
	for _, file := range []string{".tar", string(filepath.Separator) + "index.json"} {
		if a, b := readFile(t, filepath.Join(dir, "first"+file)), readFile(t, filepath.Join(dir, "second"+file)); !bytes.Equal(a, b) {
			t.Errorf("first%s and second%s differ", file, file)
		}
	}
}

func TestEveryInputChangesTheDigest(t *testing.T) {
	base := digestOf(t, mustImage(t, content(t, amd64)))
	changes := map[string]func(*Content){
		"another manager binary": func(c *Content) { c.Manager = append(c.Manager, '!') },
		"another commit time":    func(c *Content) { c.Created = c.Created.Add(time.Second) },
		"another revision":       func(c *Content) { c.Labels = map[string]string{labelRevision: "0000000"} },
		"another platform":       func(c *Content) { c.Platform = arm64 },
	}
	for reason, change := range changes {
		t.Run(reason, func(t *testing.T) {
			c := content(t, amd64)
			change(&c)
			if digestOf(t, mustImage(t, c)) == base {
				t.Errorf("%s left the digest %s", reason, base)
			}
		})
	}
}

func TestConfigRunsTheManagerAsNonroot(t *testing.T) {
	c := content(t, arm64)
	config, err := mustImage(t, c).ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	want := v1.Config{
		User:       "65532:65532",
		Entrypoint: []string{"/manager"},
		WorkingDir: "/",
		Labels:     c.Labels,
	}
	if diff := cmp.Diff(want, config.Config); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if got := config.Platform().String(); got != "linux/arm64" {
		t.Errorf("platform %s, want linux/arm64", got)
	}
	if !config.Created.Equal(commitTime) {
		t.Errorf("created %s, want the commit time %s", config.Created, commitTime)
	}
	if len(config.History) != 2 {
		t.Fatalf("%d history entries, want one per layer", len(config.History))
	}
	for _, history := range config.History {
		if !history.Created.Equal(commitTime) {
			t.Errorf("history %q created %s, want the commit time", history.CreatedBy, history.Created)
		}
	}
}

// entry is a tar entry of the image's file system, as the tests compare them.
type entry struct {
	Mode    int64
	UID     int
	GID     int
	ModTime time.Time
}

func TestFileSystem(t *testing.T) {
	entries, data := fileSystem(t, mustImage(t, content(t, amd64)))
	dir := entry{Mode: 0o755, ModTime: commitTime}
	readable := entry{Mode: 0o644, ModTime: commitTime}
	want := map[string]entry{
		"etc": dir, "etc/ssl": dir, "etc/ssl/certs": dir,
		"etc/passwd": readable, "etc/group": readable, "etc/ssl/certs/ca-certificates.crt": readable,
		"manager": {Mode: 0o755, ModTime: commitTime},
	}
	if diff := cmp.Diff(want, entries); diff != "" {
		t.Errorf("the image's files (-want +got):\n%s", diff)
	}
	if !strings.Contains(data["etc/passwd"], "\nnonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no user 65532:\n%s", data["etc/passwd"])
	}
	if !strings.Contains(data["etc/group"], "\nnonroot:x:65532:") {
		t.Errorf("/etc/group has no group 65532:\n%s", data["etc/group"])
	}
	if data["manager"] != "\x7fELF the manager for linux/amd64" {
		t.Errorf("/manager holds %q, not the binary given", data["manager"])
	}
}

func TestCABundleHoldsTheMozillaRoots(t *testing.T) {
	bundle, err := caBundle()
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(bundle) {
		t.Fatal("the CA bundle holds no certificate")
	}
	// Mozilla trusts about 150 roots for TLS; a bundle far smaller lost some on the way.
	if count := strings.Count(string(bundle), "-----BEGIN CERTIFICATE-----"); count < 100 {
		t.Errorf("the CA bundle holds %d certificates, want the Mozilla roots (over 100)", count)
	}
	if !strings.Contains(string(bundle), "# CN=ISRG Root X1,O=Internet Security Research Group,C=US\n") {
		t.Error("the CA bundle lacks ISRG Root X1 (Let's Encrypt)")
	}
}

func TestLayoutHoldsEveryPlatformUnderTheTag(t *testing.T) {
	index, err := Index(mustImage(t, content(t, amd64)), mustImage(t, content(t, arm64)))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "oci")
	if err := WriteLayout(dir, testRef, index); err != nil {
		t.Fatal(err)
	}
	top, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	topManifest, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(topManifest.Manifests) != 1 {
		t.Fatalf("index.json holds %d entries, want the one multi-platform image", len(topManifest.Manifests))
	}
	named := topManifest.Manifests[0]
	if got := named.Annotations[annotationRefName]; got != "v0.1.0" {
		t.Errorf("index.json names the image %q, want the tag v0.1.0", got)
	}
	if named.Digest != digestOf(t, index) {
		t.Errorf("index.json holds %s, want the index %s", named.Digest, digestOf(t, index))
	}
	stored, err := top.ImageIndex(named.Digest)
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := stored.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range manifest.Manifests {
		platforms = append(platforms, m.Platform.String())
		if _, err := stored.Image(m.Digest); err != nil {
			t.Errorf("the layout lacks the image of %s: %v", m.Platform, err)
		}
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, platforms); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
}

func TestTarballLoadsAsTheImage(t *testing.T) {
	img := mustImage(t, content(t, amd64))
	file := filepath.Join(t.TempDir(), "image.tar")
	if err := WriteTarball(file, testRef, img); err != nil {
		t.Fatal(err)
	}
	loaded, err := tarball.ImageFromPath(file, &testRef)
	if err != nil {
		t.Fatal(err)
	}
	want, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	// `podman load` names an image by its config's digest, the image id.
	if got, err := loaded.ConfigName(); err != nil || got != want {
		t.Errorf("the tarball holds the image id %s (%v), want %s", got, err, want)
	}
}

func TestRootFilesForTheDockerfile(t *testing.T) {
	dir := t.TempDir()
	if err := writeRootFiles(dir); err != nil {
		t.Fatal(err)
	}
	files, err := rootFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.path))
		if !bytes.Equal(readFile(t, path), f.data) {
			t.Errorf("%s differs from the image's", path)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != os.FileMode(f.mode) {
			t.Errorf("%s has mode %v, want %v", path, info.Mode().Perm(), os.FileMode(f.mode))
		}
	}
}

// fileSystem reads the image's flattened file system: every entry's ownership, mode and time, and
// every regular file's content.
func fileSystem(t *testing.T, img v1.Image) (map[string]entry, map[string]string) {
	t.Helper()
	flat := mutate.Extract(img)
	defer func() { _ = flat.Close() }()
	entries, data := map[string]entry{}, map[string]string{}
	reader := tar.NewReader(flat)
	for {
		header, err := reader.Next()
		if err == io.EOF {
			return entries, data
		}
		if err != nil {
			t.Fatal(err)
		}
		entries[header.Name] = entry{Mode: header.Mode, UID: header.Uid, GID: header.Gid, ModTime: header.ModTime.UTC()}
		if header.Typeflag == tar.TypeReg {
			body, err := io.ReadAll(reader)
			if err != nil {
				t.Fatal(err)
			}
			data[header.Name] = string(body)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
