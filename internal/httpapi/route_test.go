package httpapi

import (
	"errors"
	"testing"
)

func TestAlongside(t *testing.T) {
	errFirst, errSecond := errors.New("first"), errors.New("second")
	tests := []struct {
		name          string
		first, second error
		want          error
	}{
		{"both read", nil, nil, nil},
		{"first's error", errFirst, nil, errFirst},
		{"second's error", nil, errSecond, errSecond},
		{"first's error wins", errFirst, errSecond, errFirst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := alongside(func() error { return tt.first }, func() error { return tt.second })
			if got != tt.want {
				t.Errorf("alongside() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAlongsideConcurrent: each read waits for the other to have started,
// so the two can only finish when they run at the same time (one round
// trip); run one after the other, they would block until the test's
// deadline.
func TestAlongsideConcurrent(t *testing.T) {
	firstIn, secondIn := make(chan struct{}), make(chan struct{})
	err := alongside(func() error {
		close(firstIn)
		<-secondIn
		return nil
	}, func() error {
		close(secondIn)
		<-firstIn
		return nil
	})
	if err != nil {
		t.Errorf("alongside() = %v, want nil", err)
	}
}
