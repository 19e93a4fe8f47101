package queuelog

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// splitter cuts bytes into lines for a converter. NUL bytes are dropped
// where they stand: a copytruncate leaves runs of them where the writer's
// offset was, before the next line. A line past MaxLine is dropped as it
// comes, so a hostile line is never held, and counted malformed.
type splitter struct {
	buf  []byte
	over int64 // length of a line being dropped; 0 when none
}

func (s *splitter) write(p []byte, c *Converter) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.take(p)
			return
		}
		s.take(p[:i])
		s.end(c)
		p = p[i+1:]
	}
}

// flush ends a last line that has no newline.
func (s *splitter) flush(c *Converter) {
	if len(s.buf) > 0 || s.over > 0 {
		s.end(c)
	}
}

func (s *splitter) take(p []byte) {
	for len(p) > 0 {
		seg := p
		if i := bytes.IndexByte(p, 0); i >= 0 {
			seg, p = p[:i], p[i+1:]
		} else {
			p = nil
		}
		switch {
		case s.over > 0:
			s.over += int64(len(seg))
		case len(s.buf)+len(seg) > MaxLine:
			s.over = int64(len(s.buf) + len(seg))
			s.buf = s.buf[:0]
		default:
			s.buf = append(s.buf, seg...)
		}
	}
}

func (s *splitter) end(c *Converter) {
	if s.over > 0 {
		c.overlong(s.over)
	} else {
		c.Line(s.buf)
	}
	s.buf, s.over = s.buf[:0], 0
}

// headLen is how much of a file's start identifies it: its first line's
// epoch and call id, which a rewritten file does not repeat.
const headLen = 64

// tail reads a file and, followed, notices when it is rotated: renamed
// away (a new file at the path) or truncated in place (copytruncate).
type tail struct {
	path string
	f    *os.File
	off  int64  // bytes read
	head []byte // the file's first bytes as read, to notice a rewrite
}

func openTail(path string) (*tail, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return &tail{path: path, f: f}, nil
}

func (t *tail) close() { t.f.Close() }

// read reads on; io.EOF is no error: the end for now.
func (t *tail) read(buf []byte) (int, error) {
	n, err := t.f.Read(buf)
	if len(t.head) < headLen && t.off < headLen {
		t.head = append(t.head, buf[:min(n, headLen-int(t.off))]...)
	}
	t.off += int64(n)
	if err == io.EOF {
		err = nil
	}
	return n, err
}

// turn is called before each read of a followed file. On a rename it reads the
// old file to its end and moves to the new one once the writer has: a
// line written to the old file before that is read, none twice. On a
// truncation the lines written since the last read are taken from the
// rotated copy, and reading starts again at the beginning. endLine ends
// the old file's unfinished line, which its writer will not finish.
func (t *tail) turn(feed func([]byte), endLine func()) error {
	cur, err := t.f.Stat()
	if err != nil {
		return err
	}
	now, err := os.Stat(t.path)
	switch {
	case err != nil:
		// Renamed and not yet made again: the writer still has the old one.
		return nil
	case !os.SameFile(cur, now):
		if now.Size() == 0 {
			return nil // the writer has not moved to the new file yet
		}
		if err := t.drain(feed); err != nil {
			return err
		}
		endLine()
		f, err := os.Open(t.path)
		if err != nil {
			return err
		}
		t.f.Close()
		t.f, t.off, t.head = f, 0, nil
		return nil
	case cur.Size() < t.off || t.rewritten():
		t.fromCopy(feed)
		endLine()
		if _, err := t.f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		t.off, t.head = 0, nil
	}
	return nil
}

// drain reads the file to its end.
func (t *tail) drain(feed func([]byte)) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := t.read(buf)
		if n > 0 {
			feed(buf[:n])
			continue
		}
		return err
	}
}

// rewritten reports that the file's start is no longer what was read
// there: truncated and written again past the read offset before this
// look, or filled with NULs by a writer that kept its offset.
func (t *tail) rewritten() bool {
	if len(t.head) == 0 {
		return false
	}
	now := make([]byte, len(t.head))
	n, _ := t.f.ReadAt(now, 0)
	return !bytes.Equal(now[:n], t.head)
}

// fromCopy feeds what a copytruncate's copy holds past the read offset:
// the lines written after the last read and before the truncation. The
// copy is the newest file beside the log whose name extends the log's
// (queue_log.1, queue_log-20261125) and whose start is the one read.
func (t *tail) fromCopy(feed func([]byte)) {
	dir, base := filepath.Split(t.path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(t.head) == 0 {
		return
	}
	type cand struct {
		path string
		mod  time.Time
	}
	var cands []cand
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base) || e.Name() == base || !e.Type().IsRegular() {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() > t.off {
			cands = append(cands, cand{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].mod.After(cands[j].mod) })
	for _, c := range cands {
		if t.feedRest(c.path, feed) {
			return
		}
	}
}

// feedRest feeds the file at path past the read offset if it starts like
// the file read, and reports whether it did.
func (t *tail) feedRest(path string, feed func([]byte)) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(t.head))
	if n, _ := f.ReadAt(head, 0); n < len(head) || !bytes.Equal(head, t.head) {
		return false
	}
	r := io.NewSectionReader(f, t.off, 1<<62)
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			feed(buf[:n])
		}
		if err != nil {
			return true
		}
	}
}
