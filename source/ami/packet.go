package ami

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/floorwatch/floorwatch/safetext"
)

// Bounds on what the manager may send. Asterisk's queue events are a few
// hundred bytes and a QueueStatus list item about 500; ChanVariable headers
// and long caller names stay well inside these.
const (
	maxLine   = 8 << 10  // bytes of one "Key: Value" line
	maxPacket = 64 << 10 // bytes of one packet
	maxFields = 256      // headers of one packet
)

// packet is one AMI packet: "Key: Value" lines, CRLF-terminated, ended by
// an empty line. Keys and values are cleaned for the terminal as they are
// read; keys compare case-insensitively, as Asterisk's astman_get_header
// does (11 writes UniqueID where 12 and later write Uniqueid).
type packet struct {
	fields []field
}

type field struct{ key, value string }

// get is the value of the first of keys the packet has, "" when none.
func (p packet) get(keys ...string) string {
	for _, k := range keys {
		for _, f := range p.fields {
			if strings.EqualFold(f.key, k) {
				return f.value
			}
		}
	}
	return ""
}

// has reports whether the packet has the header key.
func (p packet) has(key string) bool {
	for _, f := range p.fields {
		if strings.EqualFold(f.key, key) {
			return true
		}
	}
	return false
}

// String writes the packet back in its wire form, for messages.
func (p packet) String() string {
	var b strings.Builder
	for _, f := range p.fields {
		fmt.Fprintf(&b, "%s: %s\r\n", f.key, f.value)
	}
	return b.String()
}

// badPacket is a packet the reader refused (too long, too many headers, a
// line that is not "Key: Value"); reading goes on after it.
type badPacket struct{ reason string }

func (e *badPacket) Error() string { return e.reason }

// reader reads packets from a manager connection, holding at most maxLine
// bytes of a line and maxPacket bytes of a packet whatever it is sent.
type reader struct {
	br *bufio.Reader
}

func newReader(r io.Reader) *reader { return &reader{br: bufio.NewReaderSize(r, maxLine)} }

// banner reads the greeting line, "Asterisk Call Manager/9.0.0".
func (r *reader) banner() (string, error) {
	line, long, err := r.line()
	if err != nil {
		return "", err
	}
	if long {
		return "", errors.New("the greeting line is too long for an Asterisk manager")
	}
	return safetext.Clean(string(line)), nil
}

// line reads one line without its CRLF (or bare LF). A line longer than
// maxLine is read to its end and dropped: long is set and line is nil.
func (r *reader) line() (line []byte, long bool, err error) {
	b, err := r.br.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		long = true
		_, err = r.br.ReadSlice('\n')
	}
	if err != nil {
		if err == io.EOF && (len(b) > 0 || long) {
			err = io.ErrUnexpectedEOF
		}
		return nil, long, err
	}
	if long {
		return nil, true, nil
	}
	return bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r")), false, nil
}

// next reads the next packet. A packet broken by the bounds or by a line
// that is not a header is read to its end and returned as a *badPacket
// error, so the caller can count it and go on; any other error ends the
// connection.
func (r *reader) next() (packet, error) {
	var (
		p    packet
		size int
		bad  string
	)
	for {
		line, long, err := r.line()
		if err != nil {
			if err == io.EOF && (len(p.fields) > 0 || bad != "") {
				err = io.ErrUnexpectedEOF
			}
			return packet{}, err
		}
		if !long && len(line) == 0 {
			if len(p.fields) == 0 && bad == "" {
				continue // blank lines between packets
			}
			if bad != "" {
				return packet{}, &badPacket{bad}
			}
			return p, nil
		}
		size += len(line) + 2
		switch {
		case bad != "":
			// Read to the packet's end without keeping it.
		case long:
			bad = fmt.Sprintf("a line longer than %d bytes", maxLine)
		case size > maxPacket:
			bad = fmt.Sprintf("a packet longer than %d bytes", maxPacket)
		case len(p.fields) >= maxFields:
			bad = fmt.Sprintf("a packet of more than %d headers", maxFields)
		default:
			k, v, ok := bytes.Cut(line, []byte(":"))
			if !ok || len(bytes.TrimSpace(k)) == 0 {
				bad = fmt.Sprintf("%q is not a Key: Value header", safetext.Clean(string(cut(line, 60))))
				break
			}
			p.fields = append(p.fields, field{
				key:   safetext.Clean(string(bytes.TrimSpace(k))),
				value: safetext.Clean(string(bytes.TrimSpace(v))),
			})
		}
	}
}

func cut(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// writeAction writes an action packet: the headers in order, CRLF each,
// and the empty line that ends it.
func writeAction(w io.Writer, headers ...string) error {
	var b bytes.Buffer
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&b, "%s: %s\r\n", headers[i], headers[i+1])
	}
	b.WriteString("\r\n")
	_, err := w.Write(b.Bytes())
	return err
}
