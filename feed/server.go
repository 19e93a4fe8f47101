package feed

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/safetext"
)

// Close codes a feed server ends a connection with, besides the standard
// 1000 (the feed has ended: do not reconnect) and 1001 (the server is going
// away: reconnect).
const (
	// CloseTooSlow: more than SendBudget bytes were waiting for the client.
	// It should reconnect with ?since= and will be served from the history.
	CloseTooSlow = 4000
)

// Server defaults.
const (
	DefaultHistory = 1 << 16
	// DefaultSendBudget is minutes of a busy floor's events and a few
	// seconds of a simulation at full speed: a client that falls this far
	// behind is better served by a resume than by a longer queue.
	DefaultSendBudget = 8 << 20
	// DefaultSendBuffer keeps what a client that stops reading can pin in
	// the kernel small (Linux would otherwise grow it to megabytes) while
	// leaving room for a full frame.
	DefaultSendBuffer = 256 << 10
	// DefaultMaxConns and DefaultMaxConnsPerAddr are far above a floor's
	// supervisors and dashboards, and far below what exhausts a server.
	DefaultMaxConns        = 1000
	DefaultMaxConnsPerAddr = 64
	// DefaultHeartbeat is well inside the protocol's 2 s so that a client
	// watching for silence never sees a healthy feed as stale.
	DefaultHeartbeat = time.Second

	serverWriteWait = 10 * time.Second
	// serverPongWait: a client that reads answers a ping within the time it
	// takes to read what was sent before it (a socket's buffers); one that
	// never reads never answers and is cut off this long after connecting.
	serverPongWait   = 10 * time.Second
	serverPingPeriod = serverPongWait / 2
	// Clients send control frames and, to a drill, commands of a few
	// hundred bytes (commands.go); anything larger is abuse.
	serverReadLimit = 4096
	// connBufferSize is each connection's read buffer and the pooled write
	// buffer a frame's first bytes are copied into: a control frame fits.
	connBufferSize = 512
	// maxFrame bounds a frame the server builds from history or from what is
	// queued, so a client never needs a huge read buffer to catch up.
	maxFrame = 256 << 10
)

// ServerOptions configure a Server. Only Tracker is required; zero values
// take the defaults.
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
	// SendBudget is how many bytes of published events may wait for one
	// client before it is closed with CloseTooSlow (DefaultSendBudget).
	SendBudget int
	// SendBuffer is each connection's kernel send buffer in bytes
	// (DefaultSendBuffer).
	SendBuffer int
	// MaxConns and MaxConnsPerAddr cap the connections served at once, in
	// all and from one IP address (DefaultMaxConns, DefaultMaxConnsPerAddr).
	// Over a cap an upgrade gets 503 or 429 with the reason.
	MaxConns, MaxConnsPerAddr int
	// AllowOrigins are the browser origins ("https://wall.example.com")
	// whose pages may open the feed. A request carrying any other Origin
	// header gets 403 before the upgrade; requests without one, from every
	// client that is not a browser, are not affected.
	AllowOrigins []string
	// Heartbeat is the interval between heartbeats on every connection
	// (DefaultHeartbeat; the protocol requires at most 2 s).
	Heartbeat time.Duration
	// Token, when set, is required as "Authorization: Bearer TOKEN" on the
	// upgrade; anything else gets 401 before any upgrade.
	Token string
	// Now is the feed's clock for the ts of hello and heartbeat lines; a
	// simulator passes its simulated clock. Default: the wall clock.
	Now func() time.Time
	// OnCommand makes the feed a drill's: it gets every text frame a
	// client sends (a drill.command) and who sent it (commands.go), from
	// that client's reader, so it must not block long. Without it a client
	// that sends a frame is closed with CloseNotADrill.
	OnCommand func(frame []byte, by string)
}

