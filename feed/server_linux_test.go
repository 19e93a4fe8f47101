package feed

import (
	"context"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

type noTracker struct{}

func (noTracker) Track([]byte)       {}
func (noTracker) Snapshot() Snapshot { return Snapshot{} }

// Each connection's kernel send buffer is the one asked for (Linux reports
// twice the size set, its bookkeeping included), not the megabytes the
// kernel would grow it to for a client that stops reading.
func TestServerSetsSendBuffer(t *testing.T) {
	const size = 64 << 10
	s := NewServer(ServerOptions{Tracker: noTracker{}, SendBuffer: size})
	hs := httptest.NewServer(s)
	defer hs.Close()
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws"+strings.TrimPrefix(hs.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var c *client // the server's side of the connection, once it is served
	for deadline := time.Now().Add(5 * time.Second); c == nil && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		s.mu.Lock()
		for c = range s.clients {
		}
		s.mu.Unlock()
	}
	if c == nil {
		t.Fatal("the connection was never served")
	}
	raw, err := c.ws.NetConn().(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var got int
	raw.Control(func(fd uintptr) { got, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF) })
	if err != nil || got != 2*size {
		t.Fatalf("SO_SNDBUF %d (%v), want %d", got, err, 2*size)
	}
}
