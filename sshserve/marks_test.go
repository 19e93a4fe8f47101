package sshserve

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/live"
)

// Marks kept are read back after a restart: the latest set handed over,
// written whole, and nothing left behind but the file.
func TestMarksSurviveARestart(t *testing.T) {
	dir := t.TempDir()
	d := OpenMarks(dir, nil)
	if kept, err := d.Load(); err != nil || kept.Done != nil || kept.Acks != nil {
		t.Fatalf("a directory with no marks gave %v, %v", kept, err)
	}
	at := time.Date(2026, 11, 23, 9, 5, 0, 0, time.UTC)
	d.Keep(live.Marks{Done: map[string]live.Done{"abandon/c1@2026-11-23T08:02:00.000Z": {By: "ana", At: at}}})
	d.Keep(live.Marks{Done: map[string]live.Done{"abandon/c1@2026-11-23T08:02:00.000Z": {By: "ana", At: at}, "survey/c2@2026-11-23T08:30:00.000Z": {By: "ben", At: at}},
		Acks: map[string]alerts.Ack{"long_wait:sales@2026-11-23T09:00:00.000Z": {By: "ana", At: at}}})
	d.Close()
	d.Keep(live.Marks{}) // after Close: ignored, no panic

	again := OpenMarks(dir, nil)
	defer again.Close()
	kept, err := again.Load()
	if err != nil || len(kept.Done) != 2 || kept.Done["survey/c2@2026-11-23T08:30:00.000Z"].By != "ben" ||
		!kept.Done["abandon/c1@2026-11-23T08:02:00.000Z"].At.Equal(at) || kept.Acks["long_wait:sales@2026-11-23T09:00:00.000Z"].By != "ana" {
		t.Errorf("read back %+v, %v; want both done marks and the acknowledgement", kept, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != MarksFile {
		t.Errorf("the directory holds %v, want only %s", entries, MarksFile)
	}
	os.WriteFile(filepath.Join(dir, MarksFile), []byte("{not json"), 0o600)
	if _, err := again.Load(); err == nil {
		t.Error("a damaged marks file read without an error")
	}
}
