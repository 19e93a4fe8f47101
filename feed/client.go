package feed

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/safetext"
)

// Client defaults.
const (
	DefaultMinBackoff = 250 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
	// DefaultReadTimeout: a feed heartbeats at least every 2 s, so this much
	// silence means the connection is dead even if TCP has not noticed.
	DefaultReadTimeout = 10 * time.Second

	// stableAfter is how long a connection must stay up after its hello to
	// count as a success and reset the backoff. One that ends sooner, failed
	// or asking to resume, is a failure: a feed that breaks right after its
	// hello is otherwise redialled at the shortest delay forever.
	stableAfter = 10 * time.Second

	clientHandshakeTimeout = 10 * time.Second
	// A snapshot of a large floor or a catch-up frame can be big, but a
	// server's frames are bounded; this only stops a runaway peer.
	clientReadLimit = 64 << 20
)

// ErrFeedEnded is returned by Run when the server closed the feed for good
// (close code 1000): a scenario that ran to its end.
var ErrFeedEnded = errors.New("the feed has ended")

// ClientOptions configure a Client; the zero value is usable.
type ClientOptions struct {
	// Token is sent as "Authorization: Bearer TOKEN" on the upgrade.
	Token string
	// TLSConfig for wss:// (nil: the system's roots).
	TLSConfig *tls.Config
	// FromStart asks for the whole retained history (?since=0) when the
	// sink has no position yet, instead of a snapshot of now.
	FromStart bool
	// MinBackoff and MaxBackoff bound the reconnect delay: attempt n waits
	// a uniformly random time in [0, min(MaxBackoff, MinBackoff·2ⁿ⁻¹)]
	// ("full jitter"), so many clients cut off at once do not return at once.
	MinBackoff, MaxBackoff time.Duration
	// ReadTimeout: a connection silent this long is dropped and redialled.
	ReadTimeout time.Duration
	// OnStatus, when set, is called (from the client's goroutine) after every
	// change of connection state; a view uses it to redraw.
	OnStatus func(ConnStatus)
}

// BadLineReporter is a Sink that can say what was wrong with the last line
// it could not read; the client quotes it when the feed keeps breaking its
// sequence, so the views can say why the connection keeps starting over.
type BadLineReporter interface {
	LastBadLine() string
}

// Client keeps a Sink fed from a feed server: it dials, hands every frame
// to the sink, resumes when the sink sees a gap, and reconnects with backoff
// when the connection fails. Resumes back off like failures: only the first
// after a stable connection is immediate.
type Client struct {
	url  *url.URL
	sink Sink
	opt  ClientOptions
	// startedOver is when a new stream was last read from its start at
	// once (backOff); only Run's and CatchUp's goroutine touches it.
	startedOver time.Time

	mu     sync.Mutex
	status ConnStatus
}

// NewClient checks the URL (ws:// or wss://) and makes a client; nothing
// happens until Run or CatchUp.
func NewClient(rawURL string, sink Sink, opt ClientOptions) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("feed URL %q: %v", rawURL, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return nil, fmt.Errorf("feed URL %q: want ws:// or wss://", rawURL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("feed URL %q: no host", rawURL)
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = DefaultMinBackoff
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(DefaultMaxBackoff, opt.MinBackoff)
	}
	if opt.ReadTimeout <= 0 {
		opt.ReadTimeout = DefaultReadTimeout
	}
	return &Client{url: u, sink: sink, opt: opt, status: ConnStatus{URL: rawURL, State: ConnConnecting}}, nil
}

// Status is the connection as the views show it; safe from any goroutine.
func (c *Client) Status() ConnStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

func (c *Client) setStatus(f func(*ConnStatus)) {
	c.mu.Lock()
	before := c.status
	f(&c.status)
	after := c.status
	c.mu.Unlock()
	if c.opt.OnStatus != nil && (after.State != before.State || after.Err != before.Err || after.Attempts != before.Attempts) {
		c.opt.OnStatus(after)
	}
}

// Backoff is the delay before reconnect attempt n (1, 2, ...): uniformly
// random in [0, min(max, min·2ⁿ⁻¹)]. u is a uniform sample in [0, 1).
func Backoff(n int, minD, maxD time.Duration, u float64) time.Duration {
	ceiling := maxD
	if n < 1 {
		n = 1
	}
	// Shift only while it cannot overflow or pass the cap.
	if n-1 < 62 && minD<<(n-1) > 0 && minD<<(n-1) < maxD {
		ceiling = minD << (n - 1)
	}
	return time.Duration(u * float64(ceiling))
}

