package sshserve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// Journal keeps every line the server has folded, in the order it folded
// them, in a directory of one file a day: journal-YYYY-MM-DD.jsonl, the day
// of the floor clock as the goals file starts it (day.start_hour in
// day.time_zone). Replaying today's file through the same fold (in live
// mode, so a line that jumped the seq is again counted as a gap and not
// applied) rebuilds the state the server had; the feed then resumes after
// the last seq, so nothing is lost or counted twice across a restart.
//
// So that a day's file stands alone, it begins with the floor as it stood
// at the day start: a hello naming the feed's stream and last seq, then a
// snapshot of the queues, agents and live calls, both stamped with the day
// start. The journal keeps a fold of its own of what it writes to make
// them. Replayed in order, several days' files give the same floor as the
// feed did: the hello repeats the stream, and the snapshot the state the
// floor already has.
type Journal struct {
	mu   sync.Mutex
	dir  string
	keep int
	day  dayRule
	log  *slog.Logger
	now  func() time.Time
	fold *floor.Floor

	f          *os.File
	path       string
	start, end time.Time // the day of the file being written; zero before the first
	// failed is set by a write error: after a short write the file ends in
	// half a line, and appending more would glue two lines together. The
	// next day's file starts afresh; until then nothing is lost that a
	// restart cannot get back, since the feed resumes from the last line
	// the journal holds.
	failed bool
	closed bool
	buf    []byte
}

// JournalOptions configure a Journal.
type JournalOptions struct {
	// Dir holds the day files; it is created (mode 0700) if missing.
	Dir string
	// KeepDays is how many days of files are kept, today's included; older
	// ones are deleted when a day begins. 0 keeps every day.
	KeepDays int
	// Floor are the fold's options: their day start decides when a file
	// begins, and the journal's own fold judges lines as the server's does.
	Floor floor.Options
	Log   *slog.Logger
	// Now is the wall clock (nil: time.Now); it names the first file only
	// when lines come before the floor has any clock.
	Now func() time.Time
}

