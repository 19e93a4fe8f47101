// Package queuelog reads Asterisk app_queue's queue_log (Asterisk 1.4 to
// 21, and what FreePBX, Issabel, VitalPBX and PBXware write), as
// `floorwatch bridge queue-log:PATH`: a pure converter from its lines to
// feed events (Converter) and a thin reader that follows the file across
// rotation (--follow). docs/sources.md, "Asterisk queue_log", is the
// mapping in full; in short:
//
//   - ENTERQUEUE offers the call (caller from the caller-id field);
//     CONNECT answers it at the offer plus Asterisk's holdtime;
//     RINGNOANSWER and AGENTDUMP are misses; COMPLETECALLER and
//     COMPLETEAGENT end it at the answer plus calltime, and wrap it up
//     after the queue's wrap_s from --goals (queue_log logs no wrap-up end;
//     none when unset).
//   - ABANDON, EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY and WITHDRAW abandon
//     it with the reasons caller, timeout, no_agents, exit_key and
//     withdrawn, at the offer plus Asterisk's waittime.
//   - BLINDTRANSFER, ATTENDEDTRANSFER and TRANSFER send it out of the floor
//     (`to` the extension@context), unless the caller enters a queue
//     soon after (ten seconds; a minute if the extension is a queue's
//     name): then it is transferred into that queue.
//   - PAUSE, UNPAUSE, PAUSEALL, UNPAUSEALL, ADDMEMBER, REMOVEMEMBER and the
//     agent logins give each agent's state and queues, with on_call and
//     wrap_up derived from the calls.
//   - Lines of calls that entered the queue before the file began are not
//     counted (their offer is not in the file); other verbs (CONFIGRELOAD,
//     DID, OUTDIAL…) are skipped, and malformed lines counted, by kind.
package queuelog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
	"github.com/floorwatch/floorwatch/source/asterisk"
)

func init() {
	source.Register(source.Kind{
		Scheme: "queue-log",
		Usage:  "queue-log:PATH",
		Help:   "Asterisk app_queue's queue_log (--follow tails it across rotation; --agents joins agent names; wrap_s in --goals)",
		Open:   Open,
	})
}

// pollEvery is how often a followed file is looked at once read to its end.
const pollEvery = 250 * time.Millisecond

// idleMargin keeps a quiet file's clock, run on with the wall clock, behind
// the time of the line Asterisk writes next: stamped in whole seconds, and
// read up to a poll late.
const idleMargin = 2 * time.Second

// Open opens queue-log:PATH for the bridge; the --agents file is read and
// checked here, so a mistake in it fails before anything is emitted.
func Open(path string, opt source.Options) (source.Source, error) {
	if path == "" {
		return nil, errors.New("queue-log: give the file, e.g. queue-log:/var/log/asterisk/queue_log")
	}
	cfg := Config{Goals: opt.Goals}
	if opt.AgentsFile != "" {
		a, err := asterisk.LoadAgents(opt.AgentsFile)
		if err != nil {
			return nil, err
		}
		cfg.Agents = a
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("queue-log: %w", err)
	}
	f.Close()
	return newFileSource(path, opt.Follow, cfg), nil
}

// fileSource is a queue_log file read by Run; Tally may be asked from
// another goroutine, so the converter is used under mu, and its events
// handed on outside it.
type fileSource struct {
	path   string
	follow bool
	poll   time.Duration
	now    func() time.Time // the wall clock, for a quiet file's clock

	mu      sync.Mutex
	conv    *Converter
	pending []*feed.Event
}

func newFileSource(path string, follow bool, cfg Config) *fileSource {
	s := &fileSource{path: path, follow: follow, poll: pollEvery, now: time.Now}
	s.conv = NewConverter(cfg, func(ev *feed.Event) { s.pending = append(s.pending, ev) })
	return s
}

func (s *fileSource) Tally() source.Tally {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conv.Tally()
}

// with runs fn on the converter, then emits what it released.
func (s *fileSource) with(emit func(*feed.Event), fn func(*Converter)) {
	s.mu.Lock()
	fn(s.conv)
	out := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, ev := range out {
		emit(ev)
	}
}

// Run reads the file to its end, or with --follow until ctx is done.
func (s *fileSource) Run(ctx context.Context, emit func(*feed.Event)) error {
	t, err := openTail(s.path)
	if err != nil {
		return fmt.Errorf("queue-log: %w", err)
	}
	defer t.close()
	var sp splitter
	feedBytes := func(b []byte) { s.with(emit, func(c *Converter) { sp.write(b, c) }) }
	endLine := func() { s.with(emit, sp.flush) }
	buf := make([]byte, 64<<10)
	var readAt time.Time // when the newest line was read, for the idle clock
	for {
		if err := ctx.Err(); err != nil {
			s.with(emit, (*Converter).Close)
			return err
		}
		// Rotation is looked for before every read: bytes read past a
		// truncation would be the middle of the new file's lines.
		if s.follow {
			if err := t.turn(feedBytes, endLine); err != nil {
				return fmt.Errorf("queue-log: %w", err)
			}
		}
		n, err := t.read(buf)
		if n > 0 {
			feedBytes(buf[:n])
			readAt = s.now()
			continue
		}
		if err != nil {
			return fmt.Errorf("queue-log: %w", err)
		}
		if !s.follow {
			endLine() // a last line without its newline
			s.with(emit, (*Converter).Close)
			return nil
		}
		if !readAt.IsZero() {
			// A quiet file's clock runs on with the wall clock, so that
			// wrap-ups end and transfers are settled without a new line.
			s.with(emit, func(c *Converter) {
				if !c.lastLine.IsZero() {
					c.Idle(c.lastLine.Add(s.now().Sub(readAt) - idleMargin))
				}
			})
		}
		select {
		case <-ctx.Done():
		case <-time.After(s.poll):
		}
	}
}
