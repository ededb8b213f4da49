package text_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/fota-operator/fota-operator/internal/text"
)

func TestTruncate(t *testing.T) {
	tests := map[string]struct {
		reason   string
		s        string
		maxBytes int
		want     string
	}{
		"shorter": {
			reason: "text within the limit is returned untouched",
			s:      "INVALID_PARAMETER", maxBytes: 64, want: "INVALID_PARAMETER",
		},
		"exact length": {
			reason: "text exactly at the limit is not cut",
			s:      "abcdef", maxBytes: 6, want: "abcdef",
		},
		"one byte over": {
			reason: "text one byte over the limit is cut so that the marker fits within the limit",
			s:      "abcdefg", maxBytes: 6, want: "abc...",
		},
		"multibyte rune at the cut": {
			reason: "a two-byte rune that would be split is left out whole",
			s:      "abé" + "xyz", maxBytes: 6, want: "ab...",
		},
		"multibyte rune ends at the cut": {
			reason: "a two-byte rune that ends exactly at the cut is kept",
			s:      "aé" + "xyzw", maxBytes: 6, want: "aé...",
		},
		"four-byte rune at the cut": {
			reason: "a four-byte rune is never split, whichever of its bytes the cut falls on",
			s:      "a🚀b", maxBytes: 5, want: "a...",
		},
		"invalid UTF-8": {
			reason: "bytes that form no rune are cut at the limit, not walked back through",
			s:      strings.Repeat("\x80", 10), maxBytes: 8, want: strings.Repeat("\x80", 5) + "...",
		},
		"no room for text": {
			reason: "a limit that only holds the marker gives the marker alone",
			s:      "abcdef", maxBytes: 4, want: "a...",
		},
		"no room for the marker": {
			reason: "a limit smaller than the marker keeps as much text as fits, without the marker",
			s:      "abcdef", maxBytes: 2, want: "ab",
		},
		"no room at all": {
			reason: "a limit of zero gives the empty string",
			s:      "abcdef", maxBytes: 0, want: "",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := text.Truncate(tt.s, tt.maxBytes)
			if got != tt.want {
				t.Errorf("%s: Truncate(%q, %d) = %q, want %q", tt.reason, tt.s, tt.maxBytes, got, tt.want)
			}
			if len(got) > max(tt.maxBytes, 0) {
				t.Errorf("%s: %d bytes, more than the limit of %d", tt.reason, len(got), tt.maxBytes)
			}
		})
	}
}

func TestTruncateKeepsValidUTF8Valid(t *testing.T) {
	s := strings.Repeat("aé€🚀", 50)
	for maxBytes := range len(s) + 1 {
		got := text.Truncate(s, maxBytes)
		if !utf8.ValidString(got) || len(got) > maxBytes {
			t.Fatalf("Truncate(..., %d) = %q: %d bytes, valid UTF-8 %t", maxBytes, got, len(got), utf8.ValidString(got))
		}
		if len(got) < len(s) && maxBytes > len(text.Marker) && !strings.HasSuffix(got, text.Marker) {
			t.Fatalf("Truncate(..., %d) = %q does not end with the marker", maxBytes, got)
		}
	}
}