// OpenJournal opens the journal in o.Dir, positioned to append to its
// newest day file. A directory it cannot write to is an error now, not a
// surprise at the first line.
func OpenJournal(o JournalOptions) (*Journal, error) {
	if st, err := os.Stat(o.Dir); err == nil && !st.IsDir() {
		return nil, fmt.Errorf("journal %s is a file: the journal is a directory of one file a day now; "+
			"move the file into a directory, named journal-YYYY-MM-DD.jsonl for its day, and give the directory", o.Dir)
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
	probe, err := os.CreateTemp(o.Dir, ".write-check-*")
	if err != nil {
		return nil, fmt.Errorf("journal directory %s is not writable: %w", o.Dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	fo := o.Floor
	fo.Horizon = 0 // only the live state and the line accounting matter here
	j := &Journal{dir: o.Dir, keep: o.KeepDays, day: dayRuleOf(o.Floor), log: o.Log, now: o.Now, fold: floor.New(fo)}
	days, err := j.days()
	if err != nil {
		return nil, err
	}
	if len(days) > 0 {
		start := days[len(days)-1]
		path := filepath.Join(o.Dir, dayFile(start))
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		// A last line without its newline is what a crash in mid-write
		// leaves: it is cut off, since the feed will send it again.
		if err := trimPartialLine(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
		j.f, j.path, j.start, j.end = f, path, start, j.day.next(start)
		j.prune()
	}
	return j, nil
}

// Path is the day file being written, "" before the first.
func (j *Journal) Path() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.path
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

// Replay hands every line of the newest day file, oldest first, to ingest,
// and leaves the file positioned for appending. It returns how many lines
// it replayed. A line is only valid during the call, as with
// live.ReadLines.
func (j *Journal) Replay(ingest func(line []byte)) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return 0, nil
	}
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	var n int64
	err := live.ReadLines(j.f, func(line []byte) {
		j.fold.IngestLine(line, floor.Live)
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
// including the one that jumped the seq and made the client resume. The
// line that takes the floor clock into a new day begins that day's file.
func (j *Journal) Record(line []byte, _ floor.Outcome) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return
	}
	var head *dayHead
	if !j.start.IsZero() && j.mayEnd(line) {
		// The floor before this line is what the next day begins with.
		head = &dayHead{stats: j.fold.Stats(), snap: j.fold.Snapshot()}
	}
	j.fold.IngestLine(line, floor.Live)
	at := j.fold.Now()
	switch {
	case j.start.IsZero() && at.IsZero():
		j.open(j.day.start(j.now()), nil)
	case j.start.IsZero():
		j.open(j.day.start(at), nil)
	case !at.Before(j.end):
		j.open(j.day.start(at), head)
	}
	j.write(line)
}

// mayEnd reports whether line could move the floor clock past the end of
// the current file's day: a line the fold can read, stamped at or after it.
// Whether it does is the fold's to say.
func (j *Journal) mayEnd(line []byte) bool {
	d := feed.Decode(line)
	return d.Err == nil && !d.Event.TS.Before(j.end)
}

// dayHead is the floor as a day file begins with it.
type dayHead struct {
	stats floor.FeedStats
	snap  feed.Snapshot
}

// open begins the day file of the day starting at start, with head's lines
// when there was a day before it.
func (j *Journal) open(start time.Time, head *dayHead) {
	if j.f != nil {
		if err := errors.Join(j.f.Sync(), j.f.Close()); err != nil {
			j.log.Error("journal close failed", "path", j.path, "err", err)
		}
		j.f = nil
	}
	j.start, j.end, j.path, j.failed = start, j.day.next(start), filepath.Join(j.dir, dayFile(start)), false
	f, err := os.OpenFile(j.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		j.fail(err)
		return
	}
	j.f = f
	j.log.Info("journal day begins", "path", j.path)
	if head != nil {
		st := head.stats
		if st.Stream != "" {
			j.write(feed.Encode(&feed.Event{Type: feed.TypeHello, Seq: st.LastSeq, TS: start, Feed: st.Name, Stream: st.Stream}))
		}
		j.write(feed.Encode(&feed.Event{Type: feed.TypeSnapshot, Seq: st.LastSeq, TS: start, Snapshot: &head.snap}))
	}
	j.prune()
}

func (j *Journal) write(line []byte) {
	if j.failed || j.f == nil {
		return
	}
	j.buf = append(append(j.buf[:0], line...), '\n')
	if _, err := j.f.Write(j.buf); err != nil {
		j.fail(err)
	}
}

func (j *Journal) fail(err error) {
	j.failed = true
	j.log.Error("journal write failed; journaling stops until the next day's file (a restart resumes the feed from the last line written)",
		"path", j.path, "err", err)
}

// prune deletes the day files older than the days kept. Only files named
// as the journal names them are ever touched.
func (j *Journal) prune() {
	if j.keep <= 0 {
		return
	}
	days, err := j.days()
	if err != nil {
		j.log.Warn("journal: cannot list old days", "err", err)
		return
	}
	oldest := j.start.AddDate(0, 0, 1-j.keep)
	for _, d := range days {
		if !d.Before(oldest) {
			break
		}
		path := filepath.Join(j.dir, dayFile(d))
		if err := os.Remove(path); err != nil {
			j.log.Warn("journal: cannot delete an old day", "path", path, "err", err)
		} else {
			j.log.Info("journal: old day deleted", "path", path, "keep_days", j.keep)
		}
	}
}

// days lists the starts of the day files in the directory, oldest first.
func (j *Journal) days() ([]time.Time, error) {
	entries, err := os.ReadDir(j.dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("journal directory: %w", err)
	}
	var days []time.Time
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, "journal-") || !strings.HasSuffix(name, ".jsonl") {
			continue
		}
		if d, err := j.day.parse(strings.TrimSuffix(strings.TrimPrefix(name, "journal-"), ".jsonl")); err == nil {
			days = append(days, d)
		}
	}
	slices.SortFunc(days, time.Time.Compare)
	return days, nil
}

// Close flushes the journal to disk and closes it; lines folded afterwards
// are not journaled.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.closed = true
	if j.f == nil {
		return nil
	}
	err := errors.Join(j.f.Sync(), j.f.Close())
	j.f = nil
	return err
}

// dayRule is when the floor's day starts: an hour in a time zone, as the
// fold has it from its options and the goals file.
type dayRule struct {
	hour int
	loc  *time.Location
}

func dayRuleOf(o floor.Options) dayRule {
	r := dayRule{hour: o.DayStartHour, loc: o.Location}
	if g := o.Goals; g != nil {
		if g.Day.StartHour != nil {
			r.hour = *g.Day.StartHour
		}
		if g.Day.TimeZone != "" {
			// LoadGoals has checked the zone; an error cannot happen here.
			if loc, err := time.LoadLocation(g.Day.TimeZone); err == nil {
				r.loc = loc
			}
		}
	}
	if r.loc == nil {
		r.loc = time.UTC
	}
	return r
}

// start is the start of the day holding t.
func (r dayRule) start(t time.Time) time.Time {
	local := t.In(r.loc)
	s := time.Date(local.Year(), local.Month(), local.Day(), r.hour, 0, 0, 0, r.loc)
	if s.After(local) {
		s = s.AddDate(0, 0, -1)
	}
	return s
}

func (r dayRule) next(start time.Time) time.Time { return start.AddDate(0, 0, 1) }

// parse is the start of the day a file's date names.
func (r dayRule) parse(date string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, date, r.loc)
	if err != nil {
		return d, err
	}
	return time.Date(d.Year(), d.Month(), d.Day(), r.hour, 0, 0, 0, r.loc), nil
}

// dayFile names the file of the day starting at start.
func dayFile(start time.Time) string { return "journal-" + start.Format(time.DateOnly) + ".jsonl" }