// Server is a WebSocket feed server: it assigns seq to published events,
// keeps a bounded history for resume, and fans frames out to any number of
// clients, none of which can slow the publisher or each other. Every client
// is sent the same bytes of history and of live events, never a copy.
type Server struct {
	opt      ServerOptions
	stream   string
	upgrader websocket.Upgrader

	mu      sync.Mutex
	enc     Encoder
	line    []byte // the line being published, before it is copied to its block
	seq     int64
	lastTS  time.Time
	ring    []entry // circular, oldest at head
	head    int
	size    int
	baseSeq int64 // seq of the newest event evicted from the ring
	baseTS  time.Time
	// blocks hold the encoded lines of the ring's events (and, in the
	// oldest, some already evicted), oldest first.
	blocks   []*block
	liveSnap snapLine // the Tracker's snapshot at seq, while nothing is published
	baseSnap snapLine // Base's, while nothing is evicted
	clients  map[*client]struct{}
	conns    int            // connections admitted and not yet closed
	perAddr  map[string]int // the same, by remote IP address
	closing  int            // 0 while open, else the close code every client gets
	done     chan struct{}
	// sourceLost is what every heartbeat says of the server's source
	// (SetSourceLost), "" while it is reachable.
	sourceLost atomic.Pointer[string]
}

type entry struct {
	seq  int64
	ts   time.Time
	line []byte // with its newline, in a block
}

// block is a run of consecutive lines, appended to until it holds maxFrame
// bytes. Bytes below its length never change, so a slice of it can be sent
// to any number of clients at once.
type block struct {
	data  []byte
	first int64   // seq of its first line
	start []int32 // offset of each line in data
}

func (b *block) last() int64 { return b.first + int64(len(b.start)) - 1 }

// chunk is a run of lines published together, for one or more clients.
type chunk struct {
	b        *block
	from, to int
	lastSeq  int64
	lastTS   time.Time
}

type snapLine struct {
	seq  int64
	ts   time.Time
	line []byte
}

