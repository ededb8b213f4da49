package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// The user the manager runs as: distroless's nonroot, so that a cluster's runAsNonRoot and a
// PodSecurity "restricted" namespace admit the pod, and files mounted for 65532 stay readable.
const (
	userID   = 65532
	userName = "nonroot"
)

// caBundlePath is where Go's crypto/x509 looks first for the system roots on Linux, and where
// Debian, Alpine and distroless keep them: the manager trusts what this file holds when it calls
// ThingSpace over HTTPS.
const caBundlePath = "etc/ssl/certs/ca-certificates.crt"

// file is one regular file of the image, its path relative to the root.
type file struct {
	path string
	mode int64
	data []byte
}

// rootFiles are the files of the image besides the manager: the users and groups, so that the
// runtime and `ps` can name user 65532, and the CA bundle. They are the same in every build of
// every platform.
func rootFiles() ([]file, error) {
	bundle, err := caBundle()
	if err != nil {
		return nil, err
	}
	return []file{
		{path: "etc/group", mode: 0o644, data: []byte(fmt.Sprintf("root:x:0:\nnobody:x:65534:\n%s:x:%d:\n", userName, userID))},
		{path: "etc/passwd", mode: 0o644, data: []byte(fmt.Sprintf(
			"root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"+
				"%s:x:%d:%d:%s:/home/%s:/sbin/nologin\n", userName, userID, userID, userName, userName))},
		{path: caBundlePath, mode: 0o644, data: bundle},
	}, nil
}

// caBundle is the PEM bundle of the Mozilla roots that golang.org/x/crypto/x509roots/fallback
// carries, so that the bundle depends on go.sum and not on the machine that builds the image.
// Roots that Mozilla distrusts for certificates issued after a date are left out: a PEM file
// cannot carry that date, and trusting them without it would trust more than Mozilla does.
func caBundle() ([]byte, error) {
	var out bytes.Buffer
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		cert, err := x509.ParseCertificate(root.Certificate)
		if err != nil {
			return nil, fmt.Errorf("reading the CA bundle of golang.org/x/crypto/x509roots/fallback: %w", err)
		}
		fmt.Fprintf(&out, "# %s\n", cert.Subject)
		if err := pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

// writeRootFiles writes rootFiles under dir, for the Dockerfile, which copies them into its image
// so that both ways of building give the same files.
func writeRootFiles(dir string) error {
	files, err := rootFiles()
	if err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.data, os.FileMode(f.mode)); err != nil {
			return err
		}
		// WriteFile leaves an existing file's mode, and the umask narrows a new one's.
		if err := os.Chmod(path, os.FileMode(f.mode)); err != nil {
			return err
		}
	}
	return nil
}
