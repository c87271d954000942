// Package sam holds the deployment's own tests: samconfig.toml and what
// template.yaml keeps, logs and watches in AWS. (translate.py, the real SAM
// transform, is run by internal/devstack/samtemplate's TestSAMTranslation.)
package sam

import (
	"bufio"
	"os"
	"regexp"
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

// TestDeployWithoutGuided: each environment of samconfig.toml deploys
// without --guided: a stack name, a region, an artefact bucket SAM
// creates, the IAM capability, and a value for every template parameter
// that has no default; staging applies its change set unattended.
func TestDeployWithoutGuided(t *testing.T) {
	cfg := samconfig(t)
	tpl := readTemplate(t)
	var required []string
	for name, p := range tpl.Parameters {
		if _, ok := p["Default"]; !ok {
			required = append(required, name)
		}
	}
	overridden := regexp.MustCompile(`(\w+)="`)
	for _, env := range []string{"default", "staging"} {
		t.Run(env, func(t *testing.T) {
			p := map[string]string{}
			for _, section := range []string{env + ".global.parameters", env + ".deploy.parameters"} {
				for k, v := range cfg[section] {
					p[k] = v
				}
			}
			if p["stack_name"] == "" || p["region"] == "" || p["resolve_s3"] != "true" || !strings.Contains(p["capabilities"], "CAPABILITY_IAM") {
				t.Errorf("stack_name %q, region %q, resolve_s3 %q, capabilities %q; want a stack, a region, resolve_s3 = true, CAPABILITY_IAM",
					p["stack_name"], p["region"], p["resolve_s3"], p["capabilities"])
			}
			given := map[string]bool{}
			for _, m := range overridden.FindAllStringSubmatch(p["parameter_overrides"], -1) {
				given[m[1]] = true
			}
			for _, name := range required {
				if !given[name] {
					t.Errorf("parameter %s has no default and no value in parameter_overrides", name)
				}
			}
		})
	}
	if got := cfg["staging.deploy.parameters"]["confirm_changeset"]; got != "false" {
		t.Errorf("staging confirm_changeset = %q, want false (unattended)", got)
	}
}