// NewServer makes a server with a fresh stream id.
func NewServer(opt ServerOptions) *Server {
	if opt.Tracker == nil {
		panic("feed.NewServer: ServerOptions.Tracker is required")
	}
	if opt.History <= 0 {
		opt.History = DefaultHistory
	}
	if opt.SendBudget <= 0 {
		opt.SendBudget = DefaultSendBudget
	}
	if opt.SendBuffer <= 0 {
		opt.SendBuffer = DefaultSendBuffer
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = DefaultMaxConns
	}
	if opt.MaxConnsPerAddr <= 0 {
		opt.MaxConnsPerAddr = DefaultMaxConnsPerAddr
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
		perAddr: map[string]int{},
		done:    make(chan struct{}),
		upgrader: websocket.Upgrader{
			// ServeHTTP has checked the origin, with a clearer answer.
			CheckOrigin: func(*http.Request) bool { return true },
			// Idle connections hold no write buffer of their own, and a
			// write copies little into one: the frame, a slice of a shared
			// block, goes to the socket as it is. Clients send only control
			// frames, which fit a small read buffer (gorilla would otherwise
			// keep the 4 KiB one the HTTP server read the upgrade with).
			WriteBufferPool: new(sync.Pool),
			WriteBufferSize: connBufferSize,
			ReadBufferSize:  connBufferSize,
		},
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
// the tracker, keeps them in the history and queues them for every client.
// It never blocks on a client. It returns the last seq assigned; after
// Close or End it publishes nothing.
func (s *Server) Publish(evs ...*Event) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing != 0 || len(evs) == 0 {
		return s.seq
	}
	// Usually one chunk; two when the lines fill a block and start the next.
	var out []chunk
	var cur *block
	from := 0
	for _, ev := range evs {
		s.seq++
		ev.Seq = s.seq
		s.line = append(s.enc.Append(s.line[:0], ev), '\n')
		if b := s.tail(len(s.line)); b != cur {
			out = s.cut(out, cur, from)
			cur, from = b, len(b.data)
		}
		at := len(cur.data)
		cur.data = append(cur.data, s.line...)
		cur.start = append(cur.start, int32(at))
		line := cur.data[at:len(cur.data):len(cur.data)]
		s.opt.Tracker.Track(line[:len(line)-1])
		s.remember(entry{seq: s.seq, ts: ev.TS, line: line})
		if ev.TS.After(s.lastTS) {
			s.lastTS = ev.TS
		}
	}
	out = s.cut(out, cur, from)
	n := 0
	for _, ch := range out {
		n += ch.to - ch.from
	}
	for c := range s.clients {
		if c.queued+n > s.opt.SendBudget {
			s.dropLocked(c, CloseTooSlow, fmt.Sprintf("floorwatch: more than %s waiting for this client; reconnect with ?since=", bytesName(s.opt.SendBudget)))
			continue
		}
		c.queue = append(c.queue, out...)
		c.queued += n
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return s.seq
}

// tail is the block the next line of n bytes goes into: the newest one,
// or a new one when it has no room.
func (s *Server) tail(n int) *block {
	if k := len(s.blocks); k > 0 {
		if b := s.blocks[k-1]; len(b.data)+n <= cap(b.data) {
			return b
		}
	}
	b := &block{data: make([]byte, 0, max(maxFrame, n)), first: s.seq}
	s.blocks = append(s.blocks, b)
	return b
}

// cut appends to out the lines just published in b, from offset from on.
func (s *Server) cut(out []chunk, b *block, from int) []chunk {
	if b == nil || len(b.data) == from {
		return out
	}
	return append(out, chunk{b: b, from: from, to: len(b.data), lastSeq: b.last(), lastTS: s.lastTS})
}

// bytesName writes a size as people read it: 8 MiB, 256 KiB.
func bytesName(n int) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// remember adds e to the ring, evicting (and folding into Base) the oldest,
// and lets go of the blocks no retained event is in.
func (s *Server) remember(e entry) {
	if s.size < len(s.ring) {
		s.ring[(s.head+s.size)%len(s.ring)] = e
		s.size++
		return
	}
	old := s.ring[s.head]
	if s.opt.Base != nil {
		s.opt.Base.Track(old.line[:len(old.line)-1])
	}
	s.baseSeq, s.baseTS = old.seq, old.ts
	s.ring[s.head] = e
	s.head = (s.head + 1) % len(s.ring)
	for len(s.blocks) > 0 && s.blocks[0].last() <= s.baseSeq {
		s.blocks[0] = nil
		s.blocks = s.blocks[1:]
	}
}

// ServeHTTP upgrades a feed request: `?since=N&stream=ID` resumes after N,
// `?since=0` asks for the whole retained history, anything else starts
// with a snapshot. Every refusal comes before the upgrade, with a reason.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" && !s.originAllowed(origin) {
		// A browser page from another site: it must not read the floor, nor
		// act in a drill, just because a supervisor has it open.
		origin = safetext.Clean(origin)
		http.Error(w, fmt.Sprintf("origin %q may not open this feed; start the feed server with --allow-origin %s to let its pages in", origin, origin), http.StatusForbidden)
		return
	}
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
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	if code, why := s.admit(addr); code != 0 {
		http.Error(w, why, code)
		return
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.release(addr)
		return // the upgrader has answered the request
	}
	setSendBuffer(ws.NetConn(), s.opt.SendBuffer)
	c := &client{s: s, ws: ws, addr: addr, wake: make(chan struct{}, 1), drop: make(chan struct{}), gone: make(chan struct{})}
	s.mu.Lock()
	if code := s.closing; code == websocket.CloseGoingAway {
		s.mu.Unlock()
		c.closeWith(code, closeText(code))
		return
	}
	// A feed that has ended still serves its run: the writer sends it,
	// then closes with 1000 as it did for the clients of the run.
	c.initial, c.lastSeq, c.lastTS = s.startLocked(since, stream)
	s.clients[c] = struct{}{}
	s.mu.Unlock()
	go c.writeLoop()
	go c.readLoop()
	go c.pingLoop()
}

func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.opt.AllowOrigins {
		if strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	return false
}

