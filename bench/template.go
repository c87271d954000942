package main

import (
	"sort"

	"github.com/assentis/mycrm/internal/devstack/samtemplate"
)

// Route is one HttpApi event of template.yaml.
type Route struct {
	Method     string `json:"method"`
	Path       string `json:"path"`
	Function   string `json:"function"` // folder under functions/
	Authorizer string `json:"authorizer,omitempty"`
	// variant is a query string the benchmark adds to a list route (a
	// filter served by another access pattern); not from the template.
	variant string
}

// Key is the API Gateway route key, e.g. "GET /contacts/{contactId}".
func (r Route) Key() string { return r.Method + " " + r.Path }

// readRoutes lists the HTTP routes of template.yaml (read as the local
// gateway reads it) and, for every function, its folder and whether it has
// an HTTP route (false: a stream consumer).
func readRoutes(file string) (routes []Route, functions map[string]bool, err error) {
	t, err := samtemplate.ParseTemplate(file)
	if err != nil {
		return nil, nil, err
	}
	functions = map[string]bool{}
	for _, f := range t.Functions {
		functions[f.Folder] = len(f.Routes) > 0
		for _, r := range f.Routes {
			routes = append(routes, Route{Method: r.Method, Path: r.Path, Function: r.Function, Authorizer: r.Authorizer})
		}
	}
	sort.Slice(routes, func(i, j int) bool {
		if routes[i].Path != routes[j].Path {
			return routes[i].Path < routes[j].Path
		}
		return routes[i].Method < routes[j].Method
	})
	return routes, functions, nil
}
