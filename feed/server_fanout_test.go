package feed_test

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/floorwatch/floorwatch/feed"
)

// fanOutEnv, when set, makes TestFanOutMemory the client side: it opens
// the number of connections it names to the URL that follows and reads
// them until they close.
const fanOutEnv = "FLOORWATCH_FANOUT_CLIENTS"

// fanOutBudget is what a reading client may cost the server (issue 16).
const fanOutBudget = 50 << 10

// TestFanOutMemory: 2,000 clients reading a live feed cost the server under
// fanOutBudget each, heap and goroutine stacks together, while events flow.
// The clients run in a child process (this test binary again), so that
// what is measured is the server's alone.
func TestFanOutMemory(t *testing.T) {
	if spec := os.Getenv(fanOutEnv); spec != "" {
		fanOutClients(t, spec)
		return
	}
	if testing.Short() {
		t.Skip("2,000 connections")
	}
	const clients = 2000
	s := newServer(t, feed.ServerOptions{Tracker: discard{}, MaxConns: clients, MaxConnsPerAddr: clients})
	url := serve(t, s)
	evs := benchEvents(22500)
	s.Publish(evs[:20000]...) // a history, shared by all
	live := evs[20000:]

	before := serverMemory()
	child := exec.Command(os.Args[0], "-test.run=^TestFanOutMemory$", "-test.v")
	child.Env = append(os.Environ(), fmt.Sprintf("%s=%d %s", fanOutEnv, clients, url))
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		child.Process.Kill()
		child.Wait()
	})
	go io.Copy(io.Discard, out)
	waitFor(t, "every client to connect", 60*time.Second, func() bool { return s.Clients() == clients })

	// A busy floor's pace, many times a real one's: 10 events every 20 ms
	// for 5 s, each batch a frame to every client; the memory is sampled as
	// they flow.
	var most memory
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for batch := range 250 {
		<-tick.C
		s.Publish(live[batch*10 : batch*10+10]...)
		if batch%50 == 49 {
			most = most.max(serverMemory())
		}
	}
	if n := s.Clients(); n != clients {
		t.Fatalf("%d clients were cut off while reading", clients-n)
	}
	perClient := (most.total() - before.total()) / clients
	t.Logf("%d reading clients: heap %d → %d KiB, stacks %d → %d KiB, goroutines %d → %d: %.1f KiB a client",
		clients, before.heap>>10, most.heap>>10, before.stack>>10, most.stack>>10, before.goroutines, most.goroutines,
		float64(perClient)/1024)
	if perClient > fanOutBudget {
		t.Errorf("%d bytes a client, over the %d budget", perClient, fanOutBudget)
	}
}

type memory struct{ heap, stack, goroutines int64 }

func (m memory) total() int64 { return m.heap + m.stack }

func (m memory) max(o memory) memory {
	if o.total() > m.total() {
		return o
	}
	return m
}

func serverMemory() memory {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return memory{int64(m.HeapAlloc), int64(m.StackInuse), int64(runtime.NumGoroutine())}
}

// fanOutClients is the child: spec is "N URL".
func fanOutClients(t *testing.T, spec string) {
	n, url, _ := strings.Cut(spec, " ")
	count, err := strconv.Atoi(n)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range count {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ws.Close()
			for {
				_, r, err := ws.NextReader()
				if err != nil {
					return
				}
				io.Copy(io.Discard, r)
			}
		}()
	}
	wg.Wait()
}
