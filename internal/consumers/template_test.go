package consumers_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
)

// TestHandlersMatchTemplate: every stream event of template.yaml has its
// consumer, and every consumer is wired to the stream, both ways.
func TestHandlersMatchTemplate(t *testing.T) {
	tpl, err := samtemplate.ParseTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wired []string
	for _, s := range tpl.Streams() {
		wired = append(wired, s.Function)
	}
	slices.Sort(wired)
	handlers := slices.Sorted(maps.Keys(consumers.Handlers()))
	if !slices.Equal(wired, handlers) {
		t.Errorf("template stream functions %v, consumers.Handlers %v", wired, handlers)
	}
}
