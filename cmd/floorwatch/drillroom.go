package main

import (
	"cmp"
	"fmt"

	"github.com/floorwatch/floorwatch/sshserve"
)

// drillRoom is who may act in the drill of serve --scenario, and as whom.
// Commands come from the sessions' dashboards straight to the drill, in
// this process: the SSH login proved who each is, which the drill's feed
// could not.
type drillRoom struct {
	drill *simFeed
	// trainees are the fingerprints of the keys that may act (--trainees);
	// nil: every key that may log in.
	trainees map[string]string
	// names are the keys' comments by fingerprint: a drill.action's by is
	// "comment (fingerprint)".
	names map[string]string
}

// newDrillRoom reads who may act: the keys of traineesPath, or everyone
// when it is "". A trainee's key must be one of keysPath's, or it could
// not log in to act. The caller sets its drill.
func newDrillRoom(keysPath, traineesPath string) (*drillRoom, error) {
	r := &drillRoom{names: map[string]string{}}
	if keysPath != "" {
		keys, err := keyComments(keysPath)
		if err != nil {
			return nil, err
		}
		r.names = keys
	}
	if traineesPath == "" {
		return r, nil
	}
	trainees, err := keyComments(traineesPath)
	if err != nil {
		return nil, fmt.Errorf("--trainees: %w", err)
	}
	for fp, comment := range trainees {
		if _, ok := r.names[fp]; !ok {
			return nil, fmt.Errorf("--trainees: the key %s %s is not in --authorized-keys: it could not log in", fp, comment)
		}
		r.names[fp] = cmp.Or(r.names[fp], comment)
	}
	r.trainees = trainees
	return r, nil
}

// keyComments reads an authorized-keys file: each key's comment, by
// fingerprint.
func keyComments(path string) (map[string]string, error) {
	keys, err := sshserve.LoadAuthorizedKeys(path)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		out[sshserve.Fingerprint(k.Key)] = k.Comment
	}
	return out, nil
}

// actor is what v's dashboard may do in the drill: act, named by their
// key, or be told why not.
func (r *drillRoom) actor(v sshserve.Viewer) (act func(frame []byte) error, cannot string) {
	if r.trainees != nil {
		if _, ok := r.trainees[v.Fingerprint]; !ok {
			return nil, "Not a trainee's key (--trainees): you may watch this drill, not act in it."
		}
	}
	by := v.String() // no key (--insecure-no-auth): the name they logged in with
	if name, ok := r.names[v.Fingerprint]; ok {
		by = cmp.Or(name, "key") + " (" + v.Fingerprint + ")"
	}
	return r.drill.act(by), ""
}
