package jobs

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestHandlerPassesTheDueTime(t *testing.T) {
	var got time.Time
	h := Handler(func(_ context.Context, at time.Time) error { got = at; return nil })
	// What EventBridge Scheduler sends once it has filled Input.
	payload := strings.Replace(Input, "<aws.scheduler.scheduled-time>", "2026-12-01T04:00:00Z", 1)
	if err := h(context.Background(), json.RawMessage(payload)); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("at = %v, want %v", got, want)
	}
	for _, bad := range []string{`{"at":"hier"}`, `[`, `{"at":1}`} {
		if err := h(context.Background(), json.RawMessage(bad)); err == nil {
			t.Errorf("payload %s: no error", bad)
		}
	}
}
