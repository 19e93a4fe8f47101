package sshserve

import (
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/floorwatch/floorwatch/live"
)

// MarksFile is the file, beside the journal's day files, that keeps the
// supervisors' done marks on the day's recovery items.
const MarksFile = "done-marks.json"

// DoneMarks keeps the done marks in the journal's directory, so that who
// dealt with which caller survives a restart as the figures do. The hub
// hands it each new set of marks (Keep, its done hook); a goroutine of its
// own writes the latest, so a slow disk never holds up a dashboard.
type DoneMarks struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	closed  bool
	pending chan map[string]live.Done // the latest set not yet written
	stopped chan struct{}
}

// OpenDoneMarks keeps the marks in dir (the journal's directory).
func OpenDoneMarks(dir string, log *slog.Logger) *DoneMarks {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &DoneMarks{path: filepath.Join(dir, MarksFile), log: log,
		pending: make(chan map[string]live.Done, 1), stopped: make(chan struct{})}
	go d.writer()
	return d
}

// Load reads the marks kept; none when no mark was ever kept.
func (d *DoneMarks) Load() (map[string]live.Done, error) {
	b, err := os.ReadFile(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var marks map[string]live.Done
	if err := json.Unmarshal(b, &marks); err != nil {
		return nil, err
	}
	return marks, nil
}

// Keep has marks written, replacing any set still waiting: only the
// latest matters. It never blocks.
func (d *DoneMarks) Keep(marks map[string]live.Done) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	select {
	case <-d.pending:
	default:
	}
	d.pending <- marks
}

// Close writes the set still waiting, if any, and stops.
func (d *DoneMarks) Close() {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		close(d.pending)
	}
	d.mu.Unlock()
	<-d.stopped
}

func (d *DoneMarks) writer() {
	defer close(d.stopped)
	for marks := range d.pending {
		if err := d.write(marks); err != nil {
			d.log.Error("done marks not kept (they stay on screen; a restart would lose them)", "path", d.path, "err", err)
		}
	}
}

// write replaces the file whole: a temporary file renamed over it, so a
// crash leaves the old set or the new, never half of one.
func (d *DoneMarks) write(marks map[string]live.Done) error {
	b, err := json.Marshal(marks)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(d.path), ".done-marks-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err = errors.Join(err, f.Sync(), f.Close()); err == nil {
		err = os.Rename(f.Name(), d.path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
