// Package asterisk is what the Asterisk sources (source/queuelog,
// source/ami) share: the --agents file and the roster that joins the names
// one agent goes by, a schedule of things due at a time, and labels cut to
// the fold's bound.
package asterisk

import (
	"unicode/utf8"

	"github.com/floorwatch/floorwatch/floor"
)

// MaxText is the longest id or label: the fold's own bound, so that no
// event a source makes is refused for its length.
const MaxText = floor.MaxText

// Label is a caller, reason or destination, cut to MaxText bytes.
func Label(s string) string {
	if len(s) <= MaxText {
		return s
	}
	n := MaxText - len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
