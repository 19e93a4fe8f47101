package feed_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/live"
)

// runClient runs a client for hub on url until the test ends.
func runClient(t *testing.T, url string, hub *live.Hub, opt feed.ClientOptions) (*feed.Client, <-chan error) {
	t.Helper()
	if opt.MinBackoff == 0 {
		opt.MinBackoff, opt.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	c, err := feed.NewClient(url, hub, opt)
	if err != nil {
		t.Fatal(err)
	}
	hub.SetConn(c.Status)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		done <- c.Run(ctx)
		close(finished)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(5 * time.Second):
			t.Error("client did not stop")
		}
	})
	return c, done
}

// waitSeq waits until hub has applied everything up to seq on stream.
func waitSeq(t *testing.T, hub *live.Hub, stream string, seq int64) {
	t.Helper()
	waitFor(t, "the client to reach seq "+strconv.FormatInt(seq, 10), 10*time.Second, func() bool {
		st, since, ok := hub.Resume()
		return ok && st == stream && since == seq
	})
}

// A client that follows a feed from its start ends with exactly the figures
// of the same events read from a file.
func TestClientFollowsFeed(t *testing.T) {
	evs := floorScript(40)
	s := newServer(t, feed.ServerOptions{Heartbeat: 10 * time.Millisecond})
	url := serve(t, s)
	s.Publish(evs[:50]...)
	hub := live.NewHub(floor.New(floor.Options{}))
	c, _ := runClient(t, url, hub, feed.ClientOptions{FromStart: true})
	for i := 50; i < len(evs); i += 7 {
		s.Publish(evs[i:min(i+7, len(evs))]...)
	}
	waitSeq(t, hub, s.Stream(), int64(len(evs)))
	if got, want := reportJSON(t, hub), cleanReport(t, evs); got != want {
		t.Fatalf("live figures differ from the recording's:\n%s\nwant\n%s", got, want)
	}
	st := hub.Conn()
	if st.State != feed.ConnLive || st.Err != "" || time.Since(st.LastFrame) > 5*time.Second {
		t.Fatalf("status %+v, want live with a recent frame", st)
	}
	if stats := hub.Report(floor.All).Feed; stats.Gaps != 0 || stats.Duplicates != 0 || stats.BadLines != 0 {
		t.Fatalf("feed stats %+v on a clean feed", stats)
	}
	if c.Status().URL != url {
		t.Fatalf("status URL %q, want %q", c.Status().URL, url)
	}
}

// lossyProxy relays a feed, leaving out the line with seq drop on its
// first connection only: a line lost in transit.
func lossyProxy(t *testing.T, upstream string, drop int64) (string, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := conns.Add(1)
		down, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer down.Close()
		feedConn, _, err := websocket.DefaultDialer.Dial(upstream+"?"+r.URL.RawQuery, nil)
		if err != nil {
			return
		}
		defer feedConn.Close()
		go func() {
			// The client only ever sends a close: end the relay then.
			for {
				if _, _, err := down.NextReader(); err != nil {
					feedConn.Close()
					return
				}
			}
		}()
		for {
			_, data, err := feedConn.ReadMessage()
			if err != nil {
				return
			}
			if n == 1 {
				var kept []byte
				for _, line := range bytes.SplitAfter(data, []byte("\n")) {
					d := feed.Decode(bytes.TrimSpace(line))
					if len(line) > 0 && (d.Event.Seq != drop || d.Event.IsControl()) {
						kept = append(kept, line...)
					}
				}
				data = kept
			}
			if len(data) > 0 && down.WriteMessage(websocket.TextMessage, data) != nil {
				return
			}
		}
	}))
	t.Cleanup(hs.Close)
	return "ws" + strings.TrimPrefix(hs.URL, "http"), &conns
}

// A line lost on a live feed is a gap: the client resumes from its last
// applied seq at once, and ends with the figures of a clean run.
func TestClientResyncsOnGap(t *testing.T) {
	evs := floorScript(40)
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	s.Publish(evs[:20]...)
	proxy, conns := lossyProxy(t, url, 25)
	hub := live.NewHub(floor.New(floor.Options{}))
	runClient(t, proxy, hub, feed.ClientOptions{FromStart: true})
	waitSeq(t, hub, s.Stream(), 20)
	for _, ev := range evs[20:] {
		s.Publish(ev) // seq 25 goes missing on its way to the client
	}
	waitSeq(t, hub, s.Stream(), int64(len(evs)))
	if got, want := reportJSON(t, hub), cleanReport(t, evs); got != want {
		t.Fatalf("figures after a resync differ from a clean run:\n%s\nwant\n%s", got, want)
	}
	stats := hub.Report(floor.All).Feed
	if stats.Gaps != 1 || stats.Duplicates != 0 || stats.BadLines != 0 {
		t.Fatalf("feed stats %+v, want exactly one gap", stats)
	}
	if conns.Load() != 2 {
		t.Fatalf("%d connections, want 2 (the first, then the resume)", conns.Load())
	}
}

