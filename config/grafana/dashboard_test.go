// Package grafana_test checks the Grafana dashboard, and the alerting rules next to it, against
// the metrics the operator exports: a query that names a metric nobody exports shows an empty
// panel or an alert that never fires, and nothing else would say so.
package grafana_test

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/fota-operator/fota-operator/internal/manager"
)

const (
	dashboardFile = "fota-operator.json"
	alertsFile    = "../prometheus/alerts.yaml"
)

// query is a PromQL expression and where it comes from, for the error message.
type query struct {
	source, expr string
}

type dashboard struct {
	SchemaVersion int     `json:"schemaVersion"`
	Panels        []panel `json:"panels"`
	Templating    struct {
		List []struct {
			Name       string     `json:"name"`
			Type       string     `json:"type"`
			Query      any        `json:"query"`
			Datasource datasource `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
}

type panel struct {
	Title      string     `json:"title"`
	Type       string     `json:"type"`
	Datasource datasource `json:"datasource"`
	Targets    []struct {
		Expr       string     `json:"expr"`
		Datasource datasource `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

type datasource struct {
	UID string `json:"uid"`
}

func TestQueriesSelectOnlyExportedMetrics(t *testing.T) {
	operator := manager.MetricNames()
	problems := unknownMetrics(dashboardQueries(t, readDashboard(t)), exported(operator...))
	// `up` is Prometheus' own series of each scrape, which FotaOperatorAbsent watches.
	problems = append(problems, unknownMetrics(alertQueries(t), exported(append(operator, "up")...))...)
	for _, problem := range problems {
		t.Error(problem)
	}
}

func TestUnknownMetricsFindsAMisspelledName(t *testing.T) {
	queries := []query{
		{source: "panel ok", expr: `sum(rate(fota_thingspace_requests_total[5m]))`},
		{source: "panel typo", expr: `sum(rate(fota_thingspace_request_total[5m]))`},
	}
	got := unknownMetrics(queries, exported(manager.MetricNames()...))
	want := []string{`panel typo: sum(rate(fota_thingspace_request_total[5m])) selects fota_thingspace_request_total, which the operator does not export`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unknownMetrics (-want +got):\n%s", diff)
	}
}

// Panels and variables must query the dashboard's datasource variable: a fixed datasource uid
// is one the importing Grafana does not have.
func TestQueriesUseTheDatasourceVariable(t *testing.T) {
	d := readDashboard(t)
	if d.SchemaVersion < 39 {
		t.Errorf("schemaVersion %d, want 39 or later", d.SchemaVersion)
	}
	var variables []string
	for _, variable := range d.Templating.List {
		variables = append(variables, variable.Name)
		if variable.Type == "query" && variable.Datasource.UID != "${datasource}" {
			t.Errorf("variable %s: datasource %q, want ${datasource}", variable.Name, variable.Datasource.UID)
		}
	}
	for _, name := range []string{"datasource", "namespace"} {
		if !slices.Contains(variables, name) {
			t.Errorf("no %s variable among %v", name, variables)
		}
	}
	for _, p := range allPanels(d.Panels) {
		for _, target := range p.Targets {
			if target.Datasource.UID != "${datasource}" {
				t.Errorf("panel %q: datasource %q, want ${datasource}", p.Title, target.Datasource.UID)
			}
		}
	}
}

func TestMetricNamesIn(t *testing.T) {
	tests := map[string]struct {
		expr string
		want []string
	}{
		"a selector with matchers and a range": {
			expr: `sum by (code) (rate(fota_thingspace_requests_total{code=~"5..|error"}[10m]))`,
			want: []string{"fota_thingspace_requests_total"},
		},
		"both sides of a binary operation with vector matching": {
			expr: `a_total / on (namespace) group_left (name) b_info`,
			want: []string{"a_total", "b_info"},
		},
		"grouping after the aggregated expression": {
			expr: `sum(rate(a_total[5m])) by (le) > 0.5`,
			want: []string{"a_total"},
		},
		"Grafana variables in matchers and ranges": {
			expr: `histogram_quantile(0.99, sum by (le) (rate(a_bucket{namespace=~"$namespace"}[$__rate_interval])))`,
			want: []string{"a_bucket"},
		},
		"keywords, numbers and durations are not names": {
			expr: `absent(up{job="x"} == 1) or a_total offset 5m > bool 1e3 unless b_total`,
			want: []string{"a_total", "b_total", "up"},
		},
		"text in strings is not a name": {
			expr: `label_replace(a_total, "dst", "$1", "src", "(fake_metric)")`,
			want: []string{"a_total"},
		},
		"a variable query's selector": {
			expr: `label_values(fota_campaign_phase, namespace)`,
			want: []string{"fota_campaign_phase"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, metricNamesIn(tc.expr)); diff != "" {
				t.Errorf("metricNamesIn(%s) (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

func unknownMetrics(queries []query, exported map[string]bool) []string {
	var problems []string
	for _, q := range queries {
		names := metricNamesIn(q.expr)
		if len(names) == 0 {
			problems = append(problems, fmt.Sprintf("%s: %s selects no metric", q.source, q.expr))
		}
		for _, name := range names {
			if !exported[name] {
				problems = append(problems, fmt.Sprintf("%s: %s selects %s, which the operator does not export", q.source, q.expr, name))
			}
		}
	}
	return problems
}

func exported(names ...string) map[string]bool {
	set := map[string]bool{}
	for _, name := range names {
		set[name] = true
	}
	return set
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	content, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(content, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	return d
}

func allPanels(panels []panel) []panel {
	var all []panel
	for _, p := range panels {
		all = append(all, p)
		all = append(all, allPanels(p.Panels)...)
	}
	return all
}

func dashboardQueries(t *testing.T, d dashboard) []query {
	t.Helper()
	var queries []query
	for _, p := range allPanels(d.Panels) {
		for _, target := range p.Targets {
			queries = append(queries, query{source: fmt.Sprintf("panel %q", p.Title), expr: target.Expr})
		}
	}
	for _, variable := range d.Templating.List {
		if variable.Type != "query" {
			continue
		}
		expr := variable.Query
		if q, ok := expr.(map[string]any); ok {
			expr = q["query"]
		}
		queries = append(queries, query{source: "variable " + variable.Name, expr: fmt.Sprint(expr)})
	}
	if len(queries) == 0 {
		t.Fatalf("%s has no queries", dashboardFile)
	}
	return queries
}

func alertQueries(t *testing.T) []query {
	t.Helper()
	content, err := os.ReadFile(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	var rule struct {
		Spec struct {
			Groups []struct {
				Rules []struct {
					Alert string `json:"alert"`
					Expr  string `json:"expr"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(content, &rule); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	var queries []query
	for _, group := range rule.Spec.Groups {
		for _, r := range group.Rules {
			queries = append(queries, query{source: "alert " + r.Alert, expr: r.Expr})
		}
	}
	return queries
}

// Words that stand where a metric name could but are PromQL's own: binary operators, modifiers,
// aggregations (`sum by (le) (...)` puts a word, not a parenthesis, after `sum`) and numbers.
var promQLWords = exported("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan",
	"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
	"bottomk", "topk", "quantile", "limitk", "limit_ratio")

// groupingWords take a list of label names in parentheses.
var groupingWords = exported("by", "without", "on", "ignoring", "group_left", "group_right")

// variableQuery is a Grafana variable's query of a label's values, whose first argument is a
// selector.
var variableQuery = regexp.MustCompile(`^\s*label_values\((.*),\s*[a-zA-Z_]\w*\s*\)\s*$`)

// metricNamesIn returns the metric names that a PromQL expression selects, sorted. It reads as
// much of PromQL as that takes: strings, label matchers in braces and ranges in brackets hold no
// metric name; a word followed by a parenthesis is a function; a grouping word is followed by
// label names; what remains of the words is metric names. The Prometheus parser would do it
// exactly, but its module would pull Prometheus' dependencies into the operator's go.mod.
func metricNamesIn(expr string) []string {
	if match := variableQuery.FindStringSubmatch(expr); match != nil {
		expr = match[1]
	}
	var names []string
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			i = afterString(expr, i)
		case c == '{':
			i = afterGroup(expr, i, '}')
		case c == '[':
			i = afterGroup(expr, i, ']')
		case c == '$' || isDigit(c) || c == '.':
			// A Grafana variable, or a number or duration such as 1e3 or 5m.
			i = afterWord(expr, i+1)
		case isWordStart(c):
			end := afterWord(expr, i)
			word, next := expr[i:end], nextByte(expr, end)
			switch {
			case groupingWords[word] && next == '(':
				end = afterGroup(expr, strings.IndexByte(expr[end:], '(')+end, ')')
			case next == '(', promQLWords[strings.ToLower(word)]:
			default:
				names = append(names, word)
			}
			i = end
		default:
			i++
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordStart(c byte) bool { return c == '_' || c == ':' || (c|0x20 >= 'a' && c|0x20 <= 'z') }

func afterWord(expr string, i int) int {
	for i < len(expr) && (isWordStart(expr[i]) || isDigit(expr[i])) {
		i++
	}
	return i
}

// afterString returns the index after the string literal that starts at start.
func afterString(expr string, start int) int {
	quote := expr[start]
	for i := start + 1; i < len(expr); i++ {
		switch {
		case expr[i] == '\\' && quote != '`':
			i++
		case expr[i] == quote:
			return i + 1
		}
	}
	return len(expr)
}

// afterGroup returns the index after the closing byte of the group that opens at start, skipping
// strings inside it.
func afterGroup(expr string, start int, closing byte) int {
	for i := start + 1; i < len(expr); {
		switch expr[i] {
		case '"', '\'', '`':
			i = afterString(expr, i)
		case closing:
			return i + 1
		default:
			i++
		}
	}
	return len(expr)
}

func nextByte(expr string, i int) byte {
	rest := strings.TrimLeft(expr[i:], " \t\n")
	if rest == "" {
		return 0
	}
	return rest[0]
}
