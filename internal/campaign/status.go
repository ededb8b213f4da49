package campaign

import "strings"

// normalStatus is a ThingSpace status as the rules compare it: lower case, without the optional
// "Campaign" prefix. ThingSpace's examples spell statuses both ways and in varying case.
func normalStatus(thingSpaceStatus string) string {
	key := strings.ToLower(strings.TrimSpace(thingSpaceStatus))
	return strings.TrimPrefix(key, "campaign")
}

// IsRequestFailed reports whether ThingSpace refused the request that scheduled the campaign
// (CampaignRequestFailed).
func IsRequestFailed(thingSpaceStatus string) bool {
	return normalStatus(thingSpaceStatus) == "requestfailed"
}

// IsRequestPending reports whether ThingSpace is still checking the request that scheduled the
// campaign (CampaignRequestPending).
func IsRequestPending(thingSpaceStatus string) bool {
	status := normalStatus(thingSpaceStatus)
	return status == "requestpending" || status == "pending"
}

// DevicesChangeable reports whether ThingSpace lets a campaign's devices change in this status:
// only until it has scheduled the campaign (CampaignRequestPending or CampaignRequestQueued, which
// the prose also calls CampaignQueued).
func DevicesChangeable(thingSpaceStatus string) bool {
	switch normalStatus(thingSpaceStatus) {
	case "requestpending", "pending", "requestqueued", "queued":
		return true
	}
	return false
}

// LiveStatuses are the statuses of the campaigns that may still run: the ones the operator
// searches by name before it schedules, so that it never schedules a campaign twice.
var LiveStatuses = []string{"CampaignRequestPending", "CampaignRequestQueued", "CampaignScheduled"}

// ClosedStatuses are the statuses of the campaigns that will never run again. The search by name
// before a POST covers them too: a closed campaign with the same name and software means the
// firmware was already rolled out, cancelled or aborted under that name, and must not be
// scheduled again by an object created anew.
var ClosedStatuses = []string{"CampaignEnded", "CampaignCancelled", "CampaignAborted", "CampaignFailed", "CampaignRequestFailed"}

// IsClosed reports whether a campaign in thingSpaceStatus will never run again.
func IsClosed(thingSpaceStatus string) bool {
	status := normalStatus(thingSpaceStatus)
	for _, closed := range ClosedStatuses {
		if status == normalStatus(closed) {
			return true
		}
	}
	return false
}
