package status

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// newTable aligns tab-separated cells as kubectl's tables do: two spaces between columns.
func newTable(out io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
}

// row writes one line of cells to a table.
func row(table io.Writer, cells ...string) {
	fmt.Fprintln(table, strings.Join(cells, "\t"))
}

// writeConditions writes every condition with its age, in the order the operator keeps them.
func writeConditions(out io.Writer, conditions []metav1.Condition, now time.Time) {
	fmt.Fprintln(out, "Conditions:")
	if len(conditions) == 0 {
		fmt.Fprintln(out, "  none yet: the operator has not reported on this object")
		return
	}
	table := newTable(out)
	row(table, "  TYPE", "STATUS", "REASON", "AGE", "MESSAGE")
	for _, c := range conditions {
		row(table, "  "+c.Type, string(c.Status), c.Reason, since(c.LastTransitionTime, now), oneLine(c.Message))
	}
	_ = table.Flush() // the screen is a strings.Builder: writing to it cannot fail
}

// writeFields writes "Key:  value" lines with the values aligned.
func writeFields(out io.Writer, fields [][2]string) {
	table := newTable(out)
	for _, f := range fields {
		row(table, f[0]+":", f[1])
	}
	_ = table.Flush() // see writeConditions
}
