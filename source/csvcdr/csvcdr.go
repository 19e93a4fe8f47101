// Package csvcdr reads call records exported as CSV or TSV from any
// platform, one call a row, through a --map file that says what each column
// means (docs/sources.md, "Call-record CSV"), and turns them into feed
// events: `floorwatch bridge csv:PATH --map FILE`.
//
// An export is a finished period, not a stream: the whole file is read, its
// calls put in time order and then emitted, so it is held in memory (about
// 400 bytes a call; at most MaxCalls calls).
package csvcdr

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/source"
)

// MaxCalls bounds the calls one file may hold (a month of a 300-seat floor
// is about a million); a larger export is refused rather than exhausting
// memory, and can be split by day.
const MaxCalls = 1_000_000

func init() {
	source.Register(source.Kind{
		Scheme: "csv",
		Usage:  "csv:PATH",
		Help:   "call records exported as CSV or TSV, one call a row, read through --map FILE (--check shows how)",
		Open:   Open,
		Check:  Check,
	})
}

// Open opens csv:PATH for the bridge: the map (opt.MapFile) is read and
// checked, and the file's header matched to it, so a wrong mapping fails
// here rather than half-way through.
func Open(path string, opt source.Options) (source.Source, error) {
	m, err := loadMap(opt.MapFile)
	if err != nil {
		return nil, err
	}
	if opt.Follow {
		return nil, errors.New("csv: --follow is not for exports: a call's row is written once the call is over, and rows come in any order; export again and rerun")
	}
	f, err := openFile(path, m, opt.Goals)
	if err != nil {
		return nil, err
	}
	f.Close()
	s := &csvSource{path: path, m: m, goals: opt.Goals}
	if m.columns[kWrapped] == "" && m.columns[kWrap] == "" {
		s.tally.Notes = append(s.tally.Notes, noWrapNote)
	}
	return s, nil
}

// noWrapNote: AHT without wrap-up is shorter than the floor's own figure.
const noWrapNote = "the map has no wrapped or wrap column: wrap-up ends with the call " +
	"(or after the queue's wrap_s in --goals), so AHT is the conversation alone"

type csvSource struct {
	path  string
	m     *mapping
	goals *floor.Goals

	mu    sync.Mutex
	tally source.Tally
}

func (s *csvSource) Tally() source.Tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tally.Clone()
}

// Run reads the whole export, then emits its events in time order.
func (s *csvSource) Run(ctx context.Context, emit func(*feed.Event)) error {
	recs, err := s.read(ctx)
	if err != nil {
		return err
	}
	return emitAll(ctx, recs, s.m.loc, emit)
}

// read converts every row, counting each in the tally, and keeps the calls.
func (s *csvSource) read(ctx context.Context) ([]record, error) {
	f, err := openFile(s.path, s.m, s.goals)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.calls(ctx, func(r *rowResult) {
		s.mu.Lock()
		defer s.mu.Unlock()
		r.count(&s.tally)
	}, func(line int64, reason string) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.tally.Bad(line, reason)
	})
}

// file is an export opened through its map, its header read and matched.
type file struct {
	io.Closer
	path string
	rd   *csvReader
	cv   *converter
}

func openFile(path string, m *mapping, goals *floor.Goals) (*file, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	file, err := newFile(f, path, m, goals)
	if err != nil {
		f.Close()
		return nil, err
	}
	file.Closer = f
	return file, nil
}

// newFile reads the header of an export and matches the map's columns to it.
func newFile(r io.Reader, path string, m *mapping, goals *floor.Goals) (*file, error) {
	rd, err := newCSVReader(r, m.delim)
	if err != nil {
		return nil, fmt.Errorf("csv %s: %w", path, err)
	}
	header, _, err := rd.next()
	switch {
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("csv %s: empty: the first row must be the header (the column names)", path)
	case err != nil:
		return nil, fmt.Errorf("csv %s: the header: %w", path, err)
	}
	idx, err := m.columnsOf(header, path)
	if err != nil {
		return nil, err
	}
	return &file{path: path, rd: rd, cv: newConverter(m, idx, len(header), goals)}, nil
}

// rowResult is what one data row became.
type rowResult struct {
	line   int64
	fields []string
	p      parsed
	rec    record
	skip   string // the kind of skip, for a row that is no call of the floor
	err    error  // why the row is malformed
}

func (r *rowResult) ok() bool { return r.err == nil && r.skip == "" }

// count adds the row to a tally: every row is a call, a skip or malformed.
func (r *rowResult) count(t *source.Tally) {
	t.Lines++
	switch {
	case r.err != nil:
		t.Bad(r.line, r.err.Error())
	case r.skip != "":
		t.Skip(r.skip)
	}
}

// calls converts the data rows in file order, handing each result to seen
// (it is seen's until seen returns), and returns the calls. A call far in
// time from the rest of the file is then counted malformed through bad:
// see apart.
func (f *file) calls(ctx context.Context, seen func(*rowResult), bad func(line int64, reason string)) ([]record, error) {
	var recs []record
	var r rowResult
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		fields, line, err := f.rd.next()
		if errors.Is(err, io.EOF) {
			break
		}
		r = rowResult{line: line, fields: fields}
		var re *rowError
		switch {
		case errors.As(err, &re):
			r.err = errors.New(re.msg)
		case err != nil:
			return nil, fmt.Errorf("csv %s: %w", f.path, err)
		default:
			r.rec, r.skip, r.err = f.cv.row(line, fields, &r.p)
		}
		seen(&r)
		if r.ok() {
			if len(recs) == MaxCalls {
				return nil, fmt.Errorf("csv %s: more than %d calls: split the export (by day, say) and bridge each part", f.path, MaxCalls)
			}
			recs = append(recs, r.rec)
		}
	}
	return apart(recs, f.cv.m, bad), nil
}

// maxGap is the longest quiet spell between two calls of one file: the
// fold refuses a jump of its clock longer than that, so a call further
// from the rest would stop every event after it.
const maxGap = floor.DefaultMaxClockJump

// apart keeps the largest run of calls (the latest of equal ones) in which
// no two offers in a row are more than maxGap apart, and reports the others
// as malformed: a placeholder date (1970-01-01, 9999-12-31), a typo in a
// year, or an export of two seasons, to bridge in two parts.
func apart(recs []record, m *mapping, bad func(line int64, reason string)) []record {
	if len(recs) < 2 {
		return recs
	}
	order := make([]int32, len(recs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(recs[a].offered, recs[b].offered) })
	from, best, bestFrom, bestTo := 0, 0, 0, 0
	for i := 1; i <= len(order); i++ {
		if i < len(order) && recs[order[i]].offered-recs[order[i-1]].offered <= maxGap.Milliseconds() {
			continue
		}
		if i-from >= best {
			best, bestFrom, bestTo = i-from, from, i
		}
		from = i
	}
	if best == len(recs) {
		return recs
	}
	keep := make([]bool, len(recs))
	for _, i := range order[bestFrom:bestTo] {
		keep[i] = true
	}
	first, last := ms(recs[order[bestFrom]].offered), ms(recs[order[bestTo-1]].offered)
	kept := recs[:0]
	for i, r := range recs {
		if keep[i] {
			kept = append(kept, r)
			continue
		}
		bad(r.line, fmt.Sprintf("offered %s, more than %d days from the file's other %d calls (%s to %s): a placeholder date, a typo, or a second period to bridge on its own",
			m.stamp(ms(r.offered)), int(maxGap.Hours()/24), best, m.stamp(first), m.stamp(last)))
	}
	return kept
}
