package natsfeed

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// Publisher defaults.
const (
	// DefaultBuffer bounds what a publisher holds while NATS is slow or
	// away: at ~110 bytes an event, some 600,000 events, hours of the
	// busiest floor.
	DefaultBuffer = 64 << 20
	// DefaultKeepDays is how long the stream keeps events when the
	// publisher creates it.
	DefaultKeepDays = 7
	// DefaultSnapshotEvery is how often, in wall time, a publisher puts
	// the floor as it stands on the subject, so that a consumer starting
	// at a time mid-run (the day start of a bridge that runs for days) has
	// the state to start from; a consumer looks back twice this far.
	DefaultSnapshotEvery = 5 * time.Minute
	// heartbeatEvery: a consumer hears from a quiet publisher this often,
	// as a websocket client does from a feed server (at least every 2 s).
	heartbeatEvery = time.Second
	// window is how many messages may await their acknowledgement at once.
	window = 1024
	// ackWait is how long an acknowledgement may take before the message
	// is sent again.
	ackWait = 5 * time.Second
	// apiWait bounds each request made to the JetStream API.
	apiWait = 5 * time.Second
)

// PublisherOptions configure a Publisher. URL and Site are required.
type PublisherOptions struct {
	URL  string // nats://HOST:PORT or tls://HOST:PORT
	Site string
	Auth
	// Stream is the feed's stream id, the one its hello announces (a feed
	// server's, so a websocket and NATS carry the same stream); "" makes one.
	Stream string
	// Feed is the name the hello announces.
	Feed string
	// Clock is the producer's clock, for the hello's and heartbeats' ts
	// (the simulated clock of a simulation). Nil is the wall clock.
	Clock func() time.Time
	// KeepDays is the stream's retention if this publisher creates it.
	KeepDays int
	// Buffer is the most bytes of events held while they await the stream;
	// beyond it new events are dropped, and counted.
	Buffer int
	// Logf, when set, is told what the publisher could not do.
	Logf func(format string, args ...any)
	// SnapshotEvery is how often the floor's snapshot is published
	// (DefaultSnapshotEvery when zero).
	SnapshotEvery time.Duration
	// SourceLost, when set, says while the producer's own source (the PBX
	// a bridge reads) cannot be reached, since when and why; heartbeats
	// carry it as `source_lost`, as the websocket feed's do.
	SourceLost func() string
}

// queued is a message waiting for the stream; only events count as
// dropped when one never gets there.
type queued struct {
	m     *nats.Msg
	event bool
}

// PublishStats is what a publisher has done so far.
type PublishStats struct {
	Published int64 // messages the stream has acknowledged
	Pending   int   // messages waiting for it
	Dropped   int64 // events never published: the buffer was full or the stream refused them
}

// Publisher puts one site's feed on its subject, in order, each message
// once: a hello at start, then every event and heartbeat as the feed has
// them, each with the header Nats-Msg-Id so that a message sent again after
// a lost acknowledgement is stored once. Publish never waits for NATS: it
// queues within the buffer bound, and a goroutine sends what is queued,
// resending from the first unacknowledged message after a failure so that
// the stream keeps the feed's order.
type Publisher struct {
	opt     PublisherOptions
	nc      *nats.Conn
	js      jetstream.JetStream
	subject string
	cancel  context.CancelFunc
	done    chan struct{} // closed when the sender has stopped

	mu        sync.Mutex
	track     *floor.Floor // every event published, for the snapshots
	tracked   int64        // the seq of the last event tracked
	snapAt    time.Time    // when the last snapshot was queued (wall)
	snaps     int64        // snapshots made, to name each one
	queue     []queued     // not yet acknowledged, oldest first
	bytes     int          // of the queue's data
	lastSeq   int64
	heartbeat int64 // heartbeats made, to name each one
	busy      bool  // something was queued since the last heartbeat tick
	dropping  bool  // the last event was dropped: log only the first
	stats     PublishStats
	wake      chan struct{} // something was queued
}

