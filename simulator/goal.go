package simulator

import (
	"fmt"
	"time"

	"github.com/floorwatch/floorwatch/feed"
)

// GoalFigures are what a drill's goal is judged on: the service level and
// abandon rate of the goal's queue (or of the floor) over the whole drill,
// as `status --json` gives them (nil where it gives null), and the
// overtime called in (OvertimeHours).
type GoalFigures struct {
	ServiceLevel  *float64
	AbandonRate   *float64
	OvertimeHours float64
}

// Check reports whether the figures meet every part of the goal a machine
// can check, and for each part missed what it asked and what happened.
// A figure with no value (no call to count) does not meet its part.
func (g *GoalSpec) Check(f GoalFigures) (met bool, missed []string) {
	if v := g.ServiceLevel; v != nil && (f.ServiceLevel == nil || *f.ServiceLevel < *v) {
		missed = append(missed, fmt.Sprintf("service level %s, the goal is at least %s", percent(f.ServiceLevel), percent(v)))
	}
	if v := g.AbandonRate; v != nil && (f.AbandonRate == nil || *f.AbandonRate > *v) {
		missed = append(missed, fmt.Sprintf("abandon rate %s, the goal is at most %s", percent(f.AbandonRate), percent(v)))
	}
	if v := g.OvertimeHours; v != nil && f.OvertimeHours > *v {
		missed = append(missed, fmt.Sprintf("%.3g agent-hours of overtime, the goal allows %.3g", f.OvertimeHours, *v))
	}
	return len(missed) == 0, missed
}

func percent(v *float64) string {
	if v == nil {
		return "none (no call to count)"
	}
	return fmt.Sprintf("%.1f %%", 100**v)
}

// OvertimeHours is the overtime a drill's actions called in, in
// agent-hours: count × for of every overtime command the simulator took
// (result ok). Agents finish their last call after it, which is not
// counted: it is what the supervisor asked for.
func OvertimeHours(actions []*feed.Drill) float64 {
	var h float64
	for _, d := range actions {
		if d.Command != CmdOvertime || d.Result != "ok" {
			continue
		}
		if length, err := time.ParseDuration(d.For); err == nil {
			h += float64(d.Count) * length.Hours()
		}
	}
	return h
}
