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

func build(ctx context.Context, opts options, stdout, stderr io.Writer) error {
	ref, err := name.NewTag(opts.image)
	if err != nil {
		return fmt.Errorf("-image: %w", err)
	}
	if opts.version == "" {
		opts.version = ref.TagStr()
	}
	root, err := harness.FindRoot()
	if err != nil {
		return err
	}
	if opts.revision == "" {
		if opts.revision, err = git(ctx, root, "rev-parse", "HEAD"); err != nil {
			return err
		}
	}
	if changed, err := git(ctx, root, "status", "--porcelain", "--untracked-files=no"); err == nil && changed != "" {
		fmt.Fprintf(stderr, "image: the work tree has uncommitted changes: the image holds them, its revision label says %s\n", opts.revision)
	}
	created, err := sourceDate(ctx, root)
	if err != nil {
		return err
	}
	platforms, tarballIndex, err := parsePlatforms(opts.platforms, opts.tarballPlatform)
	if err != nil {
		return err
	}
	files, err := rootFiles()
	if err != nil {
		return err
	}
	labels := map[string]string{labelSource: opts.source, labelVersion: opts.version, labelRevision: opts.revision}

	images := make([]v1.Image, 0, len(platforms))
	for _, platform := range platforms {
		binary := filepath.Join(opts.out, platform.OS+"-"+platform.Architecture, managerPath)
		if err := buildManager(ctx, root, binary, platform, opts.version); err != nil {
			return err
		}
		manager, err := os.ReadFile(binary)
		if err != nil {
			return err
		}
		img, err := Image(Content{Platform: platform, Manager: manager, Files: files, Labels: labels, Created: created})
		if err != nil {
			return err
		}
		images = append(images, img)
	}
	index, err := Index(images...)
	if err != nil {
		return err
	}
	layoutDir, tarballFile := filepath.Join(opts.out, "oci"), filepath.Join(opts.out, "fota-operator.tar")
	if err := WriteLayout(layoutDir, ref, index); err != nil {
		return err
	}
	if err := WriteTarball(tarballFile, ref, images[tarballIndex]); err != nil {
		return err
	}
	return report(stdout, reportOf{ref: ref, labels: labels, created: created, index: index, images: images,
		platforms: platforms, layout: layoutDir, tarball: tarballFile, tarballIndex: tarballIndex})
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

// reportOf is what report prints.
type reportOf struct {
	ref          name.Tag
	labels       map[string]string
	created      time.Time
	index        interface{ Digest() (v1.Hash, error) }
	images       []v1.Image
	platforms    []v1.Platform
	layout       string
	tarball      string
	tarballIndex int
}

// report prints the digests, which two builds of one commit share, and the sizes.
func report(w io.Writer, r reportOf) error {
	indexDigest, err := r.index.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "image %s: version %s, revision %s, created %s\n", r.ref, r.labels[labelVersion], r.labels[labelRevision],
		r.created.Format(time.RFC3339))
	fmt.Fprintf(w, "  %s  %s (OCI layout, every platform)\n", indexDigest, r.layout)
	for i, img := range r.images {
		digest, err := img.Digest()
		if err != nil {
			return err
		}
		size, err := compressedSize(img)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  %s  %s, %.1f MB compressed\n", digest, r.platforms[i], float64(size)/1e6)
	}
	fmt.Fprintf(w, "  %s (%s; podman load -i / docker load -i)\n", r.tarball, r.platforms[r.tarballIndex])
	return nil
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
