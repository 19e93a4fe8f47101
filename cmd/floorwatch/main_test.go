package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseArgsTakesFlagsAnywhere(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		token      string
		json       bool
		positional []string
	}{
		{[]string{"ws://h/", "--token", "T", "--json"}, "T", true, []string{"ws://h/"}},
		{[]string{"--token=T", "ws://h/", "extra"}, "T", false, []string{"ws://h/", "extra"}},
		{[]string{"--json", "--", "--token", "x"}, "", true, []string{"--token", "x"}},
		{nil, "", false, []string{}},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		token := fs.String("token", "", "")
		asJSON := fs.Bool("json", false, "")
		if err := parseArgs(fs, tc.args); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if *token != tc.token || *asJSON != tc.json || !slices.Equal(append([]string{}, fs.Args()...), tc.positional) {
			t.Errorf("%v: token %q json %v args %q; want %q %v %q", tc.args, *token, *asJSON, fs.Args(), tc.token, tc.json, tc.positional)
		}
	}
}
