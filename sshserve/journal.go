package sshserve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// Journal is an append-only file of every line the server has folded, in the
// order it folded them. Replaying it through the same fold (in live mode, so a
// line that jumped the seq is again counted as a gap and not applied) rebuilds
// exactly the state the server had; the feed then resumes after the last seq,
// so nothing is lost or counted twice across a restart.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	path string
	log  *slog.Logger
	// failed is set by the first write error: after a short write the file
	// ends in half a line, and appending more would glue two lines together.
	// Nothing is lost by stopping, because a restart resumes the feed from
	// the last line the journal does hold.
	failed bool
	buf    []byte
}

// OpenJournal opens (creating, mode 0600) the journal at path. A last line
// without its newline is what a crash in mid-write leaves: it is cut off,
// since the feed will send that event again on resume.
func OpenJournal(path string, log *slog.Logger) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := trimPartialLine(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &Journal{f: f, path: path, log: log}, nil
}

func trimPartialLine(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	// Scan back from the end in blocks for the last newline.
	const block = 64 * 1024
	buf := make([]byte, block)
	end := size
	for end > 0 {
		start := max(end-block, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			keep := start + int64(i) + 1
			if keep == size {
				_, err := f.Seek(0, io.SeekEnd)
				return err
			}
			return truncateAt(f, keep)
		}
		end = start
	}
	return truncateAt(f, 0)
}

func truncateAt(f *os.File, n int64) error {
	if err := f.Truncate(n); err != nil {
		return err
	}
	_, err := f.Seek(n, io.SeekStart)
	return err
}

// Replay hands every line of the journal, oldest first, to ingest, and leaves
// the file positioned for appending. It returns how many lines it replayed.
// A line is only valid during the call, as with live.ReadLines.
func (j *Journal) Replay(ingest func(line []byte)) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	var n int64
	err := live.ReadLines(j.f, func(line []byte) {
		ingest(line)
		n++
	})
	if err != nil {
		return n, fmt.Errorf("journal %s: %w", j.path, err)
	}
	_, err = j.f.Seek(0, io.SeekEnd)
	return n, err
}

// Record appends one folded line; it is the hub's line hook
// (live.Hub.SetLineHook), called with every line the hub folds, in order,
// including the one that jumped the seq and made the client resume.
func (j *Journal) Record(line []byte, _ floor.Outcome) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.failed || j.f == nil {
		return
	}
	j.buf = append(append(j.buf[:0], line...), '\n')
	if _, err := j.f.Write(j.buf); err != nil {
		j.failed = true
		j.log.Error("journal write failed; journaling stopped (a restart resumes the feed from the last line written)", "path", j.path, "err", err)
	}
}

// Close flushes the journal to disk and closes it; lines folded afterwards
// are not journaled.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
	return err
}
