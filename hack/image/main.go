// Command image builds the manager's container image from Go alone, with neither a Docker engine
// nor a registry (`make image`): the static manager, /etc/passwd and /etc/group with the user
// 65532 and a CA bundle, in layers on an empty base, with the config User 65532:65532,
// Entrypoint /manager and the OCI labels source, version and revision. It writes an OCI layout of
// every platform and, for one platform, a tarball that `podman load` and `docker load` read.
//
// Every time stamp is the commit's (SOURCE_DATE_EPOCH, by default the time of HEAD), so two
// builds of one commit give the same digest.
//
// With -rootfs it only writes the image's files besides the manager into a directory, for the
// Dockerfile, so that both ways of building give the same files.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/fota-operator/fota-operator/hack/harness"
)

// The OCI labels of the image.
const (
	labelSource   = "org.opencontainers.image.source"
	labelVersion  = "org.opencontainers.image.version"
	labelRevision = "org.opencontainers.image.revision"
)

// defaultSource is the repository the image is built from, as its source label says.
const defaultSource = "https://github.com/fota-operator/fota-operator"

func main() { harness.Main("image", run) }

// options are the command's flags.
type options struct {
	image           string
	version         string
	source          string
	revision        string
	out             string
	platforms       string
	tarballPlatform string
	rootfs          string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var opts options
	flags := flag.NewFlagSet("image", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&opts.image, "image", "ghcr.io/fota-operator/fota-operator:devel", "The image's name and tag (make image passes IMG).")
	flags.StringVar(&opts.version, "version", "", "The version stamped into the manager and the version label; empty means the image's tag.")
	flags.StringVar(&opts.source, "source", defaultSource, "The source label: the repository the image is built from.")
	flags.StringVar(&opts.revision, "revision", "", "The revision label; empty means the commit of HEAD.")
	flags.StringVar(&opts.out, "out", filepath.Join("bin", "image"), "Where the OCI layout (oci/), the tarball and the manager binaries go.")
	flags.StringVar(&opts.platforms, "platforms", "linux/amd64,linux/arm64", "The platforms of the OCI layout, comma-separated.")
	flags.StringVar(&opts.tarballPlatform, "tarball-platform", "linux/amd64", "The platform of the tarball, one of -platforms.")
	flags.StringVar(&opts.rootfs, "rootfs", "", "Only write the image's files besides the manager under this directory (for the Dockerfile).")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if opts.rootfs != "" {
		return writeRootFiles(opts.rootfs)
	}
	return build(ctx, opts, stdout, stderr)
}

// plan is what a build makes: the flags resolved against the clone.
type plan struct {
	root         string
	ref          name.Tag
	version      string
	labels       map[string]string
	created      time.Time
	platforms    []v1.Platform
	tarballIndex int
	out          string
}

// resolve reads the flags, and the commit and its time from git where the flags leave them out.
func resolve(ctx context.Context, opts options, stderr io.Writer) (plan, error) {
	ref, err := name.NewTag(opts.image)
	if err != nil {
		return plan{}, fmt.Errorf("-image: %w", err)
	}
	p := plan{ref: ref, version: opts.version}
	// Absolute, since go build runs in the clone's root and the caller may be elsewhere.
	if p.out, err = filepath.Abs(opts.out); err != nil {
		return plan{}, err
	}
	if p.version == "" {
		p.version = ref.TagStr()
	}
	if p.root, err = harness.FindRoot(); err != nil {
		return plan{}, err
	}
	revision := opts.revision
	if revision == "" {
		if revision, err = git(ctx, p.root, "rev-parse", "HEAD"); err != nil {
			return plan{}, err
		}
	}
	if changed, err := git(ctx, p.root, "status", "--porcelain", "--untracked-files=no"); err == nil && changed != "" {
		_, _ = fmt.Fprintf(stderr, "image: the work tree has uncommitted changes: the image holds them, its revision label says %s\n", revision)
	}
	p.labels = map[string]string{labelSource: opts.source, labelVersion: p.version, labelRevision: revision}
	if p.created, err = sourceDate(ctx, p.root); err != nil {
		return plan{}, err
	}
	p.platforms, p.tarballIndex, err = parsePlatforms(opts.platforms, opts.tarballPlatform)
	return p, err
}

