package csvcdr

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/floorwatch/floorwatch/source"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// --check on the contract's example: the golden file is what a user sees,
// row by row, while getting a mapping right.
func TestCheckGolden(t *testing.T) {
	var out bytes.Buffer
	opt := source.Options{MapFile: "../../examples/maps/generic.yaml"}
	if err := Check("testdata/generic.csv", opt, &out, 12); err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/generic.check.golden"
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("--check output differs from %s (go test -update to accept):\n%s", golden, out.String())
	}
}

// A short --check shows its rows and still sums up the whole file.
func TestCheckFirstRows(t *testing.T) {
	var out bytes.Buffer
	if err := Check("testdata/five9.csv", source.Options{MapFile: "../../examples/maps/five9.yaml"}, &out, 2); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`line 2: call "1001" answered by "jdoe@acme"`,
		`offered + wait`,
		`line 3: call "1002" abandoned (caller)`,
		"… 5 more rows",
		`whole file: 7 lines read, 23 events written, 2 skipped (CALL TYPE "Outbound" 1, no queue or agent 1), 0 malformed`,
		"calls from 2026-03-26 09:00:00 EDT to 2026-03-26 09:07:35 EDT: 3 answered, 2 abandoned (caller 2), 1 queues, 2 agents",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--check does not say %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "line 4:") {
		t.Errorf("--check 2 shows a third row:\n%s", out.String())
	}
	if err := Check("testdata/five9.csv", source.Options{}, &out, 2); err == nil || !strings.Contains(err.Error(), "--map") {
		t.Errorf("--check without a map: %v", err)
	}
}