// When the server restarts it has a new stream: the client reconnects by
// itself, takes the new server's snapshot and follows it.
func TestClientFollowsServerRestart(t *testing.T) {
	ln := mustListen(t)
	addr := ln.Addr().String()
	first := newServer(t, feed.ServerOptions{})
	ctx1, stop1 := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- first.Serve(ctx1, ln, "", "") }()
	first.Publish(floorScript(10)...)

	hub := live.NewHub(floor.New(floor.Options{}))
	runClient(t, "ws://"+addr+"/", hub, feed.ClientOptions{})
	waitSeq(t, hub, first.Stream(), first.LastSeq())
	stop1()
	<-served

	// The new server starts over with calls c100 onwards waiting.
	second := newServer(t, feed.ServerOptions{})
	evs := floorScript(0)
	for i := 0; i < 3; i++ {
		evs = append(evs, &feed.Event{Type: feed.TypeOffered, TS: t0.Add(time.Hour), Call: "c10" + strconv.Itoa(i), Queue: "support"})
	}
	second.Publish(evs...)
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, stop2 := context.WithCancel(context.Background())
	defer stop2()
	go second.Serve(ctx2, ln2, "", "")
	waitSeq(t, hub, second.Stream(), second.LastSeq())
	before := hub.Report(floor.All).Floor.Offered

	second.Publish(&feed.Event{Type: feed.TypeOffered, TS: t0.Add(time.Hour), Call: "c200", Queue: "support"})
	waitSeq(t, hub, second.Stream(), second.LastSeq())
	r := hub.Report(floor.All)
	// The snapshot's three waiting calls were not offered on this feed; the
	// one offered after it was. Counters from the first server are kept.
	if r.Floor.Waiting != 4 || r.Floor.Offered != before+1 {
		t.Fatalf("after restart: waiting %d offered %d, want 4 waiting and offered %d", r.Floor.Waiting, r.Floor.Offered, before+1)
	}
}

// Reconnect delays grow exponentially up to the cap, each drawn uniformly
// below its ceiling.
func TestBackoff(t *testing.T) {
	const lo, hi = 100 * time.Millisecond, 2 * time.Second
	for _, tc := range []struct {
		n       int
		u       float64
		want    time.Duration
		comment string
	}{
		{1, 0.5, 50 * time.Millisecond, "ceiling 100ms"},
		{2, 0.5, 100 * time.Millisecond, "ceiling 200ms"},
		{4, 0.25, 200 * time.Millisecond, "ceiling 800ms"},
		{5, 0.5, 800 * time.Millisecond, "ceiling 1.6s"},
		{6, 0.5, time.Second, "3.2s capped at 2s"},
		{200, 0.5, time.Second, "no overflow far out"},
		{3, 0, 0, "full jitter reaches zero"},
		{0, 0.5, 50 * time.Millisecond, "attempt 0 is treated as the first"},
	} {
		if got := feed.Backoff(tc.n, lo, hi, tc.u); got != tc.want {
			t.Errorf("Backoff(%d, u=%v) = %v, want %v (%s)", tc.n, tc.u, got, tc.want, tc.comment)
		}
	}
}

// A feed that cannot be reached is retried with backoff, the attempts and
// the reason shown in the status.
func TestClientRetriesDeadFeed(t *testing.T) {
	ln := mustListen(t)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	hub := live.NewHub(floor.New(floor.Options{}))
	c, _ := runClient(t, "ws://"+addr+"/", hub, feed.ClientOptions{MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond})
	waitFor(t, "three failed attempts", 5*time.Second, func() bool { return c.Status().Attempts >= 3 })
	st := c.Status()
	if st.State != feed.ConnReconnecting || !strings.Contains(st.Err, "cannot reach feed") {
		t.Fatalf("status %+v, want reconnecting because the feed cannot be reached", st)
	}
}

