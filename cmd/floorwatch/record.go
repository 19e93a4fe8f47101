package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

func init() {
	register(command{name: "record", args: "URL -o FILE",
		summary: "write a live feed to a .jsonl recording, as it arrives", run: runRecord})
}

func runRecord(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	out := fs.String("o", "", "write the recording to `FILE` (- for standard output); an existing file is replaced")
	token := fs.String("token", os.Getenv("FLOORWATCH_TOKEN"), "bearer `TOKEN` for the feed (default $FLOORWATCH_TOKEN)")
	caFile := fs.String("tls-ca", "", "trust the certificate authority in `FILE` (PEM) for wss://, besides the system's")
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted or the feed ends)")
	fromNow := fs.Bool("from-now", false, "start from a snapshot of now instead of the feed's retained history")
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() == 0:
		return usageError("give the feed URL (ws:// or wss://)")
	case fs.NArg() > 1:
		return usageError("unexpected argument %q", fs.Arg(1))
	}
	url := fs.Arg(0)
	if *out == "" {
		return usageError("give the recording file with -o FILE")
	}
	opt := feed.ClientOptions{Token: *token, FromStart: !*fromNow}
	if *caFile != "" {
		cfg, err := trustCA(*caFile)
		if err != nil {
			return err
		}
		opt.TLSConfig = cfg
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rec := &recorder{fl: floor.New(floor.Options{}), w: stdout, stop: cancel}
	// The client calls OnStatus and the recorder from the goroutine that
	// runs it, this one: no locking needed.
	var firstErr error
	opt.OnStatus = func(s feed.ConnStatus) {
		switch {
		case s.State == feed.ConnLive:
			fmt.Fprintf(stderr, "record: connected to %s\n", s.URL)
		case s.State == feed.ConnReconnecting && s.LastFrame.IsZero():
			// Never connected: a wrong URL or a feed that is not up is
			// better reported than retried forever.
			firstErr = errors.New(s.Err)
			cancel()
		case s.State == feed.ConnReconnecting:
			fmt.Fprintf(stderr, "record: %s; retrying in %s\n", s.Err, time.Until(s.Retry).Round(time.Millisecond))
		}
	}
	c, err := feed.NewClient(url, rec, opt)
	if err != nil {
		return usageError("%v", err)
	}
	// Only now that the invocation is known good is the file replaced.
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		rec.w = f
	}
	err = c.Run(ctx)
	if !errors.Is(err, feed.ErrFeedEnded) {
		// Stopped while the feed goes on: its clock had reached the last
		// heartbeat. A feed that ended has nothing after its last event.
		rec.writeHeld()
	}
	switch {
	case firstErr != nil:
		return firstErr
	case rec.err != nil:
		return fmt.Errorf("writing %s: %w", *out, rec.err)
	case err != nil && !errors.Is(err, feed.ErrFeedEnded):
		return err
	}
	st := rec.fl.Stats()
	fmt.Fprintf(stderr, "record: wrote %d lines to %s (last seq %d, %d gaps resumed)\n", rec.lines, *out, st.LastSeq, st.Gaps)
	return nil
}

// recorder is the feed.Sink that writes a recording. It keeps the seq
// bookkeeping of a live client (a fold of its own) so that what it writes
// replays as the feed was: a line that jumps the seq is not written and the
// client resumes, filling the hole; duplicates a resume may bring are
// dropped. Every other line, bad ones included, is written as received, so a
// replay counts what a live client would have counted.
//
// A heartbeat is held back until another line follows it, and only the
// newest is kept: a quiet hour is one line, not 3,600, and a finished run's
// recording ends with its last event, not the heartbeats sent after it.
type recorder struct {
	fl    *floor.Floor
	w     io.Writer
	buf   bytes.Buffer
	held  []byte // the newest heartbeat not yet written
	lines int64
	err   error
	stop  func() // ends the recording when the file cannot be written
}

// Frame writes the frame's lines with one write, so that a recorder killed
// at any moment leaves at most a partial last line behind.
func (r *recorder) Frame(data []byte) (resync bool) {
	r.buf.Reset()
	feed.EachLine(data, func(line []byte) bool {
		o := r.fl.IngestLine(line, floor.Live)
		if o == floor.Gap {
			resync = true
			return false
		}
		r.take(line, o)
		return true
	})
	r.write()
	return resync
}

// Line writes one line a fold has taken with outcome o, as Frame would: a
// live.Hub's line hook, for a recorder with no fold of its own.
func (r *recorder) Line(line []byte, o floor.Outcome) {
	r.buf.Reset()
	r.take(line, o)
	r.write()
}

// take puts a line the fold took with outcome o in the buffer, unless it
// is a duplicate or a gap; a heartbeat is held back.
func (r *recorder) take(line []byte, o floor.Outcome) {
	switch o {
	case floor.Gap, floor.Duplicate:
		return
	case floor.Control:
		if feed.Decode(line).Event.Type == feed.TypeHeartbeat {
			r.held = append(r.held[:0], line...)
			return
		}
	}
	r.add(line)
}

// add puts line in the buffer, after the heartbeat held before it.
func (r *recorder) add(line []byte) {
	if held := r.held; held != nil {
		r.held = nil
		r.add(held)
	}
	r.buf.Write(line)
	r.buf.WriteByte('\n')
	r.lines++
}

func (r *recorder) write() {
	if r.err == nil && r.buf.Len() > 0 {
		if _, r.err = r.w.Write(r.buf.Bytes()); r.err != nil {
			r.stop()
		}
	}
}

// writeHeld writes the heartbeat held back, if any.
func (r *recorder) writeHeld() {
	if held := r.held; held != nil {
		r.buf.Reset()
		r.held = nil
		r.add(held)
		r.write()
	}
}

// Resume picks up after the last line written.
func (r *recorder) Resume() (string, int64, bool) { return r.fl.Resume() }
