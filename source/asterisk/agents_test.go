package asterisk

import (
	"strings"
	"testing"
)

func TestAgentsFileErrors(t *testing.T) {
	for _, c := range []struct{ yaml, err string }{
		{"agents:\n  a1: {aka: [SIP/1]}\n  a2: {aka: [sip/1]}\n", `"sip/1" is listed for both a1 and a2`},
		{"agents:\n  a1: {aka: [a2]}\n  a2: {name: Two}\n", `"a2" is listed for both a1 and a2`},
		{"agents:\n  a1: {alias: [x]}\n", "field alias not found"},
		{"agents:\n  a1: {aka: ['']}\n", "a1: an empty name in aka"},
		{"agents:\n  ' ': {}\n", "an agent id is empty"},
		{"a1: {aka: [x]}\n", "field a1 not found"},
	} {
		if _, err := ParseAgents([]byte(c.yaml)); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.yaml, err, c.err)
		}
	}
}
