// Package sam holds the deployment's own tests: samconfig.toml and what
// template.yaml keeps, logs and watches in AWS. (translate.py, the real SAM
// transform, is run by internal/gateway's TestSAMTranslation.)
package sam

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// samconfig reads samconfig.toml's tables of scalar keys ("[staging.deploy.parameters]")
// as section → key → value, quotes removed.
func samconfig(t *testing.T) map[string]map[string]string {
	t.Helper()
	f, err := os.Open("../../samconfig.toml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]string{"": {}}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			out[section] = map[string]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("samconfig.toml: cannot read %q", line)
			}
			v = strings.TrimSpace(v)
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = strings.ReplaceAll(v[1:len(v)-1], `\"`, `"`)
			}
			out[section][strings.TrimSpace(k)] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBuildNotCached: sam build's cache hashes each CodeUri folder only, and
// the functions' code lives in internal/: a cached build deploys stale code.
func TestBuildNotCached(t *testing.T) {
	for section, keys := range samconfig(t) {
		if strings.HasSuffix(section, ".build.parameters") && keys["cached"] == "true" {
			t.Errorf("[%s] cached = true, want the build cache off", section)
		}
	}
}
