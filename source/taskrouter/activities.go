package taskrouter

import (
	"bytes"
	"fmt"
	"github.com/floorwatch/floorwatch/source"
	"os"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/floorwatch/floorwatch/feed"
	"github.com/floorwatch/floorwatch/safetext"
)

// Activities maps a workspace's activity names to agent states. An
// --activities file (YAML) adds to and overrides the defaults, which are
// the activities a new workspace (and Flex) comes with:
//
//	activities:
//	  Available: available
//	  Unavailable: aux unavailable
//	  Break: aux break
//	  Lunch: aux lunch
//	  Offline: offline
//	  "After Call Work": wrap_up
//
// A value is an agent state of the protocol, and for aux the reason
// after it. Names match ignoring case and surrounding spaces.
type Activities struct {
	states map[string]activityState // by nameKey
}

type activityState struct {
	state, reason string
}

// defaultActivities are those of a new TaskRouter workspace, plus Flex's
// Break.
var defaultActivities = map[string]activityState{
	"available":   {feed.StateAvailable, ""},
	"unavailable": {feed.StateAux, "unavailable"},
	"offline":     {feed.StateOffline, ""},
	"break":       {feed.StateAux, "break"},
}

// DefaultActivities is the map without a file.
func DefaultActivities() *Activities {
	a := &Activities{states: map[string]activityState{}}
	for k, v := range defaultActivities {
		a.states[k] = v
	}
	return a
}

// LoadActivities reads an --activities file.
func LoadActivities(path string) (*Activities, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := ParseActivities(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// ParseActivities reads an --activities file's YAML, refusing unknown
// keys, a state the protocol does not have, and a reason on a state other
// than aux.
func ParseActivities(b []byte) (*Activities, error) {
	var f struct {
		Activities map[string]string `yaml:"activities"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("activities: %w", err)
	}
	a := DefaultActivities()
	for name, value := range f.Activities {
		k := nameKey(name)
		if k == "" {
			return nil, fmt.Errorf("activities: an activity name is empty")
		}
		words := strings.Fields(value)
		if len(words) == 0 || !feed.ValidAgentState(words[0]) {
			return nil, fmt.Errorf("activities: %s: %q is not a state: want available, offline, aux REASON, wrap_up or on_call", name, value)
		}
		reason := safetext.Clean(strings.Join(words[1:], " "))
		if reason != "" && words[0] != feed.StateAux {
			return nil, fmt.Errorf("activities: %s: only aux takes a reason, not %s", name, words[0])
		}
		a.states[k] = activityState{state: words[0], reason: source.Label(reason)}
	}
	return a, nil
}

// state is what activity name means, and whether the map knows it. An
// activity it does not know is aux with the activity's name as the
// reason: the agent is logged in but, as far as anyone can tell, not
// taking work.
func (a *Activities) state(name string) (activityState, bool) {
	if s, ok := a.states[nameKey(name)]; ok {
		return s, true
	}
	return activityState{feed.StateAux, source.Label(strings.ToLower(strings.TrimSpace(name)))}, false
}

// nameKey is how activity names compare.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
