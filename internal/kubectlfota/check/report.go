package check

import (
	"encoding/json"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/fota-operator/fota-operator/internal/kubectlfota/manifest"
)

// Severities of a Problem.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
)

// Problem is one line of the report: an error that refuses an object, or a warning.
type Problem struct {
	// Path is the file of the object, and Line the line its document starts on.
	Path string `json:"path"`
	Line int    `json:"line"`
	// Kind, Namespace and Name name the object.
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Severity is "error" (the object would be refused) or "warning".
	Severity string `json:"severity"`
	// Field is the field path of an error, as the API server reports it, e.g. spec.endDate.
	Field string `json:"field,omitempty"`
	// Type is the kind of an error, as the API server's status causes name it, e.g.
	// FieldValueInvalid.
	Type string `json:"type,omitempty"`
	// Message is what kubectl prints after the field: the error type, the value and the detail
	// (e.g. `Invalid value: "2026-11-01": endDate must be on or after startDate`), or the warning.
	Message string `json:"message"`
}

// problemsOf turns the verdict on one object into report lines, errors first.
func problemsOf(o manifest.Object, verdict Verdict) []Problem {
	base := Problem{Path: o.Path, Line: o.Line, Kind: o.Object.GetKind(),
		Namespace: o.Object.GetNamespace(), Name: o.Object.GetName()}
	problems := make([]Problem, 0, len(verdict.Errors)+len(verdict.Warnings))
	for _, err := range verdict.Errors {
		p := base
		p.Severity, p.Field, p.Type, p.Message = SeverityError, fieldOf(err), string(err.Type), err.ErrorBody()
		problems = append(problems, p)
	}
	for _, warning := range verdict.Warnings {
		p := base
		p.Severity, p.Message = SeverityWarning, warning
		problems = append(problems, p)
	}
	return problems
}

// fieldOf is the field as field.Error.Error prints it: "<nil>" for an error about the whole
// object, as kubectl shows the API server's.
func fieldOf(err *field.Error) string {
	if err.Field == "" {
		return "<nil>"
	}
	return err.Field
}

// printer writes the report in one output format.
type printer interface {
	problem(p Problem) error
	summary(checked, refused int) error
}

// textPrinter writes one line per problem, as kubectl prints a field error and a warning, and
// the summary as the last line.
type textPrinter struct {
	out io.Writer
}

func (t textPrinter) problem(p Problem) error {
	object := fmt.Sprintf("%s %s/%s", p.Kind, p.Namespace, p.Name)
	var err error
	if p.Severity == SeverityWarning {
		_, err = fmt.Fprintf(t.out, "Warning: %s: %s: %s\n", p.Path, object, p.Message)
	} else {
		_, err = fmt.Fprintf(t.out, "%s: %s: %s: %s\n", p.Path, object, p.Field, p.Message)
	}
	return err
}

func (t textPrinter) summary(checked, refused int) error {
	_, err := fmt.Fprintln(t.out, summaryLine(checked, refused))
	return err
}

// jsonPrinter writes one JSON object per line and problem, for CI annotations; the summary goes to
// the error stream, so that the output stays a stream of problems.
type jsonPrinter struct {
	out, errOut io.Writer
}

func (j jsonPrinter) problem(p Problem) error {
	return json.NewEncoder(j.out).Encode(p)
}

func (j jsonPrinter) summary(checked, refused int) error {
	_, err := fmt.Fprintln(j.errOut, summaryLine(checked, refused))
	return err
}

func summaryLine(checked, refused int) string {
	objects := "objects"
	if checked == 1 {
		objects = "object"
	}
	return fmt.Sprintf("%d %s checked, %d refused", checked, objects, refused)
}
