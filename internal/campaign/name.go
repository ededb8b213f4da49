package campaign

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// NameKeyOf is the value of the campaign-name-hash label of a FotaCampaign that schedules the
// campaign name in account: a hash, because a label value holds at most 63 characters of a
// restricted alphabet and a campaign name holds any 64. The account and the name are
// length-prefixed, so that no two pairs give the same text to hash.
func NameKeyOf(account, name string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d:%s%d:%s", len(account), account, len(name), name))
	return hex.EncodeToString(sum[:])[:nameKeyLength]
}

// nameKeyLength is how many hex digits of SHA-256 the label keeps: 160 bits, far beyond any
// collision among the names of one cluster, within the 63 characters of a label value.
const nameKeyLength = 40
