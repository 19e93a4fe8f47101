package debrief

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/floorwatch/floorwatch/simulator"
)

func TestScratch(t *testing.T) {
	h, m := time.Hour, time.Minute
	rec := drill(t, "monday-surge", 3, 0,
		timed{20 * m, simulator.Command{Name: simulator.CmdMove, Agent: "a003", Queues: []string{"billing", "support"}}},
		timed{h, simulator.Command{Name: simulator.CmdCallback, Queue: "billing", AfterS: seconds(40)}},
		timed{2 * h, simulator.Command{Name: simulator.CmdOvertime, Count: 2, Queues: []string{"billing"}, For: "1h"}})
	db, err := Build(bytes.NewReader(rec), Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.WriteMarkdown(os.Stdout)
	f, _ := os.Create("/tmp/debrief.html")
	db.WriteHTML(f)
	f.Close()
}
