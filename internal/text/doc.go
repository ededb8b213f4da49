// Package text holds small text helpers shared by the operator: cutting text to the limits of
// the Kubernetes API and of the FotaCampaign schema.
package text
