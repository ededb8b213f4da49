package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// managerPath is the manager in the image, its entrypoint.
const managerPath = "manager"

// The OCI annotation that names an image in an OCI layout's index.json, read by skopeo and podman
// (oci:DIR:TAG); containerd reads the full name from its own.
const (
	annotationRefName       = "org.opencontainers.image.ref.name"
	annotationContainerdRef = "io.containerd.image.name"
)

// Content is everything an image is built from. Two builds from equal Content give the same
// bytes, and so the same digest: every time stamp in the layers and the config is Created.
type Content struct {
	// Platform is the operating system and architecture Manager was built for.
	Platform v1.Platform
	// Manager is the static manager binary.
	Manager []byte
	// Files are the image's other files (rootFiles).
	Files []file
	// Labels are the OCI labels of the config.
	Labels map[string]string
	// Created is the time of every layer entry and of the config: the commit's time, not the
	// build's, so that rebuilding a commit changes nothing.
	Created time.Time
}

// Image builds the image: the files in one layer, which every build of every platform shares,
// and the manager in a second, on an empty base, running as 65532 with the manager as its
// entrypoint.
func Image(c Content) (v1.Image, error) {
	created := v1.Time{Time: c.Created.UTC()}
	files, err := layer(c.Files, c.Created)
	if err != nil {
		return nil, err
	}
	manager, err := layer([]file{{path: managerPath, mode: 0o755, data: c.Manager}}, c.Created)
	if err != nil {
		return nil, err
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base,
		mutate.Addendum{Layer: files, MediaType: types.OCILayer, History: v1.History{
			Created: created, CreatedBy: "hack/image: /etc/passwd, /etc/group (user 65532), /" + caBundlePath,
		}},
		mutate.Addendum{Layer: manager, MediaType: types.OCILayer, History: v1.History{
			Created: created, CreatedBy: "hack/image: /" + managerPath + " (CGO_ENABLED=0 go build -trimpath)",
		}},
	)
	if err != nil {
		return nil, err
	}
	config, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	config = config.DeepCopy()
	config.Created = created
	config.OS, config.Architecture, config.Variant = c.Platform.OS, c.Platform.Architecture, c.Platform.Variant
	config.Config = v1.Config{
		User:       strconv.Itoa(userID) + ":" + strconv.Itoa(userID),
		Entrypoint: []string{"/" + managerPath},
		WorkingDir: "/",
		Labels:     c.Labels,
	}
	return mutate.ConfigFile(img, config)
}

// layer is a gzipped tar of files and of the directories that hold them, in path order, owned by
// root, every entry stamped modTime.
func layer(files []file, modTime time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files = slices.SortedFunc(slices.Values(files), func(a, b file) int { return strings.Compare(a.path, b.path) })
	written := map[string]bool{}
	for _, f := range files {
		for _, dir := range parents(f.path) {
			if written[dir] {
				continue
			}
			written[dir] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: modTime}); err != nil {
				return nil, err
			}
		}
		header := &tar.Header{Typeflag: tar.TypeReg, Name: f.path, Mode: f.mode, Size: int64(len(f.data)), ModTime: modTime}
		if err := tw.WriteHeader(header); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	uncompressed := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(uncompressed)), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(gzip.BestCompression), tarball.WithCompressedCaching)
}

// parents are the directories above a slash-separated relative path, outermost first.
func parents(p string) []string {
	var dirs []string
	for dir := path.Dir(p); dir != "."; dir = path.Dir(dir) {
		dirs = append(dirs, dir)
	}
	slices.Reverse(dirs)
	return dirs
}

// Index is the multi-platform image: one manifest per platform, in the order given.
func Index(images ...v1.Image) (v1.ImageIndex, error) {
	index := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, img := range images {
		config, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		index = mutate.AppendManifests(index, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: config.Platform(),
		}})
	}
	return index, nil
}

// WriteLayout writes index to dir as an OCI layout whose index.json holds the one multi-platform
// image, named by ref's tag: `crane push DIR REF` pushes it whole, `skopeo copy oci:DIR:TAG ...`
// finds it. Whatever dir held before is removed, so that no blob of an earlier build stays.
func WriteLayout(dir string, ref name.Tag, index v1.ImageIndex) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	top := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{
		Add: index,
		Descriptor: v1.Descriptor{Annotations: map[string]string{
			annotationRefName:       ref.TagStr(),
			annotationContainerdRef: ref.Name(),
		}},
	})
	if _, err := layout.Write(dir, top); err != nil {
		return fmt.Errorf("writing the OCI layout %s: %w", dir, err)
	}
	return nil
}

// WriteTarball writes img as the tarball that `docker load` and `podman load` read, tagged ref.
func WriteTarball(file string, ref name.Tag, img v1.Image) error {
	if err := tarball.WriteToFile(file, ref, img); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return nil
}
