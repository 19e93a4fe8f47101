package natsfeed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// Options configure a Client; the zero value is usable.
type Options struct {
	Auth
	// Since is where the replay starts; zero is the start of the floor's
	// day (the goals file's day start) on this machine's clock.
	Since time.Time
	// OnStatus, when set, is called after every change of connection
	// state, as feed.ClientOptions.OnStatus is.
	OnStatus func(feed.ConnStatus)
	// SeekBack is how far before Since (or the day start) a site looks for
	// its publisher's hello or latest snapshot to start from; zero is twice
	// DefaultSnapshotEvery.
	SeekBack time.Duration
}

// Client folds one or several sites from the stream. With one site it
// feeds the hub it is given, exactly as a websocket feed.Client would;
// with several, each site has a hub of its own and the given hub folds
// them all together, ids prefixed with the site (see merger).
type Client struct {
	url    string
	server string
	hub    *live.Hub
	sites  []*site
	merge  *merger // nil with one site
	fopts  floor.Options
	opt    Options

	mu     sync.Mutex
	status feed.ConnStatus
	start  time.Time // where a site with no place yet starts
	nc     *nats.Conn
	js     jetstream.JetStream
}

// site is one site's subscription and fold.
type site struct {
	name, subject string
	hub           *live.Hub

	mu sync.Mutex
	// pos is the stream sequence of the last message folded: a new
	// consumer starts after it.
	pos uint64
	// floorStart is the first message of the site's current floor, where a
	// rebuild of the sites' fold reads it again from.
	floorStart uint64
	caughtUp   bool
	// seekFrom, while set, is where a site read from a time starts to be
	// folded: the consumer starts before it, looking for the publisher's
	// hello or latest snapshot to start from (seek). Only the site's
	// goroutine touches it.
	seekFrom   time.Time
	last       time.Time // wall time of the last message
	dropped    int64     // events its publisher could not publish, as its heartbeats say
	sourceLost string    // its publisher's source out of reach, as its heartbeats say

	// Seen by the fold's hook, on the site's goroutine only: the stream
	// and clock of the site's fold, and whether the last line started a
	// new floor there.
	stream string
	clock  time.Time
	rerun  bool
}

// Site is one site of a Client's floor, as the views show it.
type Site struct {
	Name string
	Hub  *live.Hub
	// LastMessage is the wall time of the site's last message (zero
	// before any): a publisher that went quiet shows as stale here.
	LastMessage time.Time
	// Dropped counts the events the site's publisher could not publish
	// (its buffer was full), as its heartbeats say.
	Dropped int64
	// SourceLost is, while the site's heartbeats say its publisher cannot
	// reach its own source (a bridge's PBX), since when and why.
	SourceLost string
	CaughtUp   bool
}

// NewClient checks the URL and makes a client folding into hub (with
// several sites, the sites together; each site then folds into a hub of
// its own made with fopts). Nothing happens until Run or CatchUp.
func NewClient(rawURL string, hub *live.Hub, fopts floor.Options, opt Options) (*Client, error) {
	server, names, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	c := &Client{url: rawURL, server: server, hub: hub, fopts: fopts, opt: opt,
		status: feed.ConnStatus{URL: rawURL, State: feed.ConnConnecting}}
	if len(names) == 1 {
		c.sites = []*site{{name: names[0], subject: Subject(names[0]), hub: hub}}
		return c, nil
	}
	c.merge = newMerger(hub, fopts, names)
	for _, n := range names {
		s := &site{name: n, subject: Subject(n), hub: live.NewHub(floor.New(fopts))}
		s.hub.SetLineHook(c.hook(s))
		s.hub.SetConn(c.Status)
		c.sites = append(c.sites, s)
	}
	return c, nil
}

