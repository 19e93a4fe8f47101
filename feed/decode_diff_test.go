package feed

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// trickyLines are lines on which a hand-written scanner could part ways
// with encoding/json: how keys match (case, Unicode folding, escapes,
// duplicates), what is valid JSON (numbers, literals, escapes, controls,
// nesting depth, what follows the object), what a string holds, and
// values of every wrong kind in every field.
func trickyLines() []string {
	const head = `"seq":1,"ts":"2026-11-23T08:00:00.000Z"`
	lines := []string{
		``, ` `, `{`, `}`, `{}`, `[]`, `{} `, `{}{}`, `{} x`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":}`, `{"a":1 "b":2}`, `{'a':1}`,
		`{"type":"call.offered",` + head + `,"call":"c","queue":"q"}`,
		`{"TYPE":"call.offered","Seq":1,"tS":"2026-11-23T08:00:00.000Z","CALL":"c","Queue":"q"}`,
		`{"type":"call.offered","ſeq":1,"t\u017f":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered",` + head + `,"call":"c","queue":"q","channel":"voice","\u0063aller":"x"}`,
		`{"type":"call.offered",` + head + `,"call":"c","queue":"q","caller":"+33","caller":null}`,
		`{"type":"call.offered",` + head + `,"call":"c","queue":"q","CALL":"d","call":7}`,
		`{"type":"agent.state",` + head + `,"agent":"a","state":"aux","reaſon":"lunch","queues":["q"],"Queues":null}`,
		`{"type":"drill.action",` + head + `,"by":"b","result":"ok","count":3,"\u212aount":1}`,
		`{"type":"call.offered","seq":1e2,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":-0,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":01,"ts":"2026-11-23T08:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1.,"ts":"x"}`, `{"type":"x","seq":.5}`, `{"type":"x","seq":+1}`, `{"type":"x","seq":1e}`,
		`{"type":"x","seq":9223372036854775808,"ts":"2026-11-23T08:00:00Z"}`, `{"type":"x","seq":-1,"ts":"2026-11-23T08:00:00Z"}`,
		`{"type":"x","seq":tru}`, `{"type":"x","seq":nul}`, `{"type":"x","seq":true,"ts":false}`, `{"type":null,"seq":null,"ts":null}`,
		`{"type":"x\q"}`, `{"type":"x\u12"}`, `{"type":"x\u12G4"}`, "{\"type\":\"x\ty\"}", "{\"type\":\"x\x7fy\"}", `{"type":"x`, `{"type`,
		`{"type":"call.offered",` + head + `,"call":"\ud800\udc00 \ud800 \udc00x \u0000","queue":"q\"\\\/\b\f\n\r\t"}`,
		"{\"type\":\"call.offered\"," + head + ",\"call\":\"\xff\xfe\",\"queue\":\"\xc3\",\"caller\":\"\xed\xa0\x80\"}",
		"{\"type\":\"call.offered\"," + head + ",\"call\xff\":\"c\",\"call\":\"c\",\"queue\":\"q\"}",
		`{"type":"call.offered",` + head + `,"call":"c\u001b]0;x\u0007","queue":"q\u2028\u202e"}`,
		`{"type":"call.offered",` + head + `,"call":["` + strings.Repeat("x", 60) + `"],"queue":"q"}`,
		`{"type":"call.offered",` + head + `,"call":{ "a" : [ 1 , 2 ] },"queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00+02:00","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-11-23t08:00:00.5z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-02-29T08:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2024-02-29T23:59:60.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"0000-01-01T00:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-13-01T00:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-11-23T24:00:00.000Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.00aZ","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00.000000001Z","call":"c","queue":"q"}`,
		`{"type":"call.offered","seq":1,"ts":"2026-11-23T08:00:00Z","call":"c","queue":"q"}`,
		`{"type":"survey.submitted",` + head + `,"call":"c","agent":"a","queue":"q","csat":1e0,"nps":-0.0,"ces":7E-0}`,
		`{"type":"survey.submitted",` + head + `,"call":"c","agent":"a","queue":"q","csat":1e400}`,
		`{"type":"queue.config",` + head + `,"queue":"q","sl_target":0.5,"channel_goals":{"b":{"sl_target":2},"a":{"sl_target":3},"":{}}}`,
		`{"type":"queue.config",` + head + `,"queue":"q","channel_goals":{"chat":{"sl_target":2},"chat":{"SL_TARGET":0.5}}}`,
		`{"type":"queue.config",` + head + `,"queue":"q","channel_goals":{"chat":7,"chat":{"sl_target":0.5}}}`,
		`{"type":"queue.config",` + head + `,"queue":"q","channel_goals":{"chat":null,"c\u0068at\u0007":{},"\ud800":{},` + "\"\xff\"" + `:{}}}`,
		`{"type":"queue.config",` + head + `,"queue":"q","channel_goals":[],"sl_mode":"answered_only"}`,
		`{"type":"snapshot",` + head + `,"queues":[null,{"queue":"q","Sl_Target":0.5}],"agents":[null],"calls":[]}`,
		`{"type":"snapshot",` + head + `,"queues":[],"agents":[{"agent":"a","state":"aux","since":"2026-11-23T08:00:00.000Z","QUEUES":["q",1]}],"calls":[]}`,
		`{"type":"snapshot",` + head + `,"queues":[1],"agents":"x","calls":[]}`,
		`{"type":"snapshot",` + head + `,"queues":[],"agents":[[]],"calls":[]}`,
		`{"type":"snapshot",` + head + `,"queues":{},"agents":[],"calls":[]}`,
		`{"type":"snapshot",` + head + `,"queues":[],"agents":[],"calls":[{"call":"c","queue":"q","offered":"2026-11-23T08:00:00.000Z","ended":"2026-11-23T08:00:00.000Z"},{"call":"d"}]}`,
	}
	// Nesting to encoding/json's limit, and one past it.
	for _, depth := range []int{9999, 10000} {
		lines = append(lines, `{"type":"x",`+head+`,"deep":`+strings.Repeat("[", depth)+strings.Repeat("]", depth)+`}`)
	}
	for _, ev := range encodeCases() {
		lines = append(lines, string(Encode(ev)))
	}
	return lines
}