// NewPublisher connects (in the background: a server that is down now is
// retried for ever) and queues the hello; events then follow with Publish.
func NewPublisher(opt PublisherOptions) (*Publisher, error) {
	server, err := ServerURL(opt.URL)
	if err != nil {
		return nil, err
	}
	if err := CheckSite(opt.Site); err != nil {
		return nil, err
	}
	if opt.Stream == "" {
		opt.Stream = NewStreamID()
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.KeepDays <= 0 {
		opt.KeepDays = DefaultKeepDays
	}
	if opt.Buffer <= 0 {
		opt.Buffer = DefaultBuffer
	}
	if opt.SnapshotEvery <= 0 {
		opt.SnapshotEvery = DefaultSnapshotEvery
	}
	if opt.Logf == nil {
		opt.Logf = func(string, ...any) {}
	}
	p := &Publisher{opt: opt, subject: Subject(opt.Site), done: make(chan struct{}), wake: make(chan struct{}, 1),
		track: floor.New(floor.Options{})}
	p.nc, err = connect(server, "floorwatch publisher "+opt.Site, opt.Auth, nats.RetryOnFailedConnect(true),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				opt.Logf("NATS %s: connection lost (%v); events wait in the buffer", server, err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) { opt.Logf("NATS %s: connected again", nc.ConnectedUrlRedacted()) }))
	if err != nil {
		return nil, fmt.Errorf("NATS %s: %w", server, err)
	}
	if p.js, err = jetstream.New(p.nc, jetstream.WithPublishAsyncMaxPending(window), jetstream.WithPublishAsyncTimeout(ackWait)); err != nil {
		p.nc.Close()
		return nil, err
	}
	p.queueLine(feed.Encode(&feed.Event{Type: feed.TypeHello, V: 1, Feed: opt.Feed, Stream: opt.Stream, TS: opt.Clock()}), "0:hello", control)
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go p.send(ctx)
	go p.beat(ctx)
	return p, nil
}

// Stream is the feed stream id the publisher announces.
func (p *Publisher) Stream() string { return p.opt.Stream }

// Publish queues evs, whose seqs are already assigned, and returns at once.
// Events that do not fit in the buffer are dropped and counted.
func (p *Publisher) Publish(evs ...*feed.Event) {
	for _, ev := range evs {
		line := feed.Encode(ev)
		p.mu.Lock()
		// Tracked whether or not it fits the buffer: a snapshot is the
		// floor as it is, what a consumer needs most after a loss.
		p.track.Track(line)
		p.tracked = ev.Seq
		p.queueLocked(line, strconv.FormatInt(ev.Seq, 10), ev.Seq)
		p.mu.Unlock()
		p.signal()
	}
}

// control is the seq queueLine takes for a hello or a heartbeat.
const control = -1

// queueLine queues one line under the message id STREAM:id; seq is the
// event's, or control. Ids of control lines name the seq they follow plus
// what they are, so that each is stored once and none is taken for the
// event of that seq.
func (p *Publisher) queueLine(line []byte, id string, seq int64) {
	p.mu.Lock()
	p.queueLocked(line, id, seq)
	p.mu.Unlock()
	p.signal()
}

// queueLocked is queueLine with p.mu held, the sender not yet woken.
func (p *Publisher) queueLocked(line []byte, id string, seq int64) {
	event := seq != control
	m := nats.NewMsg(p.subject)
	m.Data = line
	m.Header.Set(jetstream.MsgIDHeader, p.opt.Stream+":"+id)
	if p.bytes+len(line) > p.opt.Buffer {
		if event {
			p.stats.Dropped++
			if !p.dropping {
				p.opt.Logf("NATS: buffer full (%d bytes waiting for the stream): dropping events; %d dropped so far", p.bytes, p.stats.Dropped)
			}
			p.dropping = true
		}
		return
	}
	if event && p.dropping {
		p.dropping = false
		p.opt.Logf("NATS: buffering again; %d events dropped in all", p.stats.Dropped)
	}
	if event {
		p.lastSeq = seq
	}
	p.queue = append(p.queue, queued{m, event})
	p.bytes += len(line)
	p.busy = true
}

