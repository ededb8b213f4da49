package status

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// screen is the text of one frame. It lives in memory, where a write cannot fail, so its methods
// return no error, unlike an io.Writer's.
type screen struct {
	strings.Builder
}

// linef writes one line.
func (s *screen) linef(format string, args ...any) {
	s.WriteString(fmt.Sprintf(format, args...) + "\n")
}

// table writes rows of cells aligned as kubectl's tables are: two spaces between columns.
func (s *screen) table(rows [][]string) {
	var text strings.Builder
	for _, cells := range rows {
		text.WriteString(strings.Join(cells, "\t") + "\n")
	}
	aligned := tabwriter.NewWriter(&s.Builder, 0, 0, 2, ' ', 0)
	// The tabwriter fails only when the strings.Builder beneath it does, which it never does.
	_, _ = aligned.Write([]byte(text.String()))
	_ = aligned.Flush()
}

// fields writes "Key:  value" lines with the values aligned.
func (s *screen) fields(fields [][2]string) {
	rows := make([][]string, 0, len(fields))
	for _, f := range fields {
		rows = append(rows, []string{f[0] + ":", f[1]})
	}
	s.table(rows)
}

// text is the frame, without the spaces that aligning leaves at the end of a line whose last
// cell is empty.
func (s *screen) text() string {
	lines := strings.Split(s.String(), "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(line, " ")
	}
	return strings.Join(lines, "\n")
}

// writeConditions writes every condition with its age, in the order the operator keeps them.
func writeConditions(s *screen, conditions []metav1.Condition, now time.Time) {
	s.linef("Conditions:")
	if len(conditions) == 0 {
		s.linef("  none yet: the operator has not reported on this object")
		return
	}
	rows := [][]string{{"  TYPE", "STATUS", "REASON", "AGE", "MESSAGE"}}
	for _, c := range conditions {
		rows = append(rows, []string{"  " + c.Type, string(c.Status), c.Reason, since(c.LastTransitionTime, now), oneLine(c.Message)})
	}
	s.table(rows)
}
