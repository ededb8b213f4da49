// Package manifest reads Kubernetes objects from the paths a user gives a kubectl plugin, as
// `kubectl apply -f` reads them: files, directories (recursively, their .yaml, .yml and .json
// files), "-" for standard input, multi-document YAML and List objects. A file that cannot be read
// is an error that names the file and the line, so a CI job can point at it.
package manifest

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// Stdin is the path that names standard input, and the name objects read from it carry.
const (
	Stdin     = "-"
	stdinName = "STDIN"
)

// extensions are the files a directory contributes, as kubectl's.
var extensions = []string{".yaml", ".yml", ".json"}

// Object is one object of a manifest and where it was found.
type Object struct {
	// Path is the file as the user named it (or as found in a named directory); STDIN for "-".
	Path string
	// Line is the line of the file on which the object's document starts, from 1.
	Line int
	// Object is the object as written, items of a List one by one.
	Object *unstructured.Unstructured
}

// ReadError is a manifest that could not be read: a missing file, or a document that is no
// YAML or no Kubernetes object.
type ReadError struct {
	Path string
	// Line is the line of the problem, from 1; 0 when the whole file is concerned.
	Line int
	Err  error
}

func (e *ReadError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// Read returns the objects of paths in their order, reading "-" from stdin. It stops at the first
// file it cannot read.
func Read(paths []string, stdin io.Reader) ([]Object, error) {
	var objects []Object
	for _, path := range paths {
		found, err := readPath(path, stdin)
		if err != nil {
			return nil, err
		}
		objects = append(objects, found...)
	}
	return objects, nil
}

func readPath(path string, stdin io.Reader) ([]Object, error) {
	if path == Stdin {
		raw, err := io.ReadAll(stdin)
		if err != nil {
			return nil, &ReadError{Path: stdinName, Err: err}
		}
		return Parse(stdinName, raw)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, &ReadError{Path: path, Err: unwrapPathError(err)}
	}
	if !info.IsDir() {
		return readFile(path)
	}
	var objects []Object
	err = filepath.WalkDir(path, func(file string, entry fs.DirEntry, err error) error {
		if err != nil {
			return &ReadError{Path: file, Err: unwrapPathError(err)}
		}
		if entry.IsDir() || !hasManifestExtension(file) {
			return nil
		}
		found, err := readFile(file)
		objects = append(objects, found...)
		return err
	})
	return objects, err
}

func readFile(path string) ([]Object, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, &ReadError{Path: path, Err: unwrapPathError(err)}
	}
	return Parse(path, raw)
}

func hasManifestExtension(file string) bool {
	ext := strings.ToLower(filepath.Ext(file))
	for _, want := range extensions {
		if ext == want {
			return true
		}
	}
	return false
}

// unwrapPathError drops the path an *fs.PathError repeats: ReadError names it already.
func unwrapPathError(err error) error {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// Parse returns the objects of the YAML or JSON content of the file path.
func Parse(path string, content []byte) ([]Object, error) {
	var objects []Object
	for _, doc := range splitDocuments(string(content)) {
		found, err := parseDocument(path, doc)
		if err != nil {
			return nil, err
		}
		objects = append(objects, found...)
	}
	return objects, nil
}

// document is one YAML document of a file and the line it starts on.
type document struct {
	text string
	line int
}

// splitDocuments cuts content at its "---" lines, keeping each document's first line so that
// errors and objects name lines of the file, not of the document.
func splitDocuments(content string) []document {
	var docs []document
	current := document{line: 1}
	var lines []string
	for i, line := range strings.SplitAfter(content, "\n") {
		if isSeparator(line) {
			current.text = strings.Join(lines, "")
			docs = append(docs, current)
			current, lines = document{line: i + 2}, nil
			continue
		}
		lines = append(lines, line)
	}
	current.text = strings.Join(lines, "")
	return append(docs, current)
}

func isSeparator(line string) bool {
	rest, ok := strings.CutPrefix(line, "---")
	if !ok {
		return false
	}
	rest = strings.TrimSpace(rest)
	return rest == "" || strings.HasPrefix(rest, "#")
}

var yamlErrorLine = regexp.MustCompile(`line (\d+)`)

func parseDocument(path string, doc document) ([]Object, error) {
	raw, err := yaml.YAMLToJSON([]byte(doc.text))
	if err != nil {
		return nil, &ReadError{Path: path, Line: errorLine(err, doc.line), Err: cleanYAMLError(err)}
	}
	if isEmpty(raw) {
		return nil, nil
	}
	var content any
	if err := utiljson.Unmarshal(raw, &content); err != nil {
		return nil, &ReadError{Path: path, Line: doc.line, Err: err}
	}
	object, ok := content.(map[string]any)
	if !ok {
		return nil, &ReadError{Path: path, Line: doc.line, Err: fmt.Errorf("the document is a %T, not a Kubernetes object", content)}
	}
	return objectsOf(path, doc.line, object)
}

func isEmpty(raw []byte) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// objectsOf is the object itself, or the items of a List (kind List or <Kind>List with items).
func objectsOf(path string, line int, object map[string]any) ([]Object, error) {
	u := &unstructured.Unstructured{Object: object}
	if u.GetKind() == "" || u.GetAPIVersion() == "" {
		return nil, &ReadError{Path: path, Line: line, Err: errors.New("the object sets no apiVersion or no kind")}
	}
	items, isList := object["items"].([]any)
	if !strings.HasSuffix(u.GetKind(), "List") || !isList && object["items"] != nil {
		return []Object{{Path: path, Line: line, Object: u}}, nil
	}
	var objects []Object
	for i, item := range items {
		itemObject, ok := item.(map[string]any)
		if !ok {
			return nil, &ReadError{Path: path, Line: line, Err: fmt.Errorf("item %d of the %s is not an object", i, u.GetKind())}
		}
		found, err := objectsOf(path, line, itemObject)
		if err != nil {
			return nil, err
		}
		objects = append(objects, found...)
	}
	return objects, nil
}

// errorLine is the line of the file that a YAML error names, counted from the document's start.
func errorLine(err error, docLine int) int {
	match := yamlErrorLine.FindStringSubmatch(err.Error())
	if match == nil {
		return docLine
	}
	n, _ := strconv.Atoi(match[1])
	return docLine + n - 1
}

// cleanYAMLError leaves the parser's own words, without the line it names relative to the
// document (ReadError names the file's line).
func cleanYAMLError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
	msg = yamlErrorLine.ReplaceAllString(msg, "")
	msg = strings.ReplaceAll(msg, "yaml: : ", "yaml: ")
	return errors.New(msg)
}