// Run keeps the sink fed until ctx is done (it then returns nil) or the
// server ends the feed (ErrFeedEnded).
func (c *Client) Run(ctx context.Context) error {
	failures := 0
	for {
		liveAt, err := c.session(ctx, nil)
		if errors.Is(err, ErrFeedEnded) && ctx.Err() == nil {
			c.setStatus(func(s *ConnStatus) { s.State, s.Err = ConnClosed, err.Error() })
			return err
		}
		if ctx.Err() != nil || !c.backOff(ctx, &failures, liveAt, err) {
			c.setStatus(func(s *ConnStatus) { s.State, s.Err = ConnClosed, "" })
			return nil
		}
	}
}

// CatchUp reads the feed until the sink has applied everything up to the
// seq the server announced in its first hello, then returns: what
// `floorwatch status --feed` needs. It fails at once if the feed cannot be
// reached or drops the connection; bound it with ctx.
func (c *Client) CatchUp(ctx context.Context) error {
	target := int64(-1)
	caughtUp := func(hello int64) bool {
		if target < 0 {
			target = hello
		}
		// An empty feed (hello seq 0) is caught up on its hello alone.
		_, since, ok := c.sink.Resume()
		return target == 0 || ok && since >= target
	}
	failures := 0
	why := "" // what kept the feed resuming, for a timeout's error
	for {
		liveAt, err := c.session(ctx, caughtUp)
		switch {
		case err == nil, errors.Is(err, ErrFeedEnded):
			// A feed that has ended sends all it has before it closes.
			return nil
		case ctx.Err() != nil:
			if why != "" {
				why = " (" + why + ")"
			}
			return fmt.Errorf("%s: not caught up with the feed in time%s: %w", c.url.Redacted(), why, ctx.Err())
		case !errors.Is(err, errResync):
			return err
		}
		c.backOff(ctx, &failures, liveAt, err)
		if failures > 1 {
			why = c.Status().Err
		}
	}
}

