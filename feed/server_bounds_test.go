package feed_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
)

// dialFrom opens a websocket from the local address ip (any of 127.0.0.0/8
// reaches the loopback server), returning the refusal's status and body.
func dialFrom(t *testing.T, ip, url string, header http.Header) (ws *websocket.Conn, status int, body string) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second, NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).DialContext}
	ws, resp, err := d.Dial(url, header)
	if err == nil {
		t.Cleanup(func() { ws.Close() })
		return ws, http.StatusSwitchingProtocols, ""
	}
	if resp == nil {
		t.Fatalf("dial from %s: %v", ip, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return nil, resp.StatusCode, string(b)
}

// A page on another site must not read the floor from a supervisor's
// browser: a foreign Origin gets 403 before the upgrade. Listed origins and
// clients that send none (floorwatch's own) are let in.
func TestServerRefusesForeignOrigin(t *testing.T) {
	s := newServer(t, feed.ServerOptions{AllowOrigins: []string{"https://wall.example.com/"}})
	url := serve(t, s)
	for _, origin := range []string{"http://evil.example", "https://wall.example.com.evil.example", "null"} {
		_, status, body := dialFrom(t, "127.0.0.1", url, http.Header{"Origin": {origin}})
		if status != http.StatusForbidden || !strings.Contains(body, "--allow-origin") {
			t.Errorf("Origin %s: %d %q, want 403 naming --allow-origin", origin, status, body)
		}
	}
	if _, status, _ := dialFrom(t, "127.0.0.1", url, http.Header{"Origin": {"HTTPS://Wall.Example.com"}}); status != http.StatusSwitchingProtocols {
		t.Errorf("an allowed origin got %d", status)
	}
	c := dialRaw(t, url, nil)
	c.expect(feed.TypeHello, 0)
}

// Connections are capped per remote address (429) and in all (503), with
// the reason in the body, and a closed connection gives its place back.
func TestServerCapsConnections(t *testing.T) {
	s := newServer(t, feed.ServerOptions{MaxConns: 3, MaxConnsPerAddr: 2})
	url := serve(t, s)
	first, _, _ := dialFrom(t, "127.0.0.1", url, nil)
	dialFrom(t, "127.0.0.1", url, nil)
	if _, status, body := dialFrom(t, "127.0.0.1", url, nil); status != http.StatusTooManyRequests ||
		!strings.Contains(body, "too many connections from 127.0.0.1: 2, the limit per address (--max-conns-per-addr)") {
		t.Fatalf("third from one address: %d %q, want 429 with the reason", status, body)
	}
	if _, status, _ := dialFrom(t, "127.0.0.2", url, nil); status != http.StatusSwitchingProtocols {
		t.Fatalf("another address: %d, want it let in", status)
	}
	if _, status, body := dialFrom(t, "127.0.0.3", url, nil); status != http.StatusServiceUnavailable ||
		!strings.Contains(body, "the feed server is full: 3 connections, its limit (--max-conns)") {
		t.Fatalf("fourth in all: %d %q, want 503 with the reason", status, body)
	}
	waitFor(t, "three clients served", 5*time.Second, func() bool { return s.Clients() == 3 })
	first.Close()
	waitFor(t, "the closed connection's place", 5*time.Second, func() bool { return s.Clients() == 2 })
	if _, status, _ := dialFrom(t, "127.0.0.1", url, nil); status != http.StatusSwitchingProtocols {
		t.Fatalf("after a close: %d, want a place free again", status)
	}
}

// upgradeRaw opens a feed connection by hand on a bare socket with a small
// receive buffer, and reads only the response's headers: a client that
// never reads, costing the test process almost nothing.
func upgradeRaw(addr, query string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	conn.(*net.TCPConn).SetReadBuffer(4 << 10)
	fmt.Fprintf(conn, "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", query, addr)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 512), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		conn.Close()
		return nil, fmt.Errorf("upgrade: %v %v", resp, err)
	}
	return conn, nil
}

// A client that never reads is cut off by the ping it never answers,
// within ~10 s, even when nothing is published to fill its socket, and the
// connection is reset, so what it never read is not left in the kernel.
func TestServerCutsOffNonReader(t *testing.T) {
	t.Parallel()
	s := newServer(t, feed.ServerOptions{})
	url := serve(t, s)
	conn, err := upgradeRaw(strings.TrimPrefix(url, "ws://"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	// The upgrade's reply can reach us before the server counts the client.
	waitFor(t, "the server to count the client", 5*time.Second, func() bool { return s.Clients() == 1 })
	waitFor(t, "the server to cut off a client that never reads", 15*time.Second, func() bool { return s.Clients() == 0 })
	if d := time.Since(start); d > 11*time.Second {
		t.Fatalf("cut off after %s, want ~10 s", d)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = io.Copy(io.Discard, conn)
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("after the cut-off the client read to %v, want the connection reset", err)
	}
}

// 2,000 clients asking for the whole history at once share the server's
// encoded history: the heap grows by kilobytes a client, not by a copy of
// the history (~3 MB here, 6 GB for all of them) or an index into it.
func TestServerSharesHistoryReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 connections")
	}
	const clients = 2000
	evs := benchEvents(20000)
	// The clients hold sockets that never read: keep each one's kernel
	// buffers small so the test does not pin gigabytes in the kernel.
	s := newServer(t, feed.ServerOptions{Tracker: discard{}, History: len(evs), SendBuffer: 16 << 10,
		MaxConns: clients, MaxConnsPerAddr: clients})
	url := serve(t, s)
	s.Publish(evs...)
	history := 0
	for _, ev := range evs {
		history += len(feed.Encode(ev)) + 1
	}
	addr := strings.TrimPrefix(url, "ws://")

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conns := make([]net.Conn, 0, clients)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	start := time.Now()
	for len(conns) < clients {
		if ctx.Err() != nil {
			t.Fatalf("only %d clients connected in time", len(conns))
		}
		c, err := upgradeRaw(addr, "?since=0")
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	waitFor(t, "every client to be served", 10*time.Second, func() bool { return s.Clients() == clients })
	grown := int64(heap()) - int64(before)
	perClient := grown / clients
	t.Logf("%d clients since=0 on a %d-byte history in %s: heap grew %d MiB, %d bytes a client",
		clients, history, time.Since(start).Round(time.Millisecond), grown>>20, perClient)
	if perClient > 32<<10 {
		t.Fatalf("the heap grew %d bytes a client: the history (%d bytes) is not shared", perClient, history)
	}
}
