package feed

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// A one-pass JSON scanner for feed lines. It checks a line's syntax as
// encoding/json does (the same lines are valid, to the nesting limit) and
// hands out each member of an object as raw bytes, which the decoder then
// reads field by field: a line is read once, and nothing is allocated for
// the fields it does not use. A line it finds invalid is handed to
// encoding/json for the reason, so that a bad line reads as it always has.

// maxDepth is encoding/json's nesting limit: arrays and objects within
// each other, the line's own object included.
const maxDepth = 10000

// container walks the members of a JSON object or the elements of an
// array.
type container struct {
	data  []byte
	i     int  // where the next item, or the closing bracket, is looked for
	depth int  // of this object or array
	close byte // its closing bracket
	n     int  // items read
	bad   bool // not valid JSON
	done  bool // past the closing bracket, at i
}

// scanObject starts on the object that opens at data[i], depth deep.
func scanObject(data []byte, i, depth int) container {
	return container{data: data, i: i + 1, depth: depth, close: '}', bad: depth > maxDepth}
}

// scanArray starts on the array that opens at data[i], depth deep.
func scanArray(data []byte, i, depth int) container {
	return container{data: data, i: i + 1, depth: depth, close: ']', bad: depth > maxDepth}
}

// member returns an object's next member: its key, the raw bytes between
// the quotes, and its value's raw bytes. ok is false after the last one
// (then c.i is just past the object) or at a syntax error (c.bad).
func (c *container) member() (key, value []byte, ok bool) {
	i, ok := c.start()
	if !ok {
		return nil, nil, false
	}
	d := c.data
	if i < len(d) && d[i] == '"' {
		if end := skipString(d, i); end >= 0 {
			key = d[i+1 : end-1]
			if i = skipSpace(d, end); i < len(d) && d[i] == ':' {
				value, ok = c.value(skipSpace(d, i+1))
				return key, value, ok
			}
		}
	}
	c.bad = true
	return nil, nil, false
}

// element returns an array's next element's raw bytes, as member does.
func (c *container) element() (value []byte, ok bool) {
	i, ok := c.start()
	if !ok {
		return nil, false
	}
	return c.value(i)
}

// start finds where the next item begins: false at the closing bracket or
// a syntax error.
func (c *container) start() (int, bool) {
	if c.done || c.bad {
		return 0, false
	}
	d := c.data
	i := skipSpace(d, c.i)
	if i < len(d) && d[i] == c.close {
		c.i, c.done = i+1, true
		return 0, false
	}
	if c.n > 0 {
		if i >= len(d) || d[i] != ',' {
			c.bad = true
			return 0, false
		}
		i = skipSpace(d, i+1)
	}
	return i, true
}

// value takes the value at data[i] as the next item.
func (c *container) value(i int) ([]byte, bool) {
	end := skipValue(c.data, i, c.depth)
	if end < 0 {
		c.bad = true
		return nil, false
	}
	c.i, c.n = end, c.n+1
	return c.data[i:end], true
}

// skip reads the rest of the container and returns the offset just past
// it, or -1 when it is not valid JSON.
func (c *container) skip() int {
	if c.close == '}' {
		for _, _, ok := c.member(); ok; _, _, ok = c.member() {
		}
	} else {
		for _, ok := c.element(); ok; _, ok = c.element() {
		}
	}
	if c.bad {
		return -1
	}
	return c.i
}

// skipValue returns the offset just past the JSON value at data[i], or -1
// when there is none there; depth is that of the array or object it is in.
func skipValue(d []byte, i, depth int) int {
	if i >= len(d) {
		return -1
	}
	switch c := d[i]; {
	case c == '"':
		return skipString(d, i)
	case c == '{':
		o := scanObject(d, i, depth+1)
		return o.skip()
	case c == '[':
		a := scanArray(d, i, depth+1)
		return a.skip()
	case c == '-' || c >= '0' && c <= '9':
		return skipNumber(d, i)
	case c == 't':
		return skipLiteral(d, i, "true")
	case c == 'f':
		return skipLiteral(d, i, "false")
	case c == 'n':
		return skipLiteral(d, i, "null")
	}
	return -1
}

// skipString returns the offset just past the string whose opening quote
// is at data[i], or -1: a control character or an unknown escape in it, or
// no closing quote. Bytes that are not UTF-8 are allowed, as encoding/json
// allows them (and reads them as U+FFFD).
func skipString(d []byte, i int) int {
	for i++; i < len(d); i++ {
		for i < len(d) && plainInString[d[i]] {
			i++
		}
		if i == len(d) {
			break
		}
		switch c := d[i]; {
		case c == '"':
			return i + 1
		case c < 0x20:
			return -1
		case c == '\\':
			i++
			if i >= len(d) {
				return -1
			}
			switch d[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(d) || !isHex(d[i+1]) || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) {
					return -1
				}
				i += 4
			default:
				return -1
			}
		}
	}
	return -1
}

// plainInString are the bytes a string holds that end nothing and begin no
// escape.
var plainInString = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// skipNumber returns the offset just past the number at data[i] (JSON's
// grammar: no leading zeros, no bare dot, no plus sign), or -1.
func skipNumber(d []byte, i int) int {
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = skipDigits(d, i)
	default:
		return -1
	}
	if i < len(d) && d[i] == '.' {
		if i++; i >= len(d) || !isDigit(d[i]) {
			return -1
		}
		i = skipDigits(d, i)
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return -1
		}
		i = skipDigits(d, i)
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func skipDigits(d []byte, i int) int {
	for i < len(d) && isDigit(d[i]) {
		i++
	}
	return i
}

func skipLiteral(d []byte, i int, word string) int {
	if len(d)-i < len(word) || string(d[i:i+len(word)]) != word {
		return -1
	}
	return i + len(word)
}

func skipSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// syntaxError is encoding/json's account of why line is not valid JSON.
func syntaxError(line []byte) error {
	var v json.RawMessage
	return json.Unmarshal(line, &v)
}

// unquote is the text of a JSON string's raw bytes (between the quotes)
// when they hold an escape, decoded as encoding/json decodes it: an
// unpaired surrogate or a byte that is not UTF-8 becomes U+FFFD.
func unquote(inner []byte) (string, error) {
	quoted := make([]byte, 0, len(inner)+2)
	quoted = append(append(append(quoted, '"'), inner...), '"')
	var s string
	err := json.Unmarshal(quoted, &s)
	return s, err
}

// foldKey is key as encoding/json matches it to a field when no field has
// it exactly: unescaped, and folded as Unicode folds case (only ASCII
// letters, U+017F ſ and U+212A, the Kelvin sign, fold to the ASCII of
// field names); nil when no field name can match it.
func foldKey(key []byte) []byte {
	if !slices.ContainsFunc(key, func(c byte) bool { return c >= 'A' && c <= 'Z' || c == '\\' || c >= utf8.RuneSelf }) {
		return nil // nothing to fold: a key no field has
	}
	s := string(key)
	if bytes.IndexByte(key, '\\') >= 0 {
		var err error
		if s, err = unquote(key); err != nil {
			return nil
		}
	}
	folded := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '\u017f':
			r = 's'
		case r == '\u212a':
			r = 'k'
		case r >= utf8.RuneSelf:
			return nil
		}
		folded = append(folded, byte(r))
	}
	return folded
}
