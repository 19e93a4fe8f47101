package csvcdr

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// rowsOf reads every row, writing each as line:[fields] or line:error.
func rowsOf(t *testing.T, text string, delim byte) []string {
	t.Helper()
	rd, err := newCSVReader(strings.NewReader(text), delim)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		fields, line, err := rd.next()
		var re *rowError
		switch {
		case errors.Is(err, io.EOF):
			return out
		case errors.As(err, &re):
			out = append(out, fmt.Sprintf("%d:error %s", re.line, re.msg))
		case err != nil:
			t.Fatal(err)
		default:
			out = append(out, fmt.Sprintf("%d:%q", line, fields))
		}
	}
}

func TestReader(t *testing.T) {
	for _, c := range []struct {
		name, in string
		delim    byte
		want     []string
	}{
		{"LF", "a,b\n1,2\n", ',', []string{`1:["a" "b"]`, `2:["1" "2"]`}},
		{"CRLF, no final line break", "a,b\r\n1,2", ',', []string{`1:["a" "b"]`, `2:["1" "2"]`}},
		{"BOM", "\xef\xbb\xbfa,b\n", ',', []string{`1:["a" "b"]`}},
		{"TSV", "a\tb c\t,\n", '\t', []string{`1:["a" "b c" ","]`}},
		{"empty fields", ",,\n", ',', []string{`1:["" "" ""]`}},
		{"blank lines are no rows", "a\n\n\r\nb\n", ',', []string{`1:["a"]`, `4:["b"]`}},
		{"quoted delimiter and quotes", `"a,b","say ""hi""",c` + "\n", ',', []string{`1:["a,b" "say \"hi\"" "c"]`}},
		{"quoted line breaks, CRLF inside is LF", "\"one\r\ntwo\nthree\",x\r\nnext,y\r\n", ',',
			[]string{`1:["one\ntwo\nthree" "x"]`, `4:["next" "y"]`}},
		{"a quote inside an unquoted field is a character", "5\" screen,x\n", ',', []string{`1:["5\" screen" "x"]`}},
		{"a stray quote in a quoted field is kept", "\"a\"b\",x\n", ',', []string{`1:["a\"b" "x"]`}},
		{"a lone CR is a character", "a\rb,c\n", ',', []string{`1:["a\rb" "c"]`}},
		{"a quote never closed", "a,b\n\"open,x\ny,z\n", ',',
			[]string{`1:["a" "b"]`, "2:error a quoted field is never closed: the file ends inside it"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := rowsOf(t, c.in, c.delim)
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// endless is n bytes of b, with a line break at the end, made up as read:
// a hostile file without the memory to hold one.
type endless struct {
	n int64
	b byte
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), e.n)
	p[0] = e.b
	for done := int64(1); done < n; done *= 2 {
		copy(p[done:n], p[:done])
	}
	if e.n == n {
		p[n-1] = '\n'
	}
	e.n -= n
	return int(n), nil
}

// A 100 MB field, or a 100 MB row of delimiters, is one malformed row read
// past without being held; the rows after it are read. (A run of quotes,
// scanned byte by byte, is 16 MB to keep the test quick.)
func TestReaderBoundsRows(t *testing.T) {
	for _, b := range []byte{'x', ',', '"'} {
		n := int64(100 << 20)
		if b == '"' {
			n = 16 << 20
		}
		in := io.MultiReader(strings.NewReader("a,b\n"), &endless{n: n, b: b}, strings.NewReader("1,2\n"))
		rd, err := newCSVReader(in, ',')
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var got []string
		for {
			fields, line, err := rd.next()
			if errors.Is(err, io.EOF) {
				break
			}
			var re *rowError
			if errors.As(err, &re) {
				got = append(got, fmt.Sprintf("%d:error", re.line))
				continue
			}
			got = append(got, fmt.Sprintf("%d:%q", line, fields))
		}
		runtime.ReadMemStats(&after)
		want := []string{`1:["a" "b"]`, "2:error", `3:["1" "2"]`}
		if b == '"' {
			// An opening quote, then pairs ("") of quotes: the field is
			// never closed, and the rest of the file is inside it.
			want = want[:2]
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: rows %q, want %q", b, got, want)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
			t.Errorf("%q: reading a %d MB row allocated %d MB", b, n>>20, grew>>20)
		}
	}
}
