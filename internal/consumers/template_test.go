package consumers_test

import (
	"testing"

	"github.com/assentis/mycrm/internal/devstack/gateway"
	"github.com/assentis/mycrm/internal/devstack/samtemplate"
	"github.com/aws/aws-lambda-go/events"
)

// TestReaderFilters: each reader's FilterCriteria in template.yaml let
// through every kind of record one of its handlers acts on, and keep away
// records none of them wants, among them the reader's own stream marks (a
// mark that reached a reader would feed it its own writes).
func TestReaderFilters(t *testing.T) {
	tpl, err := samtemplate.ParseTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	filters := map[string][]string{}
	for _, s := range tpl.Streams() {
		filters[s.Function] = s.Filters
	}
	s := events.NewStringAttribute
	img := func(kv ...string) map[string]events.DynamoDBAttributeValue {
		m := map[string]events.DynamoDBAttributeValue{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = s(kv[i+1])
		}
		return m
	}
	rec := func(name string, old, cur map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: name, Change: events.DynamoDBStreamRecord{OldImage: old, NewImage: cur}}
	}
	affaire := img("type", "affaire", "statut", "en_cours")
	withApporteur := img("type", "affaire", "statut", "signee", "apporteurId", "01J")
	tests := []struct {
		name   string
		reader string
		record events.DynamoDBEventRecord
		want   bool
	}{
		{"historique: new affaire", "stream-projections", rec("INSERT", nil, affaire), true},
		{"historique, commissions, contact-client: changed affaire", "stream-projections", rec("MODIFY", affaire, withApporteur), true},
		{"commissions: removed affaire", "stream-projections", rec("REMOVE", withApporteur, nil), true},
		{"client-nom: changed contact", "stream-projections", rec("MODIFY", img("type", "contact"), img("type", "contact")), true},
		{"client-nom: changed entreprise", "stream-projections", rec("MODIFY", img("type", "entreprise"), img("type", "entreprise")), true},
		{"search: new contact", "stream-projections", rec("INSERT", nil, img("type", "contact")), true},
		{"search: new entreprise", "stream-projections", rec("INSERT", nil, img("type", "entreprise")), true},
		{"search: removed contact", "stream-projections", rec("REMOVE", img("type", "contact"), nil), true},
		{"search: apporteur renamed or erased", "stream-projections", rec("MODIFY", img("type", "apporteur"), img("type", "apporteur", "statut", "desactive")), true},
		{"projections: search word", "stream-projections", rec("INSERT", nil, img("type", "mot")), false},
		{"invitations: new apporteur", "stream-mail", rec("INSERT", nil, img("type", "apporteur", "statut", "invitation_envoyee")), true},
		{"invitations: new MIA invitation", "stream-mail", rec("MODIFY", nil, img("type", "mia", "statut", "invitation_envoyee")), true},
		{"notifications: contact of an apporteur", "stream-mail", rec("INSERT", nil, img("type", "contact", "origine", "apporteur")), true},
		{"notifications: changed affaire of an apporteur", "stream-mail", rec("MODIFY", affaire, withApporteur), true},
		{"mail: changed affaire without apporteur", "stream-mail", rec("MODIFY", affaire, affaire), false},
		{"releve-emis: relevé issued", "stream-mail", rec("INSERT", nil, img("type", "releve")), true},
		{"ledger: signed affaire", "stream-projections", rec("MODIFY", affaire, withApporteur), true},
		{"projections: ledger line", "stream-projections", rec("INSERT", nil, img("type", "ligne")), false},
		{"mail: ledger line", "stream-mail", rec("INSERT", nil, img("type", "ligne")), false},
		{"relances, activite, tableau: new contact", "stream-projections", rec("INSERT", nil, img("type", "contact")), true},
		{"activite: new entreprise", "stream-projections", rec("INSERT", nil, img("type", "entreprise")), true},
		{"activite, tableau, agenda: new tâche", "stream-projections", rec("INSERT", nil, img("type", "tache")), true},
		{"activite, tableau, agenda: changed tâche", "stream-projections", rec("MODIFY", img("type", "tache"), img("type", "tache")), true},
		{"relances: apporteur's legal status set", "stream-projections", rec("MODIFY", img("type", "apporteur"), img("type", "apporteur", "statut", "actif")), true},
		{"relances: new apporteur", "stream-projections", rec("INSERT", nil, img("type", "apporteur")), true},
		{"activite: edited note", "stream-projections", rec("MODIFY", img("type", "note"), img("type", "note")), true},
		{"projections: timeline line", "stream-projections", rec("INSERT", nil, img("type", "activite")), false},
		{"projections: dashboard", "stream-projections", rec("MODIFY", nil, img("type", "tableau")), false},
		{"projections: historique entry", "stream-projections", rec("INSERT", nil, img("type", "historique")), false},
		{"projections: stream mark", "stream-projections", rec("INSERT", nil, img("type", "stream_mark")), false},
		{"mail: stream mark", "stream-mail", rec("INSERT", nil, img("type", "stream_mark")), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := filters[tt.reader]
			if !ok {
				t.Fatalf("no stream reader %s in the template", tt.reader)
			}
			got, err := gateway.MatchFilters(f, tt.record)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s lets the record through: got %v, want %v", tt.reader, got, tt.want)
			}
		})
	}
}
