package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/intrinsics"
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

type samTemplate struct {
	Resources map[string]struct {
		Type       string `json:"Type"`
		Properties struct {
			CodeURI any `json:"CodeUri"`
			Events  map[string]struct {
				Type       string `json:"Type"`
				Properties struct {
					Path   string `json:"Path"`
					Method string `json:"Method"`
					Auth   struct {
						Authorizer string `json:"Authorizer"`
					} `json:"Auth"`
				} `json:"Properties"`
			} `json:"Events"`
		} `json:"Properties"`
	} `json:"Resources"`
}

// readRoutes lists the HTTP routes of template.yaml and, for every function,
// its folder and whether it is a stream consumer (no HttpApi event).
func readRoutes(file string) (routes []Route, functions map[string]bool, err error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, nil, err
	}
	raw, err := intrinsics.ProcessYAML(b, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", file, err)
	}
	var t samTemplate
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, nil, fmt.Errorf("decode %s: %w", file, err)
	}
	functions = map[string]bool{} // folder → has an HTTP route
	for _, res := range t.Resources {
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		uri, _ := res.Properties.CodeURI.(string)
		folder := path.Base(strings.TrimRight(uri, "/"))
		if folder == "" || folder == "." {
			continue
		}
		functions[folder] = functions[folder] || false
		for _, ev := range res.Properties.Events {
			if ev.Type != "HttpApi" {
				continue
			}
			functions[folder] = true
			routes = append(routes, Route{
				Method:     strings.ToUpper(ev.Properties.Method),
				Path:       ev.Properties.Path,
				Function:   folder,
				Authorizer: ev.Properties.Auth.Authorizer,
			})
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
