package feed

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Close codes a feed server ends a connection with, besides the standard
// 1000 (the feed has ended: do not reconnect) and 1001 (the server is going
// away: reconnect).
const (
	// CloseTooSlow: the client fell SendQueue frames behind. It should
	// reconnect with ?since= and will be served from the history ring.
	CloseTooSlow = 4000
)

// Server defaults.
const (
	DefaultHistory   = 1 << 16
	DefaultSendQueue = 1024
	// DefaultHeartbeat is well inside the protocol's 2 s so that a client
	// watching for silence never sees a healthy feed as stale.
	DefaultHeartbeat = time.Second

	serverWriteWait  = 10 * time.Second
	serverPongWait   = 30 * time.Second
	serverPingPeriod = serverPongWait * 9 / 10
	// Clients send nothing but control frames; anything larger is abuse.
	serverReadLimit = 4096
	// maxFrame bounds a frame the server builds from queued lines or
	// history, so a client never needs a huge read buffer to catch up.
	maxFrame = 256 << 10
)

// ServerOptions configure a Server. Only Tracker is required.
type ServerOptions struct {
	// Feed is the name a hello announces.
	Feed string
	// Tracker folds every published line and gives the snapshot a client
	// gets when it cannot resume. The server calls it with its own lock
	// held; nothing else may use it concurrently.
	Tracker Tracker
	// Base, when set, folds each line as it leaves the history ring, so
	// that ?since=0 on a long-running feed starts with a snapshot of the
	// state just before the oldest retained event, followed by every
	// retained event. Without it such a client gets a snapshot of now.
	Base Tracker
	// History is how many events the ring keeps for resume (DefaultHistory).
	History int
	// SendQueue is how many unsent frames a client may fall behind before
	// it is closed with CloseTooSlow (DefaultSendQueue).
	SendQueue int
	// Heartbeat is the interval between heartbeats on every connection
	// (DefaultHeartbeat; the protocol requires at most 2 s).
	Heartbeat time.Duration
	// Token, when set, is required as "Authorization: Bearer TOKEN" on the
	// upgrade; anything else gets 401 before any upgrade.
	Token string
	// Now is the feed's clock for the ts of hello and heartbeat lines; a
	// simulator passes its simulated clock. Default: the wall clock.
	Now func() time.Time
}

// Server is a WebSocket feed server: it assigns seq to published events,
// keeps a bounded history for resume, and fans frames out to any number of
// clients, none of which can slow the publisher or each other.
type Server struct {
	opt      ServerOptions
	stream   string
	upgrader websocket.Upgrader

	mu      sync.Mutex
	seq     int64
	lastTS  time.Time
	ring    []entry // circular, oldest at head
	head    int
	size    int
	baseSeq int64 // seq of the newest event evicted from the ring
	baseTS  time.Time
	clients map[*client]struct{}
	closing int // 0 while open, else the close code every client gets
	done    chan struct{}
}

type entry struct {
	seq  int64
	ts   time.Time
	line []byte // with its newline
}

// chunk is a run of complete lines queued for one client.
type chunk struct {
	data    []byte
	lastSeq int64
	lastTS  time.Time
}

