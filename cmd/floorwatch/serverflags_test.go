package main

import (
	"context"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/floor"
)

// The feed server flags reach the server: origins listed by repeating the
// flag or with commas are let in, any other gets 403, and the caps hold.
func TestFeedServerFlags(t *testing.T) {
	var sf feedServerFlags
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sf.register(fs, "listen", "name")
	err := parseArgs(fs, []string{"--listen", "127.0.0.1:0", "--allow-origin", "https://wall.example.com, http://localhost:8080",
		"--allow-origin", "https://ops.example.com", "--max-conns-per-addr", "1", "--token", ""})
	if err != nil {
		t.Fatal(err)
	}
	opt := sf.options("sim floor")
	if opt.Feed != "sim floor" || len(opt.AllowOrigins) != 3 || opt.MaxConns != feed.DefaultMaxConns || opt.MaxConnsPerAddr != 1 {
		t.Fatalf("options %+v", opt)
	}
	opt.Tracker = floor.New(floor.Options{})
	srv := feed.NewServer(opt)
	ctx, cancel := context.WithCancel(context.Background())
	url, served, err := sf.serve(ctx, srv)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		<-served
	}()
	if !strings.HasPrefix(url, "ws://127.0.0.1:") {
		t.Fatalf("url %q", url)
	}
	dial := func(origin string) int {
		h := http.Header{}
		if origin != "" {
			h.Set("Origin", origin)
		}
		d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
		// One place per address: the last dial's place comes back once the
		// server has seen its close, so a 429 is tried again for a while.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			ws, resp, err := d.Dial(url, h)
			if err == nil {
				ws.Close()
				return http.StatusSwitchingProtocols
			}
			if resp == nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusTooManyRequests || time.Now().After(deadline) {
				return resp.StatusCode
			}
		}
	}
	for origin, want := range map[string]int{
		"":                           http.StatusSwitchingProtocols,
		"http://localhost:8080":      http.StatusSwitchingProtocols,
		"https://ops.example.com":    http.StatusSwitchingProtocols,
		"http://evil.example":        http.StatusForbidden,
		"https://wall.example.com:8": http.StatusForbidden,
	} {
		if got := dial(origin); got != want {
			t.Errorf("Origin %q: %d, want %d", origin, got, want)
		}
	}

	for _, args := range [][]string{{"--allow-origin", "wall.example.com"}, {"--allow-origin", "https://a.example/page"}} {
		var bad feedServerFlags
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		bad.register(fs, "listen", "name")
		if err := parseArgs(fs, args); err == nil || !strings.Contains(err.Error(), "want scheme://host[:port]") {
			t.Errorf("%v: %v, want it refused", args, err)
		}
	}
}

func TestSimListenChecksFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--tls-cert", "cert.pem"},
		{"--max-conns", "0"},
	} {
		var stdout, stderr strings.Builder
		args = append([]string{"sim", "--listen", "127.0.0.1:0", "--duration", "1m"}, args...)
		if code := run(args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, stderr.String())
		}
	}
}
