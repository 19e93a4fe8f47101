package sshserve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// RoleSupervisor is the role of a key that sees the whole floor: every key
// that no agent= option or roles entry binds to an agent.
const RoleSupervisor = "supervisor"

// LoadRoles reads a --roles file: YAML mapping key fingerprints (as ssh-keygen
// -lf prints them) to `supervisor` or `agent:ID`:
//
//	SHA256:0PxT6Jc3Ge4v8h0bb0dXBDRvqzkPDKvJnwGJ8xnYlo8: supervisor
//	SHA256:Yk1M8Jb+qE1jYd0cHRv2yQq5tNfIY0cRk4q1dGx3ZrU: agent:a017
//
// It returns each fingerprint's agent id, "" for a supervisor. A line that
// is anything else is an error naming the file and line.
func LoadRoles(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("roles %s: %w", path, err)
	}
	roles := map[string]string{}
	if len(doc.Content) == 0 {
		return roles, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want lines of `SHA256:fingerprint: supervisor` or `SHA256:fingerprint: agent:ID`", path, m.Line)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		fp := k.Value
		if !strings.HasPrefix(fp, "SHA256:") || len(fp) <= len("SHA256:") {
			return nil, fmt.Errorf("%s:%d: %q is not a key fingerprint: give it as `ssh-keygen -lf KEY.pub` prints it (SHA256:…)", path, k.Line, fp)
		}
		if _, dup := roles[fp]; dup {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", path, k.Line, fp)
		}
		role := v.Value
		switch {
		case v.Kind == yaml.ScalarNode && role == RoleSupervisor:
			roles[fp] = ""
		case v.Kind == yaml.ScalarNode && strings.HasPrefix(role, "agent:"):
			id, err := agentID(strings.TrimPrefix(role, "agent:"))
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, v.Line, err)
			}
			roles[fp] = id
		default:
			return nil, fmt.Errorf("%s:%d: role %q: want supervisor or agent:ID", path, v.Line, role)
		}
	}
	return roles, nil
}

// BindRoles gives each authorized key its role: the agent= option of its
// line, or its entry in roles (from --roles), or supervisor. It returns the
// agent of every key bound to one, by fingerprint. A roles entry for a key
// that is not authorized, or one that contradicts the key's agent= option,
// is an error: a mistyped fingerprint would otherwise leave an agent's key
// a supervisor's, seeing the whole floor.
func BindRoles(keys []AuthorizedKey, roles map[string]string) (map[string]string, error) {
	agents := map[string]string{}
	authorized := map[string]bool{}
	for _, k := range keys {
		fp := Fingerprint(k.Key)
		authorized[fp] = true
		role, listed := roles[fp]
		switch {
		case listed && k.Agent != "" && role != k.Agent:
			return nil, fmt.Errorf("key %s: its agent=%s option and the roles file (%s) disagree", fp, k.Agent, roleName(role))
		case k.Agent != "":
			agents[fp] = k.Agent
		case role != "":
			agents[fp] = role
		}
	}
	for fp := range roles {
		if !authorized[fp] {
			return nil, fmt.Errorf("roles: %s is not among the authorized keys: check the fingerprint (ssh-keygen -lf KEY.pub)", fp)
		}
	}
	return agents, nil
}

func roleName(agent string) string {
	if agent == "" {
		return RoleSupervisor
	}
	return "agent:" + agent
}
