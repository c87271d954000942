package dynamo

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/assentis/mycrm/internal/crm"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// FuzzCursor (issue 5): a page cursor decodes only for the tenant and the
// list it was made for; anything else, forged or mangled, is a 400 and
// never a panic. Pure: it needs no database (TestMain skips DynamoDB Local
// for a fuzz run).
func FuzzCursor(f *testing.F) {
	s := New(nil, "table", []byte("fuzz-secret"))
	real := s.encodeCursor("01ARZ3NDEKTSV4RRFFQ69G5FAV", "contacts", map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "MIA#01ARZ3NDEKTSV4RRFFQ69G5FAV"}, "SK": &types.AttributeValueMemberS{Value: "CONTACT#01B"}})
	for _, c := range []string{real, real + "x", "." + real, "eyJQSyI6IngifQ.AAAA", "", ".", "a.b.c", "%%%", real[:len(real)-1]} {
		f.Add("01ARZ3NDEKTSV4RRFFQ69G5FAV", "contacts", c, "PK", "MIA#x")
	}
	f.Fuzz(func(t *testing.T, mia, list, cursor, k, v string) {
		m := crm.MIAID(mia)
		lek, err := s.decodeCursor(m, list, cursor)
		if err != nil {
			if crm.ErrorCode(err) != crm.EINVALID {
				t.Fatalf("decode %q: %v", cursor, err)
			}
		} else if cursor != "" && s.encodeCursor(m, list, lek) == "" {
			t.Fatalf("accepted %q with no key", cursor)
		}
		// Round trip of a genuine cursor, refused elsewhere (DynamoDB
		// strings, hence key attributes, are always valid UTF-8).
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return
		}
		want := map[string]types.AttributeValue{k: &types.AttributeValueMemberS{Value: v}}
		c := s.encodeCursor(m, list, want)
		got, err := s.decodeCursor(m, list, c)
		if len(c) > 2048 {
			return // refused for its size: fine
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %v: %v, %v", want, got, err)
		}
		if _, err := s.decodeCursor(m+"x", list, c); err == nil {
			t.Fatalf("cursor of %q accepted for another tenant", m)
		}
		if _, err := s.decodeCursor(m, list+"x", c); err == nil {
			t.Fatalf("cursor of list %q accepted for another list", list)
		}
		if other := New(nil, "table", []byte("other-secret")); true {
			if _, err := other.decodeCursor(m, list, c); err == nil {
				t.Fatal("cursor accepted under another secret")
			}
		}
	})
}
