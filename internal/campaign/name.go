package campaign

import (
	"crypto/sha256"
	"encoding/hex"
)

// maxCampaignNameLength is the longest campaign name the operator gives ThingSpace.
const maxCampaignNameLength = 64

// nameHashLength is how many hex digits of a hash keep two long default names apart.
const nameHashLength = 8

// NameOf is the name of the campaign a FotaCampaign schedules: spec.campaignName when set,
// otherwise "<namespace>.<name>". A default name longer than 64 characters is cut and ends in a
// short hash of the whole, so that two long names that share a beginning stay apart.
func NameOf(namespace, name, specName string) string {
	if specName != "" {
		return specName
	}
	full := namespace + "." + name
	if len(full) <= maxCampaignNameLength {
		return full
	}
	sum := sha256.Sum256([]byte(full))
	suffix := "-" + hex.EncodeToString(sum[:])[:nameHashLength]
	return full[:maxCampaignNameLength-len(suffix)] + suffix
}