// signal wakes the sender.
func (p *Publisher) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// snapshot queues the floor as it stands, after the last event tracked,
// once an event has come and then every opt.SnapshotEvery, quiet or not: a
// consumer looking back for one must find it however quiet the floor is.
// It is made and queued under one lock, so that no event comes between
// the state it holds and its place on the subject.
func (p *Publisher) snapshot(now time.Time) {
	p.mu.Lock()
	if p.tracked == 0 || now.Sub(p.snapAt) < p.opt.SnapshotEvery {
		p.mu.Unlock()
		return
	}
	p.snapAt = now
	p.snaps++
	snap := p.track.Snapshot()
	ts := p.opt.Clock()
	if t := p.track.Now(); t.After(ts) {
		ts = t
	}
	line := feed.Encode(&feed.Event{Type: feed.TypeSnapshot, Seq: p.tracked, TS: ts, Snapshot: &snap})
	if max := p.nc.MaxPayload(); max > 0 && int64(len(line)) > max {
		p.mu.Unlock()
		p.opt.Logf("NATS: the floor's snapshot is %d bytes, over the server's max_payload of %d: not published; a consumer starting mid-run lacks it", len(line), max)
		return
	}
	p.queueLocked(line, fmt.Sprintf("%d:snapshot:%d", p.tracked, p.snaps), control)
	p.mu.Unlock()
	p.signal()
}

// beat queues a heartbeat each second nothing else was queued and
// nothing waits: anything waiting moves the consumers' clock once it lands.
// A heartbeat carries the count of events dropped so far, so that readers
// of the stream can say what it lacks.
func (p *Publisher) beat(ctx context.Context) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		p.snapshot(time.Now())
		p.mu.Lock()
		quiet := !p.busy && len(p.queue) == 0
		p.busy = false
		p.heartbeat++
		seq, n, dropped := p.lastSeq, p.heartbeat, p.stats.Dropped
		p.mu.Unlock()
		if !quiet {
			continue
		}
		notes := feed.HeartbeatNotes{Dropped: dropped}
		if p.opt.SourceLost != nil {
			notes.SourceLost = p.opt.SourceLost()
		}
		line := feed.EncodeHeartbeat(seq, p.opt.Clock(), notes)
		p.queueLine(line, fmt.Sprintf("%d:heartbeat:%d", seq, n), control)
	}
}

