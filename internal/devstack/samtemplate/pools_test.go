package samtemplate

import (
	"slices"
	"strings"
	"testing"
)

// The pools' settings are a security boundary (issue 9, items 12 and 16):
// nobody signs up, and no user writes its own email or tenant attributes.
// The local stack applies what this test reads.
func TestPoolSettings(t *testing.T) {
	tpl, err := ParseTemplate("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"MiaUserPool", "ApporteurUserPool"} {
		p := tpl.UserPools[id]
		if !p.AllowAdminCreateUserOnly {
			t.Errorf("%s: AllowAdminCreateUserOnly = false, want true (no SignUp)", id)
		}
		if len(p.Clients) == 0 {
			t.Errorf("%s: no app client", id)
		}
		for _, c := range p.Clients {
			// An absent or empty list lets the client write every standard attribute.
			if len(c.WriteAttributes) == 0 || slices.ContainsFunc(c.WriteAttributes, func(a string) bool {
				return a == "email" || strings.HasPrefix(a, "custom:")
			}) {
				t.Errorf("%s: WriteAttributes = %q, want a non-empty list without email nor custom attributes", c.LogicalID, c.WriteAttributes)
			}
		}
	}
}