// A connection that goes silent (no heartbeat) is dropped and redialled.
func TestClientRedialsSilentFeed(t *testing.T) {
	var conns atomic.Int32
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conns.Add(1)
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		ws.WriteMessage(websocket.TextMessage, append(feed.Encode(&feed.Event{Type: feed.TypeHello, TS: t0, Stream: "s1"}), '\n'))
		ws.ReadMessage() // then silence until the client hangs up
	}))
	defer hs.Close()
	hub := live.NewHub(floor.New(floor.Options{}))
	runClient(t, "ws"+strings.TrimPrefix(hs.URL, "http"), hub, feed.ClientOptions{ReadTimeout: 50 * time.Millisecond})
	waitFor(t, "a second connection", 5*time.Second, func() bool { return conns.Load() >= 2 })
	if _, stale := hub.Conn().Stale(time.Now().Add(time.Minute), 2*time.Second); !stale {
		t.Fatal("a feed silent for a minute is not stale")
	}
}

// End: the client gets everything published, then Run returns ErrFeedEnded.
func TestClientFeedEnded(t *testing.T) {
	evs := floorScript(5)
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	hub := live.NewHub(floor.New(floor.Options{}))
	_, done := runClient(t, url, hub, feed.ClientOptions{})
	waitFor(t, "the client to connect", 5*time.Second, func() bool { return hub.Conn().State == feed.ConnLive })
	s.Publish(evs...)
	s.End()
	select {
	case err := <-done:
		if !errors.Is(err, feed.ErrFeedEnded) {
			t.Fatalf("Run returned %v, want ErrFeedEnded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return when the feed ended")
	}
	if _, since, _ := hub.Resume(); since != int64(len(evs)) {
		t.Fatalf("client at seq %d, want %d", since, len(evs))
	}
	if st := hub.Conn(); st.State != feed.ConnClosed || st.Err != feed.ErrFeedEnded.Error() {
		t.Fatalf("status %+v, want closed: feed ended", st)
	}
}

// CatchUp reads the retained history up to the hello's seq and returns.
func TestCatchUp(t *testing.T) {
	evs := floorScript(20)
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	s.Publish(evs...)
	hub := live.NewHub(floor.New(floor.Options{}))
	c, err := feed.NewClient(url, hub, feed.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := reportJSON(t, hub), cleanReport(t, evs); got != want {
		t.Fatalf("caught-up figures differ from the recording's:\n%s\nwant\n%s", got, want)
	}

	empty := newServer(t, feed.ServerOptions{})
	c, _ = feed.NewClient(serve(t, empty), live.NewHub(floor.New(floor.Options{})), feed.ClientOptions{})
	if err := c.CatchUp(ctx); err != nil {
		t.Fatalf("an empty feed: %v", err)
	}
}

func TestCatchUpUnreachable(t *testing.T) {
	ln := mustListen(t)
	addr := ln.Addr().String()
	ln.Close()
	c, err := feed.NewClient("ws://"+addr+"/", live.NewHub(floor.New(floor.Options{})), feed.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err = c.CatchUp(ctx)
	if err == nil || !strings.Contains(err.Error(), "cannot reach feed ws://"+addr) {
		t.Fatalf("CatchUp on a dead address: %v, want 'cannot reach feed'", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("CatchUp retried a dead address instead of failing")
	}
}

func TestNewClientChecksURL(t *testing.T) {
	for _, u := range []string{"http://localhost:1/", "localhost:1", "ws://", "ws://a b"} {
		if _, err := feed.NewClient(u, nil, feed.ClientOptions{}); err == nil {
			t.Errorf("NewClient(%q) accepted it", u)
		}
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	return certFile, keyFile, cert
}

// wss:// with a token, served by Serve from certificate files: the right
// token is let in, a missing one is told why.
func TestClientTLSAndToken(t *testing.T) {
	certFile, keyFile, cert := selfSigned(t)
	s := newServer(t, feed.ServerOptions{Token: "s3cret"})
	s.Publish(floorScript(2)...)
	ln := mustListen(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go s.Serve(ctx, ln, certFile, keyFile)
	url := "wss://" + ln.Addr().String() + "/"
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	tlsConf := &tls.Config{RootCAs: roots}

	hub := live.NewHub(floor.New(floor.Options{}))
	c, _ := feed.NewClient(url, hub, feed.ClientOptions{TLSConfig: tlsConf, Token: "s3cret"})
	if err := c.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if _, since, _ := hub.Resume(); since != s.LastSeq() {
		t.Fatalf("at seq %d, want %d", since, s.LastSeq())
	}

	c, _ = feed.NewClient(url, live.NewHub(floor.New(floor.Options{})), feed.ClientOptions{TLSConfig: tlsConf})
	if err := c.CatchUp(ctx); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("no token: %v, want a 401 error", err)
	}
}

// While the server's source is lost its heartbeats say so, the client's
// status carries the words (cleaned: they come from a PBX), the figures
// are untouched, and the next heartbeat after SetSourceLost("") clears it.
func TestClientSeesSourceLost(t *testing.T) {
	evs := floorScript(5)
	s := newServer(t, feed.ServerOptions{Heartbeat: 10 * time.Millisecond})
	url := serve(t, s)
	s.Publish(evs...)
	hub := live.NewHub(floor.New(floor.Options{}))
	c, _ := runClient(t, url, hub, feed.ClientOptions{FromStart: true})
	waitSeq(t, hub, s.Stream(), int64(len(evs)))
	s.SetSourceLost("since 10:00:05 UTC: dial tcp 10.0.0.9:5038: connection refused \x1b[2J; reconnecting")
	waitFor(t, "the client to see the source lost", 5*time.Second, func() bool { return c.Status().SourceLost != "" })
	if got, want := c.Status().SourceLost, "since 10:00:05 UTC: dial tcp 10.0.0.9:5038: connection refused ^[[2J; reconnecting"; got != want {
		t.Errorf("source lost = %q, want %q", got, want)
	}
	if st := c.Status(); st.State != feed.ConnLive {
		t.Errorf("state %s, want live: the feed itself is up", st.State)
	}
	s.SetSourceLost(strings.Repeat("é", 100000))
	waitFor(t, "the client to see a long reason", 5*time.Second, func() bool { return strings.HasPrefix(c.Status().SourceLost, "éé") })
	if got := c.Status().SourceLost; len(got) > 520 || !strings.HasSuffix(got, "é…") {
		t.Errorf("a 200 kB reason kept as %d bytes ending %q, want it cut to about 512 at a whole character", len(got), got[len(got)-8:])
	}
	s.SetSourceLost("")
	waitFor(t, "the client to see the source back", 5*time.Second, func() bool { return c.Status().SourceLost == "" })
	if got, want := reportJSON(t, hub), cleanReport(t, evs); got != want {
		t.Fatalf("heartbeats with source_lost changed the figures:\n%s\nwant\n%s", got, want)
	}
}

// A drill run again while the dashboard was reconnecting: however many
// attempts failed while the feed was down, the rerun (a new stream whose
// clock went back) is read from its start at once, not after the grown
// backoff, so the new floor does not sit empty.
func TestClientStartsARerunAtOnce(t *testing.T) {
	ln := mustListen(t)
	addr := ln.Addr().String()
	first := newServer(t, feed.ServerOptions{Now: func() time.Time { return t0.Add(time.Hour) }})
	ctx1, stop1 := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- first.Serve(ctx1, ln, "", "") }()
	first.Publish(floorScript(40)...)
	hub := live.NewHub(floor.New(floor.Options{}))
	c, _ := runClient(t, "ws://"+addr+"/", hub, feed.ClientOptions{MinBackoff: 2 * time.Second, MaxBackoff: time.Minute})
	waitSeq(t, hub, first.Stream(), first.LastSeq())
	stop1()
	<-served
	waitFor(t, "two failed attempts", 15*time.Second, func() bool { return c.Status().Attempts >= 2 })

	evs := floorScript(5) // the same day from its start: the clock goes back
	second := newServer(t, feed.ServerOptions{Now: func() time.Time { return evs[len(evs)-1].TS }})
	second.Publish(evs...)
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, stop2 := context.WithCancel(context.Background())
	defer stop2()
	go second.Serve(ctx2, ln2, "", "")
	// The attempt that reaches the new server is the last one scheduled
	// before its hello came (one could still fail just as it started
	// listening); what comes after the hello is what is measured.
	retry := c.Status().Retry
	waitFor(t, "the rerun read whole", time.Until(retry)+20*time.Second, func() bool {
		st, since, ok := hub.Resume()
		if r := c.Status().Retry; st != second.Stream() && r.After(retry) {
			retry = r
		}
		return ok && st == second.Stream() && since == second.LastSeq()
	})
	if late := time.Since(retry); late > 2*time.Second {
		t.Errorf("the rerun was read whole %s after the attempt that reached it, want at once", late.Round(time.Millisecond))
	}
	if r := hub.Report(floor.All); r.NewFloor == nil || r.Floor.Offered != 5 {
		t.Errorf("after the rerun: new floor %+v, offered %d; want a new floor of the rerun's 5 calls", r.NewFloor, r.Floor.Offered)
	}
}