// send keeps up to window messages in flight, oldest first, and drops each
// from the queue as the stream acknowledges it.
func (p *Publisher) send(ctx context.Context) {
	defer close(p.done)
	if !p.ensureStream(ctx) {
		return
	}
	var inflight []jetstream.PubAckFuture
	for ctx.Err() == nil {
		var failed error
		for len(inflight) < window && failed == nil {
			m := p.at(len(inflight))
			if m == nil {
				break
			}
			f, err := p.js.PublishMsgAsync(m)
			if err != nil {
				failed = err
				break
			}
			inflight = append(inflight, f)
		}
		// inOrder: every message before those in flight is acknowledged.
		inOrder := true
		if failed == nil {
			var ok <-chan *jetstream.PubAck
			var errc <-chan error
			if len(inflight) > 0 {
				ok, errc = inflight[0].Ok(), inflight[0].Err()
			}
			select {
			case <-ok:
				inflight = inflight[1:]
				p.acked()
				continue
			case failed = <-errc:
				inflight, inOrder = inflight[1:], false
			case <-p.wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		// Something was not stored: let what is in flight settle, then
		// start again from the oldest message not acknowledged.
		p.settle(ctx, inflight, inOrder)
		inflight = nil
		p.recover(ctx, failed)
	}
}

// at is the queued message i places from the oldest, nil past the end.
func (p *Publisher) at(i int) *nats.Msg {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < len(p.queue) {
		return p.queue[i].m
	}
	return nil
}

// acked drops the oldest message: the stream has it.
func (p *Publisher) acked() {
	p.mu.Lock()
	p.bytes -= len(p.queue[0].m.Data)
	p.queue[0] = queued{}
	p.queue = p.queue[1:]
	p.stats.Published++
	p.mu.Unlock()
}

// settle waits until every message in flight has its answer, counting the
// stored ones as acknowledged only while all before them were (inOrder).
func (p *Publisher) settle(ctx context.Context, inflight []jetstream.PubAckFuture, inOrder bool) {
	for _, f := range inflight {
		select {
		case <-f.Ok():
			if inOrder {
				p.acked()
			}
		case <-f.Err():
			inOrder = false
		case <-ctx.Done():
			return
		}
	}
}

// recover handles a failed message: a message the stream refuses for good
// is dropped and counted; otherwise, once connected again, the messages the
// stream stored without acknowledging them are found and let go, and
// sending resumes in order with the first message it lacks.
func (p *Publisher) recover(ctx context.Context, failed error) {
	var api *jetstream.APIError
	if errors.As(failed, &api) && api.ErrorCode != jetstream.JSErrCodeStreamNotFound {
		p.mu.Lock()
		if len(p.queue) > 0 {
			q := p.queue[0]
			p.opt.Logf("NATS: the stream refused %s: %v; dropped", q.m.Header.Get(jetstream.MsgIDHeader), failed)
			p.bytes -= len(q.m.Data)
			p.queue = p.queue[1:]
			if q.event {
				p.stats.Dropped++
			}
		}
		p.mu.Unlock()
		return
	}
	for wait := 100 * time.Millisecond; ctx.Err() == nil; wait = min(2*wait, 2*time.Second) {
		if p.nc.IsConnected() && p.ensureStream(ctx) && p.skipStored(ctx) == nil {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// skipStored lets go of the queued messages the stream already holds: all
// up to the last one stored on the subject, found by its message id.
func (p *Publisher) skipStored(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, apiWait)
	defer cancel()
	s, err := p.js.Stream(ctx, StreamName)
	if err != nil {
		return err
	}
	last, err := s.GetLastMsgForSubject(ctx, p.subject)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	id := last.Header.Get(jetstream.MsgIDHeader)
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, q := range p.queue {
		if q.m.Header.Get(jetstream.MsgIDHeader) == id {
			for _, q := range p.queue[:i+1] {
				p.bytes -= len(q.m.Data)
			}
			p.stats.Published += int64(i + 1)
			p.queue = p.queue[i+1:]
			break
		}
	}
	return nil
}

// ensureStream makes the stream if no one has yet, retrying until NATS
// answers or ctx ends; it reports whether the stream is there.
func (p *Publisher) ensureStream(ctx context.Context) bool {
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := p.createStream(ctx)
		if err == nil {
			return true
		}
		if p.nc.IsConnected() {
			p.opt.Logf("NATS: stream %s: %v", StreamName, err)
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
	}
}

func (p *Publisher) createStream(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, apiWait)
	defer cancel()
	_, err := p.js.Stream(ctx, StreamName)
	if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return err
	}
	cfg := StreamConfig(p.opt.KeepDays)
	if len(p.nc.Servers()) >= 3 {
		// A cluster: every message on three servers, so that losing one
		// loses nothing.
		cfg.Replicas = 3
	}
	_, err = p.js.CreateStream(ctx, cfg)
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return nil // another site's publisher made it first
	}
	return err
}

// StreamConfig is the stream a publisher creates when there is none: on
// disk, holding every site's subject for keepDays (on three servers when
// it sees a cluster). A stream an operator made is left as it is.
func StreamConfig(keepDays int) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        StreamName,
		Description: "floorwatch feeds, one subject per site",
		Subjects:    []string{streamSubjects},
		Storage:     jetstream.FileStorage,
		MaxAge:      time.Duration(keepDays) * 24 * time.Hour,
	}
}

// Stats is what the publisher has done so far.
func (p *Publisher) Stats() PublishStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Pending = len(p.queue)
	return s
}

// Close sends what is queued until the stream has it all or ctx ends, then
// disconnects. What it could not send is counted as dropped, and the
// final figures are returned.
func (p *Publisher) Close(ctx context.Context) PublishStats {
	for {
		p.mu.Lock()
		empty := len(p.queue) == 0
		p.mu.Unlock()
		if empty || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.cancel()
	<-p.done
	p.nc.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, q := range p.queue {
		if q.event {
			p.stats.Dropped++
		}
	}
	p.queue = nil
	return p.stats
}