// NewServer makes a server with a fresh stream id.
func NewServer(opt ServerOptions) *Server {
	if opt.Tracker == nil {
		panic("feed.NewServer: ServerOptions.Tracker is required")
	}
	if opt.History <= 0 {
		opt.History = DefaultHistory
	}
	if opt.SendQueue <= 0 {
		opt.SendQueue = DefaultSendQueue
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = DefaultHeartbeat
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Server{
		opt:     opt,
		stream:  newStreamID(),
		ring:    make([]entry, opt.History),
		clients: map[*client]struct{}{},
		done:    make(chan struct{}),
		// Any origin may read: the token, not the browser origin, guards
		// the feed, and the clients are not browsers.
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
}

func newStreamID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("feed: no randomness for a stream id: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// Stream is this server's stream id, new at every start.
func (s *Server) Stream() string { return s.stream }

// LastSeq is the seq of the last published event.
func (s *Server) LastSeq() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq
}

// Publish assigns the next seqs to evs (setting their Seq), folds them into
// the tracker, keeps them in the history and sends them to every client as
// one frame. It never blocks on a client. It returns the last seq assigned;
// after Close or End it publishes nothing.
func (s *Server) Publish(evs ...*Event) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing != 0 || len(evs) == 0 {
		return s.seq
	}
	var data []byte
	for _, ev := range evs {
		s.seq++
		ev.Seq = s.seq
		line := Encode(ev)
		s.opt.Tracker.Track(line)
		line = append(line, '\n')
		s.remember(entry{seq: s.seq, ts: ev.TS, line: line})
		if ev.TS.After(s.lastTS) {
			s.lastTS = ev.TS
		}
		data = append(data, line...)
	}
	ch := chunk{data: data, lastSeq: s.seq, lastTS: s.lastTS}
	for c := range s.clients {
		select {
		case c.send <- ch:
		default:
			s.dropLocked(c, CloseTooSlow, "floorwatch: client too slow, reconnect with ?since=")
		}
	}
	return s.seq
}

// remember adds e to the ring, evicting (and folding into Base) the oldest.
func (s *Server) remember(e entry) {
	if s.size == len(s.ring) {
		old := s.ring[s.head]
		if s.opt.Base != nil {
			s.opt.Base.Track(old.line[:len(old.line)-1])
		}
		s.baseSeq, s.baseTS = old.seq, old.ts
		s.ring[s.head] = e
		s.head = (s.head + 1) % len(s.ring)
		return
	}
	s.ring[(s.head+s.size)%len(s.ring)] = e
	s.size++
}

// ServeHTTP upgrades a feed request: `?since=N&stream=ID` resumes after N,
// `?since=0` asks for the whole retained history, anything else starts
// with a snapshot.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.opt.Token != "" {
		want := "Bearer " + s.opt.Token
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="floorwatch"`)
			http.Error(w, "a valid bearer token is required", http.StatusUnauthorized)
			return
		}
	}
	since := int64(-1)
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			http.Error(w, fmt.Sprintf("since: want a seq (an integer ≥ 0), got %q", v), http.StatusBadRequest)
			return
		}
		since = n
	}
	stream := r.URL.Query().Get("stream")
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the request
	}
	c := &client{s: s, ws: ws, send: make(chan chunk, s.opt.SendQueue), drop: make(chan struct{})}
	s.mu.Lock()
	if s.closing != 0 {
		code := s.closing
		s.mu.Unlock()
		c.closeWith(code, closeText(code))
		return
	}
	c.initial, c.lastSeq, c.lastTS = s.startLocked(since, stream)
	s.clients[c] = struct{}{}
	s.mu.Unlock()
	go c.writeLoop()
	go c.readLoop()
}

// startLocked is what a new connection gets before live events: the hello
// and then either the retained events after since or a snapshot.
func (s *Server) startLocked(since int64, stream string) (lines [][]byte, lastSeq int64, lastTS time.Time) {
	now := s.opt.Now().UTC()
	if now.Before(s.lastTS) {
		now = s.lastTS
	}
	lines = append(lines, lineOf(&Event{Type: TypeHello, Seq: s.seq, TS: now, Feed: s.opt.Feed, Stream: s.stream}))
	oldest := s.baseSeq // the ring holds every event after this one
	switch {
	case since == 0 && oldest == 0, since > 0 && stream == s.stream && since >= oldest && since <= s.seq:
		// Resumable: nothing the client needs has left the ring.
	case since == 0 && s.opt.Base != nil:
		ts := s.baseTS
		lines = append(lines, lineOf(&Event{Type: TypeSnapshot, Seq: oldest, TS: ts, Snapshot: snapshotOf(s.opt.Base)}))
		since = oldest
	default:
		ts := s.lastTS
		if ts.IsZero() {
			ts = now
		}
		lines = append(lines, lineOf(&Event{Type: TypeSnapshot, Seq: s.seq, TS: ts, Snapshot: snapshotOf(s.opt.Tracker)}))
		return lines, s.seq, s.lastTS
	}
	for i := 0; i < s.size; i++ {
		e := s.ring[(s.head+i)%len(s.ring)]
		if e.seq > since {
			lines = append(lines, e.line)
		}
	}
	return lines, s.seq, s.lastTS
}

func snapshotOf(t Tracker) *Snapshot {
	snap := t.Snapshot()
	return &snap
}

func lineOf(ev *Event) []byte { return append(Encode(ev), '\n') }

// dropLocked removes c and has its writer close it with code.
func (s *Server) dropLocked(c *client, code int, text string) {
	if _, ok := s.clients[c]; !ok {
		return
	}
	delete(s.clients, c)
	c.dropCode, c.dropText = code, text
	close(c.drop)
}

func (s *Server) remove(c *client) {
	s.mu.Lock()
	delete(s.clients, c)
	s.mu.Unlock()
}

// Clients is how many connections are being served.
func (s *Server) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// Close stops the server for a restart or shutdown: every client gets what
// it was sent, then close code 1001 (going away) and reconnects by itself.
func (s *Server) Close() { s.shut(websocket.CloseGoingAway) }

// End stops the server because the feed is over (a scenario ran to its
// end): every client gets what it was sent, then close code 1000, and does
// not reconnect.
func (s *Server) End() { s.shut(websocket.CloseNormalClosure) }

func closeText(code int) string {
	if code == websocket.CloseNormalClosure {
		return "feed ended"
	}
	return "feed server going away"
}

func (s *Server) shut(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing != 0 {
		return
	}
	s.closing = code
	close(s.done)
}

// Serve serves the feed on ln (bind 127.0.0.1 unless the feed is meant
// for other machines) until ctx is done, over TLS (wss://) when certFile and
// keyFile are given. It calls Close on the way out.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	if (certFile == "") != (keyFile == "") {
		ln.Close()
		return errors.New("TLS needs both a certificate and a key file")
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Close()
	shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// Upgraded connections are not the http.Server's to wait for; their
	// writers send the close frame themselves.
	hs.Shutdown(shutCtx)
	<-errc
	return nil
}

// client is one connection: the writer goroutine owns every write except
// the pings' deadline-bound control frames.
type client struct {
	s    *Server
	ws   *websocket.Conn
	send chan chunk
	drop chan struct{} // closed by the server to have the writer close

	dropCode int
	dropText string

	// Written only before the writer starts, then owned by it.
	initial [][]byte
	lastSeq int64
	lastTS  time.Time

	once sync.Once
}

func (c *client) closeWith(code int, text string) {
	c.ws.SetWriteDeadline(time.Now().Add(serverWriteWait))
	c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, text))
	c.shutdown()
}

func (c *client) shutdown() {
	c.once.Do(func() {
		c.s.remove(c)
		c.ws.Close()
	})
}

func (c *client) readLoop() {
	defer c.shutdown()
	c.ws.SetReadLimit(serverReadLimit)
	c.ws.SetReadDeadline(time.Now().Add(serverPongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(serverPongWait))
	})
	for {
		if _, _, err := c.ws.NextReader(); err != nil {
			return
		}
	}
}

func (c *client) writeLoop() {
	defer c.shutdown()
	heartbeat := time.NewTicker(c.s.opt.Heartbeat)
	defer heartbeat.Stop()
	ping := time.NewTicker(serverPingPeriod)
	defer ping.Stop()

	var frame []byte
	for _, line := range c.initial {
		if len(frame) > 0 && len(frame)+len(line) > maxFrame {
			if c.write(frame) != nil {
				return
			}
			frame = frame[:0]
		}
		frame = append(frame, line...)
	}
	c.initial = nil
	if c.write(frame) != nil {
		return
	}
	for {
		select {
		case ch := <-c.send:
			if c.write(c.batch(ch)) != nil {
				return
			}
		case <-heartbeat.C:
			if c.write(c.heartbeat()) != nil {
				return
			}
		case <-ping.C:
			c.ws.SetWriteDeadline(time.Now().Add(serverWriteWait))
			if c.ws.WriteMessage(websocket.PingMessage, nil) != nil {
				return
			}
		case <-c.drop:
			c.closeWith(c.dropCode, c.dropText)
			return
		case <-c.s.done:
			// Deliver what was published before the close, then say why.
			if c.flush() != nil {
				return
			}
			c.closeWith(c.s.closing, closeText(c.s.closing))
			return
		}
	}
}

// flush writes everything still queued.
func (c *client) flush() error {
	for {
		select {
		case ch := <-c.send:
			if err := c.write(c.batch(ch)); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// batch joins ch with whatever else is already queued, up to maxFrame, so a
// busy feed sends fewer, larger frames.
func (c *client) batch(ch chunk) []byte {
	data := ch.data
	owned := false
	c.lastSeq, c.lastTS = ch.lastSeq, ch.lastTS
	for len(data) < maxFrame {
		select {
		case more := <-c.send:
			if !owned {
				// Copy before appending: ch.data is shared by every client.
				data = append(make([]byte, 0, 2*(len(data)+len(more.data))), data...)
				owned = true
			}
			data = append(data, more.data...)
			c.lastSeq, c.lastTS = more.lastSeq, more.lastTS
		default:
			return data
		}
	}
	return data
}

// heartbeat announces the last seq this client was sent (not the server's
// newest, which may still be queued for it) at the feed's clock.
func (c *client) heartbeat() []byte {
	ts := c.s.opt.Now().UTC()
	if ts.Before(c.lastTS) {
		ts = c.lastTS
	}
	return lineOf(&Event{Type: TypeHeartbeat, Seq: c.lastSeq, TS: ts})
}

func (c *client) write(frame []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(serverWriteWait))
	return c.ws.WriteMessage(websocket.TextMessage, frame)
}
