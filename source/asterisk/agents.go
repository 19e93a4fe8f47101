// Package asterisk is what the Asterisk sources (source/queuelog,
// source/ami) share: the --agents file and the roster that joins the names
// one agent goes by, and a schedule of things due at a time.
package asterisk

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/floorwatch/floorwatch/floor"
	"github.com/floorwatch/floorwatch/safetext"
	"github.com/floorwatch/floorwatch/source"
)

// Agents is the --agents file: the names one agent goes by in Asterisk
// (an interface such as SIP/1001 or Local/1001@from-queue/n, a member name
// such as Karthik, Agent/1001 or 1001 for an agent-pool login) joined to
// one id and display name:
//
//	agents:
//	  a017:
//	    name: Karthik Rao
//	    aka: [SIP/1001, PJSIP/1001, "Local/1001@from-queue/n", Karthik]
//
// Names match case-insensitively; the id itself matches too.
type Agents struct {
	entries []agentEntry
}

type agentEntry struct {
	id, name string
	aka      []string
}

// agentsFile is the YAML form of Agents.
type agentsFile struct {
	Agents map[string]struct {
		Name string   `yaml:"name"`
		Aka  []string `yaml:"aka"`
	} `yaml:"agents"`
}

// LoadAgents reads and checks an --agents file.
func LoadAgents(path string) (*Agents, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := ParseAgents(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// ParseAgents reads an --agents file's YAML, rejecting unknown keys and a
// name claimed by two agents.
func ParseAgents(b []byte) (*Agents, error) {
	var f agentsFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	ids := make([]string, 0, len(f.Agents))
	for id := range f.Agents {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	owner := map[string]string{}
	a := &Agents{}
	for _, id := range ids {
		e := f.Agents[id]
		clean := safetext.Clean(strings.TrimSpace(id))
		if clean == "" {
			return nil, fmt.Errorf("agents: an agent id is empty")
		}
		entry := agentEntry{id: clean, name: source.Label(safetext.Clean(strings.TrimSpace(e.Name)))}
		if len(clean) > floor.MaxText {
			return nil, fmt.Errorf("agents: an id is %d bytes long; at most %d", len(clean), floor.MaxText)
		}
		for _, n := range append([]string{id}, e.Aka...) {
			n = safetext.Clean(strings.TrimSpace(n))
			k := nameKey(n)
			if k == "" {
				return nil, fmt.Errorf("agents: %s: an empty name in aka", clean)
			}
			if o, dup := owner[k]; dup && o != clean {
				return nil, fmt.Errorf("agents: %q is listed for both %s and %s", n, o, clean)
			}
			owner[k] = clean
			entry.aka = append(entry.aka, n)
		}
		a.entries = append(a.entries, entry)
	}
	return a, nil
}

// nameKey is how names compare: case-insensitively, spaces around ignored.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// resource is an interface's device part, "1001" of SIP/1001, PJSIP/1001,
// Agent/1001 and Local/1001@from-queue/n; "" for a plain member name.
func resource(name string) string {
	_, rest, ok := strings.Cut(name, "/")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "@/"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
