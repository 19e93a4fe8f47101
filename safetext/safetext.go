// Package safetext makes text from outside (a feed, a phone system's log, a
// customer's survey comment, a scenario file) safe to show on a terminal: it
// is shown, never obeyed. Like OpenSSH with a remote banner, every character
// a terminal could act on is replaced by a visible stand-in, once, where the
// text enters floorwatch, so no later view can forget to.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean returns s with every control character replaced by a visible
// stand-in, keeping all printable Unicode (Hebrew, Chinese, emoji) as it is:
//   - tab, newline, carriage return, vertical tab, form feed and the Unicode
//     line and paragraph separators become a space (a comment typed on two
//     lines still reads as one);
//   - other C0 controls and DEL are written in caret notation, as less and
//     cat -v do: ESC is "^[", BEL "^G";
//   - C1 controls (U+0080–U+009F, which some terminals take as CSI, OSC …)
//     and the bidirectional overrides that can make text read backwards are
//     written as \u009b;
//   - a byte that is not valid UTF-8 is written as \xff, so two different
//     raw ids never print the same.
func Clean(s string) string {
	if isPlainASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ')
		case r < 0x20:
			b.WriteByte('^')
			b.WriteByte(byte(r) + '@')
		case r == 0x7f:
			b.WriteString("^?")
		case isEscapeLike(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Is reports whether s is already clean: Clean(s) == s.
func Is(s string) bool { return isPlainASCII(s) || Clean(s) == s }

// isPlainASCII is the fast path: printable ASCII needs no work.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// isEscapeLike reports the characters beyond C0 that a terminal may obey or
// that change how the text around them reads: C1 controls, and the
// bidirectional embeddings, overrides and isolates (the "Trojan Source"
// characters).
func isEscapeLike(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
