package csvcdr

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Bounds of one row: a call record is a few hundred bytes in a few dozen
// columns, so a row past either (a 100 MB field, a quote never closed) is
// counted malformed and read past without being held.
const (
	MaxRowBytes = 256 << 10
	maxFields   = 4096
)

// rowError is a row the reader could not take apart; reading goes on after it.
type rowError struct {
	line int64
	msg  string
}

func (e *rowError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16BOMs  = [][]byte{{0xFF, 0xFE}, {0xFE, 0xFF}}
	errUTF16   = errors.New("the file is UTF-16 (Excel's \"Unicode text\"): save it as \"CSV UTF-8\" or convert it with iconv -f UTF-16 -t UTF-8")
	msgTooLong = fmt.Sprintf("row longer than %d KiB or of more than %d fields: no call record is (or a quote opened in it is never closed)",
		MaxRowBytes>>10, maxFields)
	msgOpenQuote = "a quoted field is never closed: the file ends inside it"
)

// csvReader splits CSV or TSV (RFC 4180, as spreadsheets write it) into
// rows: quoted fields with the delimiter, quotes ("") and line breaks
// inside, CRLF or LF, a UTF-8 byte-order mark. encoding/csv would do this
// but holds a whole field however long it is; this reader never holds more
// than MaxRowBytes of a row. Like encoding/csv with LazyQuotes, a quote
// inside an unquoted field is an ordinary character.
type csvReader struct {
	src        io.Reader
	buf, chunk []byte // chunk: what is read and not yet scanned
	srcErr     error  // the source's error, for when chunk is drained
	delim      byte
	delimQuote []byte // a delimiter then a quote: a quoted field begins
	line       int64  // the line the next byte is on
	row        []byte // the row's fields, end to end
	ends       []int  // where each field ends in row
}

func newCSVReader(r io.Reader, delim byte) (*csvReader, error) {
	c := &csvReader{src: r, buf: make([]byte, 64<<10), delim: delim, delimQuote: []byte{delim, '"'}, line: 1}
	var head []byte
	for len(head) < len(utf8BOM) && c.fill() {
		head = append(head, c.chunk...)
		c.chunk = c.chunk[:0]
	}
	for _, bom := range utf16BOMs {
		if bytes.HasPrefix(head, bom) {
			return nil, errUTF16
		}
	}
	c.chunk = bytes.TrimPrefix(head, utf8BOM)
	return c, nil
}

// fill makes chunk hold unscanned bytes, reading when it is empty; false
// at the end of the source (or its error, in srcErr).
func (c *csvReader) fill() bool {
	for len(c.chunk) == 0 {
		if c.srcErr != nil {
			return false
		}
		n, err := c.src.Read(c.buf)
		c.chunk, c.srcErr = c.buf[:n], err
	}
	return true
}

// states of the row scanner
const (
	fieldStart = iota
	unquoted
	quoted
	quoteInQuoted // a quote inside a quoted field: its end, or the first of ""
)

// next returns the next row's fields and the line it starts on; blank lines
// are no rows. At the end it returns io.EOF; a row it cannot take apart is a
// *rowError, after which it reads on.
func (c *csvReader) next() ([]string, int64, error) {
	c.row, c.ends = c.row[:0], c.ends[:0]
	start, state, begun := c.line, fieldStart, false
	size := 0 // bytes of the row so far; past MaxRowBytes nothing more is kept
	endField := func() {
		if len(c.ends) == maxFields {
			size = MaxRowBytes + 1
		}
		if size <= MaxRowBytes {
			c.ends = append(c.ends, len(c.row))
		}
	}
	for {
		if !c.fill() {
			if !errors.Is(c.srcErr, io.EOF) {
				return nil, start, c.srcErr
			}
			switch {
			case !begun:
				return nil, start, io.EOF
			case size > MaxRowBytes:
				return nil, start, &rowError{start, msgTooLong}
			case state == quoted:
				return nil, start, &rowError{start, msgOpenQuote}
			}
			endField()
			return c.fields(), start, nil
		}
		if size > MaxRowBytes && state != quoteInQuoted && (state != fieldStart || c.chunk[0] != '"') {
			state = c.skim(state)
			if len(c.chunk) == 0 {
				continue
			}
		}
		b := c.chunk[0]
		c.chunk = c.chunk[1:]
		// A line break: CRLF or LF; a lone CR is an ordinary character.
		lineBreak := b == '\n'
		if b == '\r' && c.fill() && c.chunk[0] == '\n' {
			c.chunk = c.chunk[1:]
			lineBreak = true
		}
		if lineBreak {
			c.line++
			if !begun {
				start = c.line // a blank line is no row
				continue
			}
		}
		begun = true
		size++
		keep := size <= MaxRowBytes
		switch state {
		case fieldStart, unquoted:
			switch {
			case lineBreak:
				endField()
				if size > MaxRowBytes {
					return nil, start, &rowError{start, msgTooLong}
				}
				return c.fields(), start, nil
			case b == c.delim:
				endField()
				state = fieldStart
			case b == '"' && state == fieldStart:
				state = quoted
			default:
				if keep {
					c.row = append(c.row, b)
				}
				state = unquoted
			}
		case quoted:
			switch {
			case b == '"':
				state = quoteInQuoted
			case lineBreak && keep:
				c.row = append(c.row, '\n')
			case keep:
				c.row = append(c.row, b)
			}
		case quoteInQuoted:
			switch {
			case b == '"':
				if keep {
					c.row = append(c.row, '"')
				}
				state = quoted
			case b == c.delim:
				endField()
				state = fieldStart
			case lineBreak:
				endField()
				if size > MaxRowBytes {
					return nil, start, &rowError{start, msgTooLong}
				}
				return c.fields(), start, nil
			default: // a stray quote inside a quoted field is kept, as lazy quotes do
				if keep {
					c.row = append(c.row, '"', b)
				}
				state = quoted
			}
		}
	}
}

// skim passes over the chunk of a row too long to keep, up to the next byte
// that can change the scanner's state, with the fast byte searches: outside
// quotes a line break, or a delimiter that opens a quoted field; in a
// quoted field a quote (counting the line breaks it contains). A delimiter
// at the chunk's end is left to the byte scanner, which then sees whether a
// quote follows.
func (c *csvReader) skim(state int) int {
	if state == quoted {
		i := bytes.IndexByte(c.chunk, '"')
		if i < 0 {
			i = len(c.chunk)
		}
		c.line += int64(bytes.Count(c.chunk[:i], []byte{'\n'}))
		c.chunk = c.chunk[i:]
		return quoted
	}
	seg := c.chunk
	if i := bytes.IndexByte(seg, '\n'); i >= 0 {
		seg = seg[:i]
	}
	if j := bytes.Index(seg, c.delimQuote); j >= 0 {
		c.chunk = c.chunk[j+2:]
		return quoted
	}
	if n := len(seg); n > 0 && len(seg) == len(c.chunk) && seg[n-1] == c.delim {
		seg = seg[:n-1]
	}
	if len(seg) == 0 {
		return state
	}
	c.chunk = c.chunk[len(seg):]
	return unquoted
}

func (c *csvReader) fields() []string {
	s := string(c.row) // one allocation for the row
	out := make([]string, len(c.ends))
	from := 0
	for i, end := range c.ends {
		out[i] = s[from:end]
		from = end
	}
	return out
}