// Sites are the sites folded, each on its own, in the URL's order; with
// one site, its fold is the client's hub itself.
func (c *Client) Sites() []Site {
	out := make([]Site, len(c.sites))
	for i, s := range c.sites {
		s.mu.Lock()
		out[i] = Site{Name: s.name, Hub: s.hub, LastMessage: s.last, Dropped: s.dropped, SourceLost: s.sourceLost, CaughtUp: s.caughtUp}
		s.mu.Unlock()
	}
	return out
}

// Dropped is how many events the sites' publishers could not publish, all
// sites together, as their heartbeats say.
func (c *Client) Dropped() int64 {
	var n int64
	for _, s := range c.sites {
		s.mu.Lock()
		n += s.dropped
		s.mu.Unlock()
	}
	return n
}

// Status is the connection as the views show it; safe from any goroutine.
// Its SourceLost names each site whose publisher has lost its source.
func (c *Client) Status() feed.ConnStatus {
	var lost []string
	for _, s := range c.sites {
		s.mu.Lock()
		if s.sourceLost != "" {
			if len(c.sites) > 1 {
				lost = append(lost, "site "+s.name+": "+s.sourceLost)
			} else {
				lost = append(lost, s.sourceLost)
			}
		}
		s.mu.Unlock()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.status
	st.SourceLost = strings.Join(lost, " · ")
	return st
}

func (c *Client) setStatus(f func(*feed.ConnStatus)) {
	c.mu.Lock()
	before := c.status
	f(&c.status)
	after := c.status
	c.mu.Unlock()
	if c.opt.OnStatus != nil && (after.State != before.State || after.Err != before.Err || after.Attempts != before.Attempts) {
		c.opt.OnStatus(after)
	}
}

// dial connects. Run retries a server that is down for ever; CatchUp, for
// a one-off print, fails at once.
func (c *Client) dial(retry bool) error {
	nc, err := connect(c.server, "floorwatch "+strings.Join(c.names(), ","), c.opt.Auth,
		nats.RetryOnFailedConnect(retry),
		nats.ConnectHandler(func(*nats.Conn) { c.live() }),
		nats.ReconnectHandler(func(*nats.Conn) { c.live() }),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if nc.IsClosed() {
				return // Run or CatchUp is done with it
			}
			why := "connection lost"
			if err != nil {
				why += ": " + err.Error()
			}
			c.setStatus(func(s *feed.ConnStatus) { s.State, s.Err = feed.ConnReconnecting, why })
		}),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			c.setStatus(func(s *feed.ConnStatus) {
				s.State, s.Err, s.Retry = feed.ConnReconnecting, err.Error(), time.Now().Add(reconnectWait)
				s.Attempts++
			})
		}))
	if err != nil {
		return fmt.Errorf("cannot reach NATS %s: %w", c.server, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return err
	}
	c.mu.Lock()
	c.nc, c.js = nc, js
	if c.start.IsZero() {
		c.start = c.opt.Since
		if c.start.IsZero() {
			c.start = DayStart(c.fopts, time.Now())
		}
	}
	c.mu.Unlock()
	if nc.IsConnected() {
		c.live()
	}
	return nil
}

func (c *Client) live() {
	c.setStatus(func(s *feed.ConnStatus) { s.State, s.Err, s.Attempts, s.Retry = feed.ConnLive, "", 0, time.Time{} })
}

func (c *Client) names() []string {
	out := make([]string, len(c.sites))
	for i, s := range c.sites {
		out[i] = s.name
	}
	return out
}

// Run keeps every site folded until ctx is done; then it returns nil. A
// NATS feed never ends: a publisher that stops only falls silent.
func (c *Client) Run(ctx context.Context) error {
	if err := c.dial(true); err != nil {
		c.setStatus(func(s *feed.ConnStatus) { s.State, s.Err = feed.ConnClosed, err.Error() })
		return err
	}
	defer c.nc.Close()
	var wg sync.WaitGroup
	for _, s := range c.sites {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.consume(ctx, s, false)
		}()
	}
	wg.Wait()
	c.setStatus(func(s *feed.ConnStatus) { s.State, s.Err = feed.ConnClosed, "" })
	return nil
}