// recordedLines are the lines of the repository's recordings.
func recordedLines(t testing.TB) []string {
	paths, _ := filepath.Glob("../testdata/*.jsonl")
	if len(paths) == 0 {
		t.Fatal("no recordings in ../testdata")
	}
	var lines []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		f.Close()
	}
	return lines
}

func TestDecodeMatchesReference(t *testing.T) {
	for _, line := range append(trickyLines(), recordedLines(t)...) {
		checkDecode(t, []byte(line))
	}
}

// FuzzDecodeMatchesReference: the decoder and the one it replaced read
// every line alike, event and error.
func FuzzDecodeMatchesReference(f *testing.F) {
	for _, line := range append(trickyLines(), recordedLines(f)...) {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) { checkDecode(t, line) })
}

func checkDecode(t *testing.T, line []byte) {
	t.Helper()
	got, want := Decode(line), refDecode(line)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q\n got %+v (err %v)\nwant %+v (err %v)", clip(line), got, got.Err, want, want.Err)
	}
}

// BenchmarkDecode: one call's lines on the issue-16 floor (benchMix).
func BenchmarkDecode(b *testing.B) { benchDecode(b, Decode) }

// BenchmarkDecodeReference: the same with the decoder it replaced.
func BenchmarkDecodeReference(b *testing.B) { benchDecode(b, refDecode) }

func benchDecode(b *testing.B, decode func([]byte) Decoded) {
	var lines [][]byte
	for _, ev := range benchMix() {
		lines = append(lines, Encode(ev))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if d := decode(lines[i%len(lines)]); d.Err != nil {
			b.Fatal(d.Err)
		}
	}
}
