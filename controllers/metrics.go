package controllers

// Placeholder definitions until the campaign gauges land; replaced by the metrics file.
func registerMetrics() {}

func reportCampaignMetrics(namespace, name, phase, syncedReason string, synced bool, readyReason string, ready bool, devices map[string]int) {
}

func forgetCampaignMetrics(namespace, name string) {}