// CatchUp folds every site until it has everything the stream held for it
// when the site was read (what `floorwatch status --feed` needs), then
// returns. It fails at once if NATS cannot be reached; bound it with ctx.
func (c *Client) CatchUp(ctx context.Context) error {
	if err := c.dial(false); err != nil {
		return err
	}
	defer c.nc.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(c.sites))
	for _, s := range c.sites {
		go func() { errs <- c.consume(ctx, s, true) }()
	}
	var first error
	for range c.sites {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

var errResync = errors.New("resync")

// consume keeps one site folded: until ctx ends, or with catchUp until it
// has caught up. A failed subscription is made again after a backoff, from
// the place kept; a resync at once, from the message that asked for it.
func (c *Client) consume(ctx context.Context, s *site, catchUp bool) error {
	for failures := 0; ; {
		err := c.session(ctx, s, catchUp)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, errResync):
			continue
		case ctx.Err() != nil:
			if catchUp {
				return fmt.Errorf("%s: site %s not caught up in time: %w", c.server, s.name, ctx.Err())
			}
			return nil
		case errors.Is(err, jetstream.ErrStreamNotFound):
			err = fmt.Errorf("no stream %s on %s: has no publisher run yet?", StreamName, c.server)
			if catchUp {
				return err
			}
		}
		failures++
		why := fmt.Sprintf("site %s: %v", s.name, err)
		c.setStatus(func(st *feed.ConnStatus) { st.Err = why })
		wait := feed.Backoff(failures, feed.DefaultMinBackoff, feed.DefaultMaxBackoff, rand.Float64())
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// session is one ordered consumer of a site's subject, from the message
// after the last one folded, or from the start time for a site not read
// yet. It returns nil once caught up if catchUp is set, errResync when the
// fold asks for a message again, or why the consumer failed.
func (c *Client) session(ctx context.Context, s *site, catchUp bool) error {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{s.subject}}
	c.mu.Lock()
	start := c.start
	c.mu.Unlock()
	if pos := s.position(); pos > 0 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, pos+1
	} else {
		back := c.opt.SeekBack
		if back <= 0 {
			back = 2 * DefaultSnapshotEvery
		}
		from := start.Add(-back)
		cfg.DeliverPolicy, cfg.OptStartTime, s.seekFrom = jetstream.DeliverByStartTimePolicy, &from, start
	}
	cons, err := c.consumer(ctx, cfg)
	if err != nil {
		return err
	}
	// Reading again: a consumer's past failure is no longer news.
	c.setStatus(func(st *feed.ConnStatus) {
		if st.State == feed.ConnLive {
			st.Err = ""
		}
	})
	if cons.CachedInfo().NumPending == 0 {
		c.caughtUp(s)
		if catchUp {
			return nil
		}
	}
	return eachMessage(ctx, cons, func(data []byte, md *jetstream.MsgMetadata) error {
		switch s.seek(data, md.Timestamp) {
		case skipped:
		case passed:
			s.mu.Lock()
			s.pos = md.Sequence.Stream
			s.mu.Unlock()
		default:
			if c.fold(ctx, s, data, md.Sequence.Stream) {
				return errResync
			}
		}
		if md.NumPending == 0 {
			c.caughtUp(s)
			if catchUp {
				return errDone
			}
		}
		return nil
	})
}

// consumer opens an ordered consumer of the stream.
func (c *Client) consumer(ctx context.Context, cfg jetstream.OrderedConsumerConfig) (jetstream.Consumer, error) {
	c.mu.Lock()
	js := c.js
	c.mu.Unlock()
	octx, cancel := context.WithTimeout(ctx, apiWait)
	defer cancel()
	return js.OrderedConsumer(octx, StreamName, cfg)
}

// errDone ends eachMessage with no error.
var errDone = errors.New("done")

