package sshserve

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/floorwatch/floorwatch/floor"
)

// A journal is read back after a crash, whatever it holds: half a line,
// binary junk, a line of a hostile feed. Opening it keeps exactly the
// complete lines, replaying folds them without a panic, and a line recorded
// afterwards reads back whole: after them, or first in the next day's file
// when what the file held took the floor clock past its day.
func FuzzJournalReplay(f *testing.F) {
	for _, s := range []string{
		"",
		`{"type":"hello","v":1,"seq":0,"ts":"2026-11-23T08:00:00.000Z","stream":"s"}` + "\n",
		`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}` + "\n" + `{"type":"call.ans`,
		"\x00\x00\x00\n\xff\xfe\n\n\r\n",
		`{"type":"agent.state","seq":2,"ts":"2026-11-23T08:00:00.000Z","agent":"a\u001b]0;x\u0007","state":"aux"}` + "\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "journal-2026-11-23.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := OpenJournal(JournalOptions{Dir: dir, Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		complete := data[:bytes.LastIndexByte(data, '\n')+1]
		fl := floor.New(floor.Options{})
		var lines int64
		n, err := j.Replay(func(line []byte) {
			if bytes.ContainsAny(line, "\n") {
				t.Fatalf("a replayed line holds a newline: %q", line)
			}
			fl.IngestLine(line, floor.Live)
			lines++
		})
		if err != nil || n != lines {
			t.Fatalf("replay: %d lines, err %v", n, err)
		}
		if want := int64(bytes.Count(complete, []byte("\n"))); lines > want {
			t.Fatalf("replayed %d lines from %d complete ones", lines, want)
		}
		const last = `{"type":"heartbeat","seq":9,"ts":"2026-11-23T09:00:00.000Z"}`
		j.Record([]byte(last), floor.Control)
		j.Close()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want := append(append([]byte{}, complete...), last+"\n"...); bytes.Equal(got, want) {
			return
		}
		if !bytes.Equal(got, complete) {
			t.Fatalf("after a record the journal is %q, want %q and the line", got, complete)
		}
		next := j.Path()
		if next == path {
			t.Fatal("the line is nowhere")
		}
		if got, _ := os.ReadFile(next); !bytes.HasSuffix(got, []byte("\n"+last+"\n")) && !bytes.Equal(got, []byte(last+"\n")) {
			t.Fatalf("the next day's file is %q, want it to end with the line", got)
		}
	})
}
