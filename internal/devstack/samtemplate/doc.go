// Package samtemplate reads template.yaml, the SAM template that deploys
// MyCRM, into what the local stack serves and provisions (routes,
// authorizers, stream events, the table, the user pools) and what the
// tests hold the code against. It is the template's only parser: the
// gateway, the stack, bench and the product packages' tests all use it.
package samtemplate