// eachMessage hands fn each message of cons with its metadata, until ctx
// ends, the consumer fails, or fn returns an error (errDone: nil).
func eachMessage(ctx context.Context, cons jetstream.Consumer, fn func(data []byte, md *jetstream.MsgMetadata) error) error {
	it, err := cons.Messages()
	if err != nil {
		return err
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return err
		}
		md, err := msg.Metadata()
		if err != nil {
			return err
		}
		if err := fn(msg.Data(), md); err != nil {
			if errors.Is(err, errDone) {
				return nil
			}
			return err
		}
	}
}

// What a site does with a message (seek).
const (
	foldIt  = iota
	skipped // before where the site starts: not folded, the place not kept
	passed  // a snapshot of a floor the site already follows: the place kept
)

// seek says what becomes of a message stored at at. A site read from a
// time folds from the publisher's hello or its latest snapshot before that
// time, else from the time itself; once folding, it passes over the
// publisher's snapshots, whose state it holds already.
func (s *site) seek(data []byte, at time.Time) int {
	kind := lineKind(data)
	switch {
	case s.seekFrom.IsZero() && kind == feed.TypeSnapshot:
		return passed
	case s.seekFrom.IsZero():
		return foldIt
	case kind == feed.TypeHello || kind == feed.TypeSnapshot || !at.Before(s.seekFrom):
		s.seekFrom = time.Time{}
		return foldIt
	}
	return skipped
}

// lineKind is a hello's or a snapshot's type, from the first bytes a
// publisher writes; "" for any other line.
func lineKind(data []byte) string {
	for _, k := range []string{feed.TypeHello, feed.TypeSnapshot} {
		if bytes.HasPrefix(data, []byte(`{"type":"`+k+`"`)) {
			return k
		}
	}
	return ""
}

func (s *site) position() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// fold hands one message to the site's fold and keeps the place; it
// reports whether the fold wants the message again (a jump in seq, as a
// websocket client resumes).
func (c *Client) fold(ctx context.Context, s *site, data []byte, seq uint64) (resync bool) {
	now := time.Now()
	c.mu.Lock()
	c.status.LastFrame = now
	c.mu.Unlock()
	resync = s.hub.Frame(data)
	rerun := s.rerun
	s.rerun = false
	s.mu.Lock()
	s.last = now
	if n, ok := feed.ReadHeartbeat(data); ok {
		if n.Dropped > 0 {
			s.dropped = n.Dropped
		}
		s.sourceLost = n.SourceLost
	}
	if !resync {
		s.pos = seq
	}
	if s.floorStart == 0 || rerun {
		s.floorStart = seq
	}
	s.mu.Unlock()
	if rerun {
		c.rebuild(ctx)
	}
	return resync
}

// caughtUp marks a site as having read all the stream held for it; once
// every site has, the sites' fold is told so.
func (c *Client) caughtUp(s *site) {
	s.mu.Lock()
	s.caughtUp = true
	s.mu.Unlock()
	if c.merge != nil && c.allCaughtUp() {
		c.merge.announce()
	}
}

func (c *Client) allCaughtUp() bool {
	for _, s := range c.sites {
		s.mu.Lock()
		ok := s.caughtUp
		s.mu.Unlock()
		if !ok {
			return false
		}
	}
	return true
}

// DayStart is the start of the floor's day that holds now: the goals
// file's start hour and time zone, as the fold reckons "today".
func DayStart(o floor.Options, now time.Time) time.Time {
	hour, loc := o.DayStartHour, o.Location
	if g := o.Goals; g != nil {
		if g.Day.StartHour != nil {
			hour = *g.Day.StartHour
		}
		if g.Day.TimeZone != "" {
			if l, err := time.LoadLocation(g.Day.TimeZone); err == nil {
				loc = l
			}
		}
	}
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	start := time.Date(local.Year(), local.Month(), local.Day(), hour, 0, 0, 0, loc)
	if start.After(local) {
		start = start.AddDate(0, 0, -1)
	}
	return start
}