// admit counts a new connection from addr against the caps, or says why
// not with the HTTP status to answer.
func (s *Server) admit(addr string) (status int, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.conns >= s.opt.MaxConns:
		return http.StatusServiceUnavailable, fmt.Sprintf("the feed server is full: %d connections, its limit (--max-conns); try again later", s.opt.MaxConns)
	case s.perAddr[addr] >= s.opt.MaxConnsPerAddr:
		return http.StatusTooManyRequests, fmt.Sprintf("too many connections from %s: %d, the limit per address (--max-conns-per-addr)", addr, s.opt.MaxConnsPerAddr)
	}
	s.conns++
	s.perAddr[addr]++
	return 0, ""
}

func (s *Server) release(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.releaseLocked(addr)
}

func (s *Server) releaseLocked(addr string) {
	s.conns--
	if s.perAddr[addr]--; s.perAddr[addr] == 0 {
		delete(s.perAddr, addr)
	}
}

// tcpConn is the TCP connection under conn (TLS or not), or nil.
func tcpConn(conn net.Conn) *net.TCPConn {
	if t, ok := conn.(*tls.Conn); ok {
		conn = t.NetConn()
	}
	tcp, _ := conn.(*net.TCPConn)
	return tcp
}

// setSendBuffer sizes a connection's kernel send buffer.
func setSendBuffer(conn net.Conn, n int) {
	if tcp := tcpConn(conn); tcp != nil {
		tcp.SetWriteBuffer(n)
	}
}

// startLocked is what a new connection gets before live events, as frames:
// the hello, then either the retained events after since or a snapshot.
// The snapshot and the history are shared with every other client.
func (s *Server) startLocked(since int64, stream string) (frames [][]byte, lastSeq int64, lastTS time.Time) {
	now := s.opt.Now().UTC()
	if now.Before(s.lastTS) {
		now = s.lastTS
	}
	frames = append(frames, lineOf(&Event{Type: TypeHello, Seq: s.seq, TS: now, Feed: s.opt.Feed, Stream: s.stream}))
	oldest := s.baseSeq // the ring holds every event after this one
	switch {
	case since == 0 && oldest == 0, since > 0 && stream == s.stream && since >= oldest && since <= s.seq:
		// Resumable: nothing the client needs has left the ring.
	case since == 0 && s.opt.Base != nil:
		frames = append(frames, snapshotLine(&s.baseSnap, s.opt.Base, oldest, s.baseTS))
		since = oldest
	default:
		ts := s.lastTS
		if ts.IsZero() {
			ts = now
		}
		frames = append(frames, snapshotLine(&s.liveSnap, s.opt.Tracker, s.seq, ts))
		return frames, s.seq, s.lastTS
	}
	for _, b := range s.blocks {
		if b.last() <= since {
			continue
		}
		from := 0
		if since >= b.first {
			from = int(b.start[since+1-b.first])
		}
		frames = append(frames, b.data[from:len(b.data):len(b.data)])
	}
	return frames, s.seq, s.lastTS
}

// snapshotLine is t's snapshot as the line of seq at ts. The encoding is
// kept in cache until seq or ts moves, so that clients connecting together
// share one.
func snapshotLine(cache *snapLine, t Tracker, seq int64, ts time.Time) []byte {
	if cache.line == nil || cache.seq != seq || !cache.ts.Equal(ts) {
		*cache = snapLine{seq: seq, ts: ts, line: lineOf(&Event{Type: TypeSnapshot, Seq: seq, TS: ts, Snapshot: snapshotOf(t)})}
	}
	return cache.line
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

// remove forgets c and gives back its place under the caps.
func (s *Server) remove(c *client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clients, c)
	s.releaseLocked(c.addr)
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
// not reconnect. A client that connects afterwards gets the whole run (the
// hello, then the retained history or a snapshot) and the same close.
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
// the pings', which pingLoop sends as deadline-bound control frames.
type client struct {
	s    *Server
	ws   *websocket.Conn
	addr string        // remote IP address, for the per-address cap
	wake chan struct{} // signalled when the queue gains a chunk
	drop chan struct{} // closed by the server to have the writer close
	gone chan struct{} // closed once the connection is closed

	// Guarded by s.mu.
	queue  []chunk
	queued int // bytes published for this client and not yet written

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
	c.cutOff(c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, text)))
	c.shutdown()
}

