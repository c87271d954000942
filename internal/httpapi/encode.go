package httpapi

import (
	"encoding/json"
	"net/http"
)

// encode writes v as JSON with the given status.
func encode[T any](w http.ResponseWriter, _ *http.Request, status int, v T) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
