package ami

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/safetext"
)

// TestReader: CRLF packets as manager.c writes them (and LF ones), blank
// lines between them skipped, keys matched ignoring case, values cleaned.
func TestReader(t *testing.T) {
	in := "Asterisk Call Manager/9.0.0\r\n" +
		"Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n" +
		"\r\n" +
		"Event: QueueCallerJoin\r\nPrivilege: agent,all\r\nCallerIDName: Jo\x1b[31mRed\r\nUniqueID: 1.2\r\nEmpty:\r\n\r\n" +
		"Event: Newexten\nApplication: Queue\n\n"
	r := newReader(strings.NewReader(in))
	if b, err := r.banner(); err != nil || b != "Asterisk Call Manager/9.0.0" {
		t.Fatalf("banner %q, %v", b, err)
	}
	p, err := r.next()
	if err != nil || p.get("Message") != "Authentication accepted" || p.get("actionid") != "1" {
		t.Fatalf("response %v, %v", p, err)
	}
	p, err = r.next()
	if err != nil || p.get("Uniqueid") != "1.2" || p.get("CallerIDName") != "Jo^[[31mRed" || !p.has("Empty") || p.get("Empty") != "" {
		t.Fatalf("event %q, %v", p.String(), err)
	}
	if p, err = r.next(); err != nil || p.get("Application") != "Queue" {
		t.Fatalf("LF packet %q, %v", p.String(), err)
	}
	if _, err = r.next(); err != io.EOF {
		t.Fatalf("after the last packet: %v", err)
	}
}

// TestReaderBounds: a packet past a bound is refused, read to its end
// without being held, and the next packet reads as usual.
func TestReaderBounds(t *testing.T) {
	huge := strings.Repeat("x", 100<<20) // a 100 MB line
	for name, bad := range map[string]string{
		"long line":    "Event: X\r\nValue: " + huge + "\r\n\r\n",
		"long packet":  "Event: X\r\n" + strings.Repeat("Key: "+strings.Repeat("v", 1000)+"\r\n", 100) + "\r\n",
		"many headers": "Event: X\r\n" + strings.Repeat("K: v\r\n", maxFields+1) + "\r\n",
		"not a header": "Event: X\r\n--END COMMAND--\r\n\r\n",
	} {
		r := newReader(strings.NewReader(bad + "Event: Next\r\n\r\n"))
		_, err := r.next()
		var bp *badPacket
		if !errors.As(err, &bp) {
			t.Errorf("%s: %v, want a refused packet", name, err)
			continue
		}
		if p, err := r.next(); err != nil || p.get("Event") != "Next" {
			t.Errorf("%s: the next packet is %q, %v", name, p.String(), err)
		}
	}
	if _, err := newReader(strings.NewReader("Event: X\r\nKey: v")).next(); err != io.ErrUnexpectedEOF {
		t.Errorf("a packet cut short: %v", err)
	}
}

// FuzzReader: no input makes the reader panic, hold more than its
// bounds, or hand on a value the terminal could obey.
func FuzzReader(f *testing.F) {
	f.Add([]byte("Asterisk Call Manager/9.0.0\r\nEvent: Join\r\nQueue: q\r\n\r\n"))
	f.Add([]byte("Response: Success\r\n\r\n\r\nEvent: X\nK:\n\n"))
	f.Add([]byte("Event: X\r\n\x00\xff: \x1b]0;t\a\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := newReader(bytes.NewReader(b))
		r.banner()
		for i := 0; i < 1000; i++ {
			p, err := r.next()
			var bad *badPacket
			if errors.As(err, &bad) {
				continue
			}
			if err != nil {
				return
			}
			if len(p.fields) > maxFields {
				t.Fatalf("%d fields", len(p.fields))
			}
			for _, f := range p.fields {
				if !safetext.Is(f.key) || !safetext.Is(f.value) || len(f.key)+len(f.value) > 4*maxLine {
					t.Fatalf("field %q: %q", f.key, f.value)
				}
			}
		}
	})
}
