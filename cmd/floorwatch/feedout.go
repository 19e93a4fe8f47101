package main

import (
	"bufio"
	"io"
	"os"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/natsfeed"
)

// feedOut is where a producer's events go (the simulator's, a bridge's):
// a feed server, which numbers them, and/or a recording. Without a server
// it numbers them itself, so a recording always carries seqs.
type feedOut struct {
	srv   *feed.Server
	nats  *natsfeed.Publisher // --nats: the events also go to NATS
	w     *bufio.Writer
	enc   feed.Encoder
	close func() error
	seq   int64
	// flushEach writes every batch through at once, so a paced run's or a
	// followed source's recording can be followed as it grows.
	flushEach bool
	err       error // sticky: the first write error
}

// openRecording opens path for a recording ("-" is stdout); "" records
// nothing.
func (o *feedOut) openRecording(path string, stdout io.Writer) error {
	if path == "" {
		return nil
	}
	dst, closeFn := stdout, func() error { return nil }
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		dst, closeFn = f, f.Close
	}
	o.w, o.close = bufio.NewWriterSize(dst, 64<<10), closeFn
	return nil
}

// publish hands a batch on; after a write error it keeps serving and
// reports the error (sticky) so the producer can stop.
func (o *feedOut) publish(batch []*feed.Event) error {
	if o.srv != nil {
		o.srv.Publish(batch...)
	} else {
		for _, ev := range batch {
			o.seq++
			ev.Seq = o.seq
		}
	}
	if o.nats != nil {
		o.nats.Publish(batch...)
	}
	if o.w == nil || o.err != nil {
		return o.err
	}
	for _, ev := range batch {
		// Each line is encoded straight into the writer's free space.
		line := append(o.enc.Append(o.w.AvailableBuffer(), ev), '\n')
		if _, o.err = o.w.Write(line); o.err != nil {
			return o.err
		}
	}
	if o.flushEach {
		o.err = o.w.Flush()
	}
	return o.err
}

// finish flushes and closes the recording; after it nothing more is
// written, and a second call only repeats the first one's error.
func (o *feedOut) finish() error {
	if o.w == nil {
		return o.err
	}
	if err := o.w.Flush(); o.err == nil {
		o.err = err
	}
	if err := o.close(); o.err == nil {
		o.err = err
	}
	o.w = nil
	return o.err
}
