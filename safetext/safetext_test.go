package safetext

import (
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Billing", "Billing"},
		{"\x1b]0;owned\x07", "^[]0;owned^G"},
		{"\x1b]52;c;ZXZpbA==\x07", "^[]52;c;ZXZpbA==^G"},
		{"\x1b[2J", "^[[2J"},
		{"a\u009b31mb", `a\u009b31mb`},
		{"line one\nline two\r\n", "line one line two  "},
		{"tab\there", "tab here"},
		{"nul\x00del\x7f", "nul^@del^?"},
		{"bad\xffbyte", `bad\xffbyte`},
		{"\xc3", `\xc3`},
		{"evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"שלום", "שלום"},
		{"客服中心", "客服中心"},
		{"👩‍💻 Ana", "👩‍💻 Ana"},
		{"Zoë", "Zoë"},
	}
	for _, c := range cases {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
		if !Is(Clean(c.in)) {
			t.Errorf("Clean(%q) is not clean itself", c.in)
		}
	}
}

// Two different raw ids never print the same.
func TestCleanKeepsIdsApart(t *testing.T) {
	if Clean("a\xff") == Clean("a\xfe") || Clean("a\xff") == Clean("a\ufffd") {
		t.Fatal("distinct invalid bytes print the same")
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b[31mred", "\u009b", "\xff\xfe", "😀\u200d", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Clean(%q) = %q is not valid UTF-8", s, out)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || isEscapeLike(r) {
				t.Fatalf("Clean(%q) = %q keeps control %U", s, out, r)
			}
		}
		if Clean(out) != out {
			t.Fatalf("Clean is not idempotent on %q", s)
		}
	})
}
