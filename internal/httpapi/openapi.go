package httpapi

import _ "embed"

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of the API (served by the local
// gateway at /openapi.json).
func OpenAPI() []byte { return openAPI }
