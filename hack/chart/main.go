// Command chart brings the Helm chart charts/fota-operator up to date with the sources it shares
// with config/, so that the chart and `make deploy` cannot disagree on what they share:
//
//   - it copies the files of config/ that the chart's templates read with .Files.Get (the CRD, the
//     manager's RBAC rules and the webhook configuration, which controller-gen generates, the
//     alerting rules and the Grafana dashboard) to the chart's files/, under the same paths;
//   - it writes the manager's flags into the `flags` property of values.schema.json, so that the
//     chart accepts exactly the flags the manager has, each with its type and help text.
//
// `make chart` runs it, and `make manifests` after controller-gen. The templates and values that
// are the chart's own are checked against config/ by the tests in test/chart.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/manager"
)

// chartDir is the chart, relative to the clone.
const chartDir = "charts/fota-operator"

// copiedFromConfig are the files of config/ that the chart reads, as paths under config/; the
// chart holds each as files/<path>.
var copiedFromConfig = []string{
	"crd/bases/fota.thingspace.io_fotacampaigns.yaml",
	"crd/bases/fota.thingspace.io_fotarollouts.yaml",
	"rbac/role.yaml",
	"webhook/manifests.yaml",
	"prometheus/alerts.yaml",
	"grafana/fota-operator.json",
}

// flagsSetByTheChart are the manager's flags that the chart's own objects depend on (the ports
// its Services and probes use, the certificates it mounts, the Lease its Role grants, the
// namespaces its RoleBindings cover), with the values that set them. values.schema.json refuses
// them in `flags`.
var flagsSetByTheChart = map[string]string{
	"health-probe-bind-address": "the probes",
	"leader-elect":              "leaderElection.enabled",
	"leader-elect-namespace":    "the release namespace",
	"metrics-bind-address":      metricsEnabled,
	"metrics-secure":            metricsEnabled,
	"metrics-cert-path":         metricsEnabled,
	"metrics-cert-name":         metricsEnabled,
	"metrics-cert-key":          metricsEnabled,
	"webhook-host":              webhookEnabled,
	"webhook-port":              webhookEnabled,
	"webhook-cert-path":         webhookEnabled,
	"webhook-cert-name":         webhookEnabled,
	"webhook-cert-key":          webhookEnabled,
	"watch-namespaces":          "watchNamespaces",
}

// numberPattern matches a decimal number, e.g. 2.5.
const numberPattern = `^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`

// The values that set most of flagsSetByTheChart.
const (
	metricsEnabled = "metrics.enabled"
	webhookEnabled = "webhook.enabled"
)

// jsonString is JSON Schema's type of text.
const jsonString = "string"

// durationPattern matches what time.ParseDuration accepts, e.g. 90s, 1h30m, 0.5s.
const durationPattern = `^[-+]?(0|([0-9]*(\.[0-9]*)?(ns|us|µs|μs|ms|s|m|h))+)$`

func main() {
	root, err := harness.FindRoot()
	if err == nil {
		err = write(root)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

// write brings the chart in root up to date.
func write(root string) error {
	files, err := generate(root)
	if err != nil {
		return err
	}
	for path, content := range files {
		target := filepath.Join(root, chartDir, path)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// generate returns the chart's generated files by their path in the chart.
func generate(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, path := range copiedFromConfig {
		content, err := os.ReadFile(filepath.Join(root, "config", path))
		if err != nil {
			return nil, err
		}
		files[filepath.Join("files", path)] = content
	}
	schemaPath := filepath.Join(root, chartDir, "values.schema.json")
	schema, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	if files["values.schema.json"], err = withFlags(schema, managerFlags()); err != nil {
		return nil, fmt.Errorf("%s: %w", schemaPath, err)
	}
	return files, nil
}

// managerFlags are the flags main.go defines: the operator's own and zap's.
func managerFlags() *flag.FlagSet {
	flags := flag.NewFlagSet("manager", flag.ContinueOnError)
	opts := manager.DefaultOptions()
	opts.BindFlags(flags)
	(&zap.Options{}).BindFlags(flags)
	return flags
}

// withFlags returns schema with its `flags` property describing every flag of flags that the
// chart does not set itself.
func withFlags(schema []byte, flags *flag.FlagSet) ([]byte, error) {
	var document map[string]any
	if err := json.Unmarshal(schema, &document); err != nil {
		return nil, err
	}
	properties, ok := document["properties"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no properties object")
	}
	properties["flags"] = flagsSchema(flags)
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetEscapeHTML(false)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(document); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func flagsSchema(flags *flag.FlagSet) map[string]any {
	byName := map[string]any{}
	flags.VisitAll(func(f *flag.Flag) {
		if _, ok := flagsSetByTheChart[f.Name]; !ok {
			byName[f.Name] = flagSchema(f)
		}
	})
	setByTheChart := make([]string, 0, len(flagsSetByTheChart))
	for name, value := range flagsSetByTheChart {
		setByTheChart = append(setByTheChart, name+" ("+value+")")
	}
	slices.Sort(setByTheChart)
	return map[string]any{
		"description": "The manager's flags as name: value, e.g. poll-interval: 5m; unset flags keep the manager's " +
			"defaults. Generated from the manager by make chart. The chart sets these from its values: " + strings.Join(setByTheChart, ", ") + ".",
		"type":                 "object",
		"additionalProperties": false,
		"properties":           byName,
	}
}

// flagSchema describes the values a flag accepts, by the type of its value.
func flagSchema(f *flag.Flag) map[string]any {
	schema := map[string]any{"description": f.Usage}
	if f.DefValue != "" {
		schema["description"] = fmt.Sprintf("%s (default %s)", f.Usage, f.DefValue)
	}
	getter, ok := f.Value.(flag.Getter)
	if !ok {
		// A flag.Value of its own (zap's levels, a list) parses text; some take numbers too.
		schema["type"] = []string{jsonString, "integer"}
		return schema
	}
	switch getter.Get().(type) {
	case bool:
		schema["type"] = "boolean"
	case int, int64, uint, uint64:
		schema["type"] = "integer"
	case float64:
		// `helm --set flags.thingspace-qps=2.5` passes a string: only whole numbers become numbers.
		schema["type"] = []string{"number", jsonString}
		schema["pattern"] = numberPattern
	case time.Duration:
		schema["type"] = jsonString
		schema["pattern"] = durationPattern
	default:
		schema["type"] = jsonString
	}
	return schema
}