func build(ctx context.Context, opts options, stdout, stderr io.Writer) error {
	p, err := resolve(ctx, opts, stderr)
	if err != nil {
		return err
	}
	files, err := rootFiles()
	if err != nil {
		return err
	}
	images := make([]v1.Image, 0, len(p.platforms))
	for _, platform := range p.platforms {
		img, err := platformImage(ctx, p, platform, files)
		if err != nil {
			return err
		}
		images = append(images, img)
	}
	index, err := Index(images...)
	if err != nil {
		return err
	}
	layoutDir, tarballFile := filepath.Join(p.out, "oci"), filepath.Join(p.out, "fota-operator.tar")
	if err := WriteLayout(layoutDir, p.ref, index); err != nil {
		return err
	}
	if err := WriteTarball(tarballFile, p.ref, images[p.tarballIndex]); err != nil {
		return err
	}
	return report(stdout, p, index, images, layoutDir, tarballFile)
}

// platformImage builds the manager for platform into the output directory and the image around it.
func platformImage(ctx context.Context, p plan, platform v1.Platform, files []file) (v1.Image, error) {
	binary := filepath.Join(p.out, platform.OS+"-"+platform.Architecture, managerPath)
	if err := buildManager(ctx, p.root, binary, platform, p.version); err != nil {
		return nil, err
	}
	manager, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	return Image(Content{Platform: platform, Manager: manager, Files: files, Labels: p.labels, Created: p.created})
}

// sourceDate is SOURCE_DATE_EPOCH when set (the reproducible-builds convention), otherwise the
// commit time of HEAD.
func sourceDate(ctx context.Context, root string) (time.Time, error) {
	epoch := os.Getenv("SOURCE_DATE_EPOCH")
	if epoch == "" {
		var err error
		if epoch, err = git(ctx, root, "log", "-1", "--format=%ct"); err != nil {
			return time.Time{}, err
		}
	}
	seconds, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: not a number of seconds", epoch)
	}
	return time.Unix(seconds, 0).UTC(), nil
}

func parsePlatforms(list, forTarball string) (platforms []v1.Platform, tarballIndex int, err error) {
	tarballIndex = -1
	for _, item := range strings.Split(list, ",") {
		platform, err := v1.ParsePlatform(strings.TrimSpace(item))
		if err != nil {
			return nil, 0, fmt.Errorf("-platforms: %w", err)
		}
		if platform.String() == forTarball {
			tarballIndex = len(platforms)
		}
		platforms = append(platforms, *platform)
	}
	if tarballIndex < 0 {
		return nil, 0, fmt.Errorf("-tarball-platform %s is not one of -platforms %s", forTarball, list)
	}
	return platforms, tarballIndex, nil
}

// buildManager builds the static manager for platform: no cgo, so that it needs no C library in
// the image; -trimpath and no build id or VCS stamp, so that the binary depends on the sources
// and the toolchain only, not on the clone's path or the state of its work tree.
func buildManager(ctx context.Context, root, binary string, platform v1.Platform, version string) error {
	goBuild := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -buildid= -X main.version="+version, "-o", binary, ".")
	goBuild.Dir = root
	goBuild.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+platform.OS, "GOARCH="+platform.Architecture)
	if out, err := goBuild.CombinedOutput(); err != nil {
		return fmt.Errorf("building the manager for %s: %w\n%s", platform, err, out)
	}
	return nil
}

func git(ctx context.Context, root string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

// report prints the digests, which two builds of one commit share, and the sizes.
func report(w io.Writer, p plan, index v1.ImageIndex, images []v1.Image, layoutDir, tarballFile string) error {
	indexDigest, err := index.Digest()
	if err != nil {
		return err
	}
	var text strings.Builder
	fmt.Fprintf(&text, "image %s: version %s, revision %s, created %s\n", p.ref, p.version, p.labels[labelRevision],
		p.created.Format(time.RFC3339))
	fmt.Fprintf(&text, "  %s  %s (OCI layout, every platform)\n", indexDigest, layoutDir)
	for i, img := range images {
		digest, err := img.Digest()
		if err != nil {
			return err
		}
		size, err := compressedSize(img)
		if err != nil {
			return err
		}
		fmt.Fprintf(&text, "  %s  %s, %.1f MB compressed\n", digest, p.platforms[i], float64(size)/1e6)
	}
	fmt.Fprintf(&text, "  %s (%s; podman load -i / docker load -i)\n", tarballFile, p.platforms[p.tarballIndex])
	_, err = io.WriteString(w, text.String())
	return err
}

// compressedSize is what a registry stores for img: its config and its gzipped layers.
func compressedSize(img v1.Image) (int64, error) {
	manifest, err := img.Manifest()
	if err != nil {
		return 0, err
	}
	size := manifest.Config.Size
	for _, layer := range manifest.Layers {
		size += layer.Size
	}
	return size, nil
}