// backOff waits before the next connection after one that went live at
// liveAt (zero if it never did) and ended with err, counting failures; it
// returns false if ctx ended first. A resume is immediate only when it is
// the first failure since a stable connection, so a gap on a healthy feed is
// filled at once while a feed that keeps breaking its sequence is resumed
// ever more slowly.
func (c *Client) backOff(ctx context.Context, failures *int, liveAt time.Time, err error) bool {
	if !liveAt.IsZero() && time.Since(liveAt) >= stableAfter {
		*failures = 0
	}
	*failures++
	resync := errors.Is(err, errResync)
	if resync && *failures == 1 {
		return true
	}
	// A rerun's new stream is read again from its start at once, however
	// often the old feed failed while it was down; at most once a
	// stableAfter, so that a feed that keeps changing streams still waits.
	if errors.Is(err, errStartOver) && time.Since(c.startedOver) >= stableAfter {
		c.startedOver, *failures = time.Now(), 0
		return true
	}
	why := err.Error()
	if resync {
		why = c.resyncReason(*failures - 1)
	}
	wait := Backoff(*failures, c.opt.MinBackoff, c.opt.MaxBackoff, rand.Float64())
	c.setStatus(func(s *ConnStatus) {
		s.State, s.Err, s.Attempts, s.Retry = ConnReconnecting, why, *failures, time.Now().Add(wait)
	})
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// resyncReason says why the client keeps resuming: the feed skips seqs,
// most often because a line it sent cannot be read and so loses its seq.
func (c *Client) resyncReason(resumes int) string {
	why := fmt.Sprintf("the feed keeps skipping seqs (%d resumes in a row)", resumes)
	if r, ok := c.sink.(BadLineReporter); ok {
		if bad := r.LastBadLine(); bad != "" {
			why = fmt.Sprintf("the feed keeps sending a line I cannot read: %s (%d resumes in a row)", bad, resumes)
		}
	}
	return why
}

var (
	errResync = errors.New("resync")
	// errStartOver is a resync the sink asked for on a connection's first
	// frame: its hello named a new stream that starts a new floor.
	errStartOver = fmt.Errorf("%w: a new stream, read from its start", errResync)
)

// session is one connection. done, when set, is asked after every frame
// (with the seq of the connection's hello) whether to stop; session then
// returns nil. Otherwise it returns why the connection ended: errResync,
// ErrFeedEnded or a failure; liveAt is when its first frame arrived (zero
// if none did).
func (c *Client) session(ctx context.Context, done func(hello int64) bool) (liveAt time.Time, err error) {
	u := *c.url
	q := u.Query()
	if stream, since, ok := c.sink.Resume(); ok {
		q.Set("since", strconv.FormatInt(since, 10))
		q.Set("stream", stream)
	} else if c.opt.FromStart || done != nil {
		q.Set("since", "0")
	}
	u.RawQuery = q.Encode()

	dialer := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: clientHandshakeTimeout,
		TLSClientConfig:  c.opt.TLSConfig,
	}
	header := http.Header{}
	if c.opt.Token != "" {
		header.Set("Authorization", "Bearer "+c.opt.Token)
	}
	c.setStatus(func(s *ConnStatus) {
		if s.State != ConnReconnecting {
			s.State = ConnConnecting
		}
	})
	ws, resp, err := dialer.DialContext(ctx, u.String(), header)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized {
				return liveAt, fmt.Errorf("%s refused the token (401): set --token or FLOORWATCH_TOKEN", c.url.Redacted())
			}
			return liveAt, fmt.Errorf("%s: upgrade refused: %s%s", c.url.Redacted(), resp.Status, refusal(resp))
		}
		return liveAt, fmt.Errorf("cannot reach feed %s: %w", c.url.Redacted(), err)
	}
	// Closing the socket when ctx ends unblocks the read below.
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	defer ws.Close()
	ws.SetReadLimit(clientReadLimit)

	hello := int64(-1)
	for {
		first := false
		ws.SetReadDeadline(time.Now().Add(c.opt.ReadTimeout))
		_, data, err := ws.ReadMessage()
		if err != nil {
			return liveAt, ended(err)
		}
		if liveAt.IsZero() {
			liveAt, first = time.Now(), true
			// A connection starts with a hello announcing the feed's last seq.
			if hello = helloSeq(data); hello < 0 && done != nil {
				return liveAt, fmt.Errorf("%s: the feed did not start with a hello", c.url.Redacted())
			}
			c.setStatus(func(s *ConnStatus) {
				s.State, s.Err, s.Attempts, s.Retry, s.SourceLost = ConnLive, "", 0, time.Time{}, ""
			})
		}
		c.mu.Lock()
		c.status.LastFrame = time.Now()
		if n, ok := ReadHeartbeat(data); ok {
			c.status.SourceLost = n.SourceLost
		}
		c.mu.Unlock()
		if c.sink.Frame(data) {
			ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "resync"), time.Now().Add(time.Second))
			if first {
				return liveAt, errStartOver
			}
			return liveAt, errResync
		}
		if done != nil && done(hello) {
			ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "caught up"), time.Now().Add(time.Second))
			return liveAt, nil
		}
	}
}

// ended turns a read error into why the session ended.
func ended(err error) error {
	if errors.Is(err, websocket.ErrReadLimit) {
		return fmt.Errorf("the feed sent a frame over the read limit (%d MiB)", clientReadLimit>>20)
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case websocket.CloseNormalClosure:
			return ErrFeedEnded
		case CloseTooSlow:
			err = fmt.Errorf("dropped by the server for reading too slowly")
		case websocket.CloseGoingAway:
			err = fmt.Errorf("feed server went away")
		}
	}
	return err
}

// refusal is the first line of the text a server gave with a refused
// upgrade (the connection caps, the origin check), cleaned and bounded.
func refusal(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	line, _, _ := strings.Cut(string(b), "\n")
	if line = strings.TrimSpace(safetext.Clean(line)); line == "" {
		return ""
	}
	return ": " + line
}

// helloSeq is the seq the first line of a connection's first frame
// announces, or -1 when that line is not a hello.
func helloSeq(frame []byte) int64 {
	seq := int64(-1)
	EachLine(frame, func(line []byte) bool {
		if d := Decode(line); d.Err == nil && d.Event.Type == TypeHello {
			seq = d.Event.Seq
		}
		return false
	})
	return seq
}
