package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/assentis/mycrm/internal/httpapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// loadOpenAPI loads an OpenAPI document with kin-openapi and returns what
// its validation finds: schemas, references, examples and defaults against
// their schemas, patterns that compile.
func loadOpenAPI(b []byte) (*openapi3.T, []error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, []error{err}
	}
	if !doc.IsOpenAPI31OrLater() {
		return doc, []error{fmt.Errorf("openapi %q, want 3.1.x", doc.OpenAPI)}
	}
	err = doc.Validate(context.Background(), openapi3.EnableMultiError(),
		openapi3.EnableSchemaDefaultsValidation(), openapi3.EnableExamplesValidation())
	var me openapi3.MultiError
	if errors.As(err, &me) {
		return doc, me
	}
	if err != nil {
		return doc, []error{err}
	}
	return doc, nil
}

// TestOpenAPIDocumentIsValid validates the served document as OpenAPI 3.1,
// so that a broken schema cannot make the e2e contract check pass or fail
// for the wrong reason.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	_, errs := loadOpenAPI(httpapi.OpenAPI())
	for _, err := range errs {
		t.Errorf("openapi.json: %v", err)
	}
}

// TestOpenAPIValidationFails feeds the validation broken documents: it must
// find each fault.
func TestOpenAPIValidationFails(t *testing.T) {
	const head = `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{"/x":{"get":{"responses":{"200":{"description":"OK",` +
		`"content":{"application/json":{"schema":`
	const tail = `}}}}}}}}`
	tests := []struct {
		name, doc string
	}{
		{"reference to nothing", head + `{"$ref":"#/components/schemas/Absent"}` + tail},
		{"pattern that does not compile", head + `{"type":"string","pattern":"(["}` + tail},
		{"example against its schema", head + `{"type":"integer"},"example":"douze"` + tail},
		{"OpenAPI 3.0", strings.Replace(head, "3.1.0", "3.0.3", 1) + `{"type":"object"}` + tail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, errs := loadOpenAPI([]byte(tt.doc)); len(errs) == 0 {
				t.Errorf("validation: got no error, want one")
			}
		})
	}
}

// TestOpenAPIDocumentsGatewayAnswers checks, operation by operation, the
// statuses API Gateway itself can send whatever the function does: 401 from
// the JWT authorizer on a protected route, 413 past its body limit on a
// route that reads a body, 500 when the function fails.
func TestOpenAPIDocumentsGatewayAnswers(t *testing.T) {
	doc, errs := loadOpenAPI(httpapi.OpenAPI())
	if len(errs) > 0 {
		t.Fatalf("openapi.json: %v", errs[0])
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want := []int{500}
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			if len(security) > 0 {
				want = append(want, 401)
			}
			if op.RequestBody != nil {
				want = append(want, 413)
			}
			for _, status := range want {
				r := op.Responses.Status(status)
				if r == nil {
					t.Errorf("%s %s: status %d is not documented", method, path, status)
					continue
				}
				if r.Value.Content.Get("application/json") == nil {
					t.Errorf("%s %s: %d does not document API Gateway's application/json message", method, path, status)
				}
			}
		}
	}
}
