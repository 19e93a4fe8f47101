package queuelog

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/source"
)

// offerLine is call n entering support, ten seconds after call n-1.
func offerLine(n int) string {
	return fmt.Sprintf("%d|call%02d|support|NONE|ENTERQUEUE||%d|1\n", 1700000000+10*n, n, n)
}

// follower runs a followed file source and collects what it emits.
type follower struct {
	src    *fileSource
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	events []*feed.Event
}

func follow(t *testing.T, path string) *follower {
	t.Helper()
	return followWith(t, path, func(*fileSource) {})
}

// followWith is follow with the source adjusted before it runs.
func followWith(t *testing.T, path string, adjust func(*fileSource)) *follower {
	t.Helper()
	f := &follower{src: newFileSource(path, true, Config{}), done: make(chan error, 1)}
	f.src.poll = 5 * time.Millisecond
	adjust(f.src)
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() {
		f.done <- f.src.Run(ctx, func(ev *feed.Event) {
			f.mu.Lock()
			f.events = append(f.events, ev)
			f.mu.Unlock()
		})
	}()
	t.Cleanup(cancel)
	return f
}

// waitLines waits until the source has read n lines (at most 5 s).
func (f *follower) waitLines(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.src.Tally().Lines < n {
		if time.Now().After(deadline) {
			t.Fatalf("read %d lines, want %d", f.src.Tally().Lines, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the run and checks that calls 1..n were each offered once, in
// order, with no line malformed.
func (f *follower) stop(t *testing.T, n int) {
	t.Helper()
	f.cancel()
	select {
	case err := <-f.done:
		if err != context.Canceled {
			t.Errorf("Run: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var got []string
	for _, ev := range f.events {
		got = append(got, ev.Call)
	}
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("call%02d", i))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("offered %v, want %v", got, want)
	}
	if tl := f.src.Tally(); tl.Malformed != 0 || tl.Lines != int64(n) {
		t.Errorf("tally %+v", tl)
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// TestFollowRename: logrotate's default: the file is renamed, the writer
// finishes a line in the old one, then opens a new one.
func TestFollowRename(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue_log")
	appendTo(t, path, offerLine(1)+offerLine(2)+offerLine(3))
	f := follow(t, path)
	f.waitLines(t, 3)
	// Asterisk still holds the old file open until it reopens its logs.
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, offerLine(4))
	time.Sleep(20 * time.Millisecond) // a few polls with the new path missing
	io.WriteString(w, offerLine(5)[:20])
	appendTo(t, path, "") // the new file, empty for a while
	time.Sleep(20 * time.Millisecond)
	io.WriteString(w, offerLine(5)[20:]) // a line written in two pieces
	w.Close()
	appendTo(t, path, offerLine(6))
	f.waitLines(t, 6)
	appendTo(t, path, offerLine(7))
	f.waitLines(t, 7)
	f.stop(t, 7)
}

// TestFollowCopytruncate: logrotate's copytruncate: the file is copied and
// truncated in place; lines written between the last read and the
// truncation are taken from the copy.
func TestFollowCopytruncate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue_log")
	appendTo(t, path, offerLine(1)+offerLine(2))
	f := follow(t, path)
	f.waitLines(t, 2)
	f.src.mu.Lock() // hold the reader while the lines and the rotation land
	appendTo(t, path, offerLine(3)+offerLine(4))
	copyFile(t, path, path+".1")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, offerLine(5))
	f.src.mu.Unlock()
	f.waitLines(t, 5)
	appendTo(t, path, offerLine(6))
	f.waitLines(t, 6)
	f.stop(t, 6)
}

// TestFollowCopytruncateKeptOffset: a writer without O_APPEND keeps its
// offset after a copytruncate: the file becomes a run of NULs, then its
// next line.
func TestFollowCopytruncateKeptOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue_log")
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	io.WriteString(w, offerLine(1)+offerLine(2))
	f := follow(t, path)
	f.waitLines(t, 2)
	copyFile(t, path, path+".1")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, offerLine(3)) // at the old offset
	f.waitLines(t, 3)
	io.WriteString(w, offerLine(4))
	f.waitLines(t, 4)
	f.stop(t, 4)
}

// TestFollowLineInTwoPieces: a line read before its end is kept until the
// rest comes, not counted malformed.
func TestFollowLineInTwoPieces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue_log")
	appendTo(t, path, offerLine(1)+offerLine(2)[:17])
	f := follow(t, path)
	f.waitLines(t, 1)
	time.Sleep(30 * time.Millisecond)
	appendTo(t, path, offerLine(2)[17:])
	f.waitLines(t, 2)
	f.stop(t, 2)
}

// TestFollowQuietFile: while a followed file is quiet its clock runs on
// with the wall clock, so a transfer is decided and its events come out
// without a new line.
func TestFollowQuietFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue_log")
	appendTo(t, path, `1700000010|c1|support|NONE|ENTERQUEUE||1|1
1700000012|c1|support|Ana|CONNECT|2|p|1
1700000042|c1|support|Ana|BLINDTRANSFER|2000|default|2|30|1
`)
	var skew atomic.Int64
	f := followWith(t, path, func(s *fileSource) {
		s.now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	f.waitLines(t, 3)
	time.Sleep(20 * time.Millisecond)
	f.mu.Lock()
	early := count(f.events, feed.TypeTransferred)
	f.mu.Unlock()
	if early != 0 {
		t.Error("the transfer came out before its window passed")
	}
	skew.Store(int64(time.Minute)) // a quiet minute passes
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		n := count(f.events, feed.TypeTransferred)
		f.mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the transfer did not come out of a quiet file")
		}
		time.Sleep(2 * time.Millisecond)
	}
	f.cancel()
	<-f.done
}

// TestReadToEnd: without --follow the file is read to its end, a last
// line without its newline included, and Run returns nil.
func TestReadToEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "queue_log")
	appendTo(t, path, offerLine(1)+offerLine(2)+offerLine(3)[:len(offerLine(3))-1])
	src, err := source.Open("queue-log:"+path, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := src.Run(context.Background(), func(ev *feed.Event) { got = append(got, ev.Call) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[call01 call02 call03]" || src.Tally().Lines != 3 {
		t.Errorf("offered %v, tally %+v", got, src.Tally())
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTailReadsCopyRemainder: lines written after the last read and before
// a copytruncate are read from the copy, before the truncated file.
func TestTailReadsCopyRemainder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "queue_log")
	appendTo(t, path, offerLine(1)+offerLine(2))
	tl, err := openTail(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tl.close()
	var got []byte
	readAll := func() {
		buf := make([]byte, 7) // small reads: the head is taken across several
		for {
			n, err := tl.read(buf)
			got = append(got, buf[:n]...)
			if n == 0 || err != nil {
				return
			}
		}
	}
	readAll()
	appendTo(t, path, offerLine(3)+offerLine(4))
	copyFile(t, path, path+"-20261125") // dateext
	appendTo(t, path+".1", "an older rotation, not this one\n")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendTo(t, path, offerLine(5))
	ended := 0
	if err := tl.turn(func(b []byte) { got = append(got, b...) }, func() { ended++ }); err != nil {
		t.Fatal(err)
	}
	readAll()
	if want := offerLine(1) + offerLine(2) + offerLine(3) + offerLine(4) + offerLine(5); string(got) != want || ended != 1 {
		t.Errorf("read %q (%d line ends), want %q", got, ended, want)
	}
}
