package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/floorwatch/floorwatch/simulator"
)

func TestDrills(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"drills"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, b := range simulator.Bundled() {
		listed := strings.Contains(out, "\n"+b.Name+" (") || strings.HasPrefix(out, b.Name+" (")
		if drill := b.Scenario.Briefing != ""; listed != drill {
			t.Errorf("%s: listed %v, a drill %v", b.Name, listed, drill)
		}
	}
	if !strings.Contains(out, "monday-surge (6h from Monday 08:00)\n  Monday morning. Support has 22 agents") ||
		!strings.Contains(out, "There is no overtime budget.\n  Goal: Keep billing's service level at 80 % or better over the day, without\n  overtime.\n\n") {
		t.Errorf("the Monday surge reads:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if utf8.RuneCountInString(line) > drillsWidth {
			t.Errorf("%d columns: %q", utf8.RuneCountInString(line), line)
		}
	}
	if code := run([]string{"drills", "extra"}, &stdout, &stderr); code != exitInvoked {
		t.Errorf("drills extra: exit %d", code)
	}
}