// cutOff resets the connection when err is a timeout (no pong, a write that
// did not go through): the client is not reading, and a graceful close
// would leave what it never read pinned in the kernel until TCP gives up on
// it, minutes later.
func (c *client) cutOff(err error) {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		if tcp := tcpConn(c.ws.NetConn()); tcp != nil {
			tcp.SetLinger(0)
		}
	}
}

func (c *client) shutdown() {
	c.once.Do(func() {
		c.s.remove(c)
		c.ws.Close()
		close(c.gone)
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
		typ, r, err := c.ws.NextReader()
		if err == nil && typ == websocket.TextMessage {
			err = c.command(r)
		}
		if err != nil {
			c.cutOff(err)
			return
		}
	}
}

// pingLoop asks for a pong every serverPingPeriod, also while the writer is
// busy with a long catch-up, so that only a client that reads stays.
func (c *client) pingLoop() {
	t := time.NewTicker(serverPingPeriod)
	defer t.Stop()
	for {
		select {
		case <-c.gone:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(serverWriteWait)); err != nil {
				c.cutOff(err)
				return
			}
		}
	}
}

func (c *client) writeLoop() {
	defer c.shutdown()
	heartbeat := time.NewTicker(c.s.opt.Heartbeat)
	defer heartbeat.Stop()

	for _, frame := range c.initial {
		select {
		case <-c.drop:
			c.closeWith(c.dropCode, c.dropText)
			return
		default:
		}
		if c.write(frame) != nil {
			return
		}
	}
	c.initial = nil
	for {
		select {
		case <-c.wake:
			if c.flush() != nil {
				return
			}
		case <-heartbeat.C:
			select {
			case <-c.s.done:
				// Closing: what remains to send is the run's end, not a
				// heartbeat after it.
				continue
			default:
			}
			if c.write(c.heartbeat()) != nil {
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

// flush writes everything queued, giving each frame's bytes back to the
// client's budget once written.
func (c *client) flush() error {
	for {
		frame := c.take()
		if frame == nil {
			return nil
		}
		if err := c.write(frame); err != nil {
			return err
		}
		c.s.mu.Lock()
		c.queued -= len(frame)
		c.s.mu.Unlock()
	}
}

// take removes the next frame from the queue: queued chunks that follow
// each other in a block, up to maxFrame, as one slice of it (so a busy
// feed sends fewer, larger frames, and no client gets a copy).
func (c *client) take() []byte {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if len(c.queue) == 0 {
		return nil
	}
	first, k := c.queue[0], 1
	for ; k < len(c.queue); k++ {
		next := c.queue[k]
		if next.b != first.b || next.from != c.queue[k-1].to || next.to-first.from > maxFrame {
			break
		}
	}
	last := c.queue[k-1]
	c.lastSeq, c.lastTS = last.lastSeq, last.lastTS
	c.queue = c.queue[k:]
	return first.b.data[first.from:last.to:last.to]
}

// heartbeat announces the last seq this client was sent (not the server's
// newest, which may still be queued for it) at the feed's clock.
func (c *client) heartbeat() []byte {
	ts := c.s.opt.Now().UTC()
	if ts.Before(c.lastTS) {
		ts = c.lastTS
	}
	var notes HeartbeatNotes
	if lost := c.s.sourceLost.Load(); lost != nil {
		notes.SourceLost = *lost
	}
	return append(EncodeHeartbeat(c.lastSeq, ts, notes), '\n')
}

// SetSourceLost has every heartbeat say, while why is not "", that the
// feed's source (a PBX the bridge reads) cannot be reached and why, so
// that dashboards show their figures are not the floor's now; "" clears
// it. A field clients that do not know it ignore, as the protocol says of
// unknown fields.
func (s *Server) SetSourceLost(why string) { s.sourceLost.Store(&why) }

func (c *client) write(frame []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(serverWriteWait))
	err := c.ws.WriteMessage(websocket.TextMessage, frame)
	c.cutOff(err)
	return err
}
