package status

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"

	"github.com/fota-operator/fota-operator/internal/campaign"
)

// barWidth is the number of cells of a progress bar: narrow enough to leave room for the counts
// on an 80-column terminal.
const barWidth = 20

// maxMessage bounds a condition message on the screen: the API allows 32 KiB, which would push
// everything else off one screen; `kubectl get -o yaml` still shows it whole.
const maxMessage = 240

// bar draws done of total as a bar of ASCII cells, which survive every terminal and CI log.
// Cells are rounded down, so a bar is full only when everything is done.
func bar(done, total int32) string {
	filled := 0
	if total > 0 {
		filled = int(int64(min(max(done, 0), total)) * barWidth / int64(total))
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "]"
}

// percent is n of total in whole percent, rounded down as the operator rounds its messages, so
// that 99.9 % never shows as 100 %.
func percent(n, total int32) int32 {
	if total <= 0 {
		return 0
	}
	return int32(int64(n) * 100 / int64(total))
}

// share is "n/total (p%)".
func share(n, total int32) string {
	return fmt.Sprintf("%d/%d (%d%%)", n, total, percent(n, total))
}

// since is how long ago t was, as kubectl's AGE column writes it; "-" for an unset time.
func since(t metav1.Time, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return duration.HumanDuration(now.Sub(t.Time))
}

// ago is "3d ago", or "never" for an unset time.
func ago(t *metav1.Time, now time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	return relative(t.Time, now)
}

// relative is t seen from now: "in 5h" or "3d ago".
func relative(t, now time.Time) string {
	if t.After(now) {
		return "in " + duration.HumanDuration(t.Sub(now))
	}
	return duration.HumanDuration(now.Sub(t)) + " ago"
}

// utcInterval writes an interval the way the operator writes a local one (status.next*Window.local),
// so that the UTC text and the local text read alike.
func utcInterval(start, end time.Time) string {
	return campaign.LocalText(campaign.Interval{Start: start, End: end}, time.UTC)
}

// oneLine makes a condition message fit one table row: newlines would break the columns.
func oneLine(message string) string {
	message = strings.Join(strings.Fields(message), " ")
	if len(message) <= maxMessage {
		return message
	}
	cut := maxMessage
	// Never split a character.
	for cut > 0 && !utf8.RuneStart(message[cut]) {
		cut--
	}
	return message[:cut] + "..."
}

// orDefault is s, or fallback when s is empty, e.g. "-" so that an empty table cell still reads
// as a cell.
func orDefault(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
