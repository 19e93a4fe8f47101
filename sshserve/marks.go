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
// supervisors' marks: done marks on the day's recovery items and
// acknowledgements of its alerts.
const MarksFile = "marks.json"

// Marks keeps the supervisors' marks in the journal's directory, so
// that who dealt with which caller, and who acknowledged which alert,
// survive a restart as the figures do. The hub hands it the marks after
// each change (Keep, its marks hook); a goroutine of its own writes the
// latest, so a slow disk never holds up a dashboard.
type Marks struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	closed  bool
	pending chan live.Marks // the latest marks not yet written
	stopped chan struct{}
}

// OpenMarks keeps the marks in dir (the journal's directory).
func OpenMarks(dir string, log *slog.Logger) *Marks {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Marks{path: filepath.Join(dir, MarksFile), log: log,
		pending: make(chan live.Marks, 1), stopped: make(chan struct{})}
	go d.writer()
	return d
}

// Load reads the marks kept; none when no mark was ever kept.
func (d *Marks) Load() (live.Marks, error) {
	var marks live.Marks
	b, err := os.ReadFile(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		return marks, nil
	}
	if err == nil {
		err = json.Unmarshal(b, &marks)
	}
	return marks, err
}

// Keep has marks written, replacing any set still waiting: only the
// latest matters. It never blocks.
func (d *Marks) Keep(marks live.Marks) {
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
func (d *Marks) Close() {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		close(d.pending)
	}
	d.mu.Unlock()
	<-d.stopped
}

func (d *Marks) writer() {
	defer close(d.stopped)
	for marks := range d.pending {
		if err := d.write(marks); err != nil {
			d.log.Error("supervisors' marks not kept (they stay on screen; a restart would lose them)", "path", d.path, "err", err)
		}
	}
}

// write replaces the file whole: a temporary file renamed over it, so a
// crash leaves the old set or the new, never half of one.
func (d *Marks) write(marks live.Marks) error {
	b, err := json.Marshal(marks)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(d.path), ".marks-*")
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
