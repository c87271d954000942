package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/crm"
)

// TestDecodeExactKeys: encoding/json matches keys case-insensitively and
// lets the last of duplicated keys win; decode refuses both, and invalid UTF-8.
func TestDecodeExactKeys(t *testing.T) {
	tests := []struct {
		name, body string
		champ      string // "" = accepted
		code       string
	}{
		{"exact keys", `{"nom":"Dupont","email":"a@b.fr"}`, "", ""},
		{"case-folded key", `{"Nom":"Dupont"}`, "Nom", crm.EINVALID},
		{"case-folded duplicate", `{"nom":"Dupont","NOM":"Autre"}`, "NOM", crm.EINVALID},
		{"duplicated key", `{"nom":"Dupont","nom":"Autre"}`, "nom", crm.EINVALID},
		{"unknown key", `{"nom":"Dupont","pirate":1}`, "pirate", crm.EINVALID},
		{"invalid UTF-8", "{\"nom\":\"\xff\"}", "", crm.EINVALID},
		{"two values", `{"nom":"a"}{"nom":"b"}`, "", crm.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/contacts", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/json")
			_, _, err := decode[contactInput](httptest.NewRecorder(), r)
			if got := crm.ErrorCode(err); err != nil && got != tt.code || err == nil && tt.code != "" {
				t.Fatalf("got %v, want code %q", err, tt.code)
			}
			if tt.champ != "" {
				e, _ := err.(*crm.Error)
				if e == nil || len(e.Fields) != 1 || e.Fields[0].Champ != tt.champ {
					t.Errorf("got %+v, want a field error on %q", err, tt.champ)
				}
			}
		})
	}
}
