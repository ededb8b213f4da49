package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Sample is one sample of the Prometheus text format.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Samples is what one scrape of /metrics returned.
type Samples []Sample

// Sum adds the samples of the metric family name whose labels include every pair of labels; ok
// is false when there is none.
func (s Samples) Sum(name string, labels map[string]string) (sum float64, ok bool) {
	for _, sample := range s {
		if sample.Name == name && hasLabels(sample.Labels, labels) {
			sum += sample.Value
			ok = true
		}
	}
	return sum, ok
}

func hasLabels(have, want map[string]string) bool {
	for key, value := range want {
		if have[key] != value {
			return false
		}
	}
	return true
}

// maxMetricsBytes bounds a scrape: the series of 10 000 campaigns take a few megabytes.
const maxMetricsBytes = 64 << 20

// Metrics scrapes the manager's /metrics.
func (m *Manager) Metrics(ctx context.Context) (Samples, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	body, err := Get(ctx, m.MetricsURL(), maxMetricsBytes)
	if err != nil {
		return nil, err
	}
	var samples Samples
	lines := bufio.NewScanner(bytes.NewReader(body))
	lines.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for lines.Scan() {
		if sample, ok := parseSample(lines.Text()); ok {
			samples = append(samples, sample)
		}
	}
	return samples, lines.Err()
}

// Get GETs url, a loopback server's document, and returns at most maxBytes of its body; an
// answer other than 200 OK is an error.
func Get(ctx context.Context, url string, maxBytes int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxBytes))
}

// Metric reads the sum of the samples of name with labels (see Samples.Sum) from /metrics.
func (m *Manager) Metric(ctx context.Context, name string, labels map[string]string) (float64, error) {
	samples, err := m.Metrics(ctx)
	if err != nil {
		return 0, err
	}
	value, ok := samples.Sum(name, labels)
	if !ok {
		return 0, fmt.Errorf("metric %s%v not found at %s", name, labels, m.MetricsURL())
	}
	return value, nil
}

// parseSample parses one line of the Prometheus text format, such as
// `rest_client_requests_total{code="200",host="127.0.0.1:6443",method="PATCH"} 1000`.
func parseSample(line string) (Sample, bool) {
	if line == "" || strings.HasPrefix(line, "#") {
		return Sample{}, false
	}
	series, rest := line, ""
	if closing := strings.LastIndexByte(line, '}'); closing >= 0 {
		series, rest = line[:closing+1], line[closing+1:]
	} else if space := strings.IndexByte(line, ' '); space >= 0 {
		series, rest = line[:space], line[space:]
	}
	fields := strings.Fields(rest) // the value, then an optional timestamp
	if len(fields) == 0 {
		return Sample{}, false
	}
	number, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return Sample{}, false
	}
	name, labels, _ := strings.Cut(series, "{")
	return Sample{Name: name, Labels: parseLabels(strings.TrimSuffix(labels, "}")), Value: number}, true
}

// parseLabels reads `a="x",b="y"`; label values with commas or quotes are not needed here.
func parseLabels(text string) map[string]string {
	labels := map[string]string{}
	for pair := range strings.SplitSeq(text, ",") {
		key, value, found := strings.Cut(pair, "=")
		if found {
			labels[key] = strings.Trim(value, `"`)
		}
	}
	return labels
}
