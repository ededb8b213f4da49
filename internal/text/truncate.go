package text

import "unicode/utf8"

// Marker ends every string that Truncate cut, so that a reader of a condition message, an event
// or a status field sees that text is missing.
const Marker = "..."

// Truncate returns s unchanged when it fits in maxBytes bytes. Otherwise it keeps the longest
// prefix of s that ends on a rune boundary and, with Marker appended, fits in maxBytes: the
// result is never longer than maxBytes and never splits a multibyte rune. When maxBytes is too
// small to hold more than Marker, the result is that prefix alone, without Marker; when
// maxBytes is not positive, it is "".
func Truncate(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	if maxBytes <= len(Marker) {
		return prefixOnRuneBoundary(s, max(maxBytes, 0))
	}
	return prefixOnRuneBoundary(s, maxBytes-len(Marker)) + Marker
}

// prefixOnRuneBoundary returns the longest prefix of s of at most n bytes, n < len(s), that does
// not end inside a rune. It looks back at most utf8.UTFMax-1 bytes: further back there is only
// invalid UTF-8, which has no rune to keep whole.
func prefixOnRuneBoundary(s string, n int) string {
	for cut := n; cut > n-utf8.UTFMax && cut > 0; cut-- {
		if utf8.RuneStart(s[cut]) {
			return s[:cut]
		}
	}
	return s[:n]
}
