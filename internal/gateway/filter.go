package gateway

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// filterPattern is a Lambda event filtering pattern (FilterCriteria) over the
// record's JSON as the function receives it, e.g.
// {"eventName":["INSERT"],"dynamodb":{"NewImage":{"SK":{"S":[{"prefix":"APPORTEUR#"}]}}}}.
// Supported: literal values, prefix, suffix, equals-ignore-case,
// anything-but (values or prefix), exists, numeric (=, <, <=, >, >=).
type filterPattern map[string]any

func parseFilter(s string) (filterPattern, error) {
	var p filterPattern
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("pattern %q: %w", s, err)
	}
	return p, nil
}

// MatchFilters tells whether a record passes FilterCriteria patterns (any
// of them) as the local stream poller applies them; no pattern takes every record.
func MatchFilters(patterns []string, r events.DynamoDBEventRecord) (bool, error) {
	m := &mapping{}
	for _, p := range patterns {
		fp, err := parseFilter(p)
		if err != nil {
			return false, err
		}
		m.filters = append(m.filters, fp)
	}
	return m.matches(r), nil
}

// matches tells whether a record passes the mapping's filters (any of them);
// a mapping without filters takes every record.
func (m *mapping) matches(r events.DynamoDBEventRecord) bool {
	if len(m.filters) == 0 {
		return true
	}
	b, err := json.Marshal(r)
	if err != nil {
		return false
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return false
	}
	for _, f := range m.filters {
		if matchObject(f, doc) {
			return true
		}
	}
	return false
}

func matchObject(pattern map[string]any, doc map[string]any) bool {
	for k, p := range pattern {
		v, present := doc[k]
		switch p := p.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matchObject(p, sub) {
				return false
			}
		case []any:
			if !matchValues(p, v, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// matchValues tells whether the value v (absent when !present) matches one
// of the rules.
func matchValues(rules []any, v any, present bool) bool {
	values := []any{v}
	if l, ok := v.([]any); ok {
		values = l // a set or list matches when one of its elements does
	}
	for _, rule := range rules {
		if obj, ok := rule.(map[string]any); ok {
			if e, ok := obj["exists"].(bool); ok {
				if e == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, val := range values {
			if matchRule(rule, val) {
				return true
			}
		}
	}
	return false
}

func matchRule(rule, v any) bool {
	obj, ok := rule.(map[string]any)
	if !ok {
		return equalValue(rule, v)
	}
	s, isString := v.(string)
	if p, ok := obj["prefix"].(string); ok {
		return isString && strings.HasPrefix(s, p)
	}
	if p, ok := obj["suffix"].(string); ok {
		return isString && strings.HasSuffix(s, p)
	}
	if p, ok := obj["equals-ignore-case"].(string); ok {
		return isString && strings.EqualFold(s, p)
	}
	if ab, ok := obj["anything-but"]; ok {
		switch ab := ab.(type) {
		case []any:
			for _, x := range ab {
				if equalValue(x, v) {
					return false
				}
			}
			return true
		case map[string]any:
			if p, ok := ab["prefix"].(string); ok {
				return !isString || !strings.HasPrefix(s, p)
			}
			return false
		default:
			return !equalValue(ab, v)
		}
	}
	if num, ok := obj["numeric"].([]any); ok {
		return matchNumeric(num, v)
	}
	return false
}

func equalValue(a, b any) bool {
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	return string(ab) == string(bb)
}

func matchNumeric(ops []any, v any) bool {
	var x float64
	switch v := v.(type) {
	case float64:
		x = v
	case string: // DynamoDB numbers are strings in the record
		if _, err := fmt.Sscan(v, &x); err != nil {
			return false
		}
	default:
		return false
	}
	for i := 0; i+1 < len(ops); i += 2 {
		op, _ := ops[i].(string)
		y, ok := ops[i+1].(float64)
		if !ok {
			return false
		}
		var r bool
		switch op {
		case "=":
			r = x == y
		case "<":
			r = x < y
		case "<=":
			r = x <= y
		case ">":
			r = x > y
		case ">=":
			r = x >= y
		default:
			return false
		}
		if !r {
			return false
		}
	}
	return true
}
