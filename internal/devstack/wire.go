package devstack

import (
	"net/http"

	"github.com/assentis/mycrm/internal/app/streamapp"
	"github.com/assentis/mycrm/internal/consumers"
	"github.com/assentis/mycrm/internal/devstack/gateway"
	"github.com/assentis/mycrm/internal/dynamo"
	"github.com/assentis/mycrm/internal/httpapi"
)

// httpHandlers builds every HTTP function's handler as its Lambda does.
func httpHandlers(svc *streamapp.Services) map[string]http.Handler {
	out := map[string]http.Handler{}
	for folder, mk := range httpapi.Handlers() {
		out[folder] = mk(svc.HTTP)
	}
	return out
}

// streamConsumers builds every stream consumer as its Lambda does.
func streamConsumers(svc *streamapp.Services) map[string]gateway.Consumer {
	out := map[string]gateway.Consumer{}
	for folder, mk := range consumers.Handlers() {
		out[folder] = mk(svc.Consumers)
	}
	return out
}

func (s *Stack) store() *dynamo.Store {
	return dynamo.New(s.dynamo, s.Table, []byte(s.Env["CURSOR_SECRET"]))
}
