package controllers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// Scheduling is the one write that is not idempotent: ThingSpace has no idempotency key, and
// every POST schedules one more campaign on real devices. The campaign's name is the key instead:
//   - the id of a campaign the operator scheduled is recorded in the campaign-id annotation,
//     written before the status; with it present the operator never schedules again;
//   - before every POST the operator lists the account's live campaigns and looks for the name,
//     so a crash between the POST and the annotation, a lost reply, a deleted and re-applied
//     object all end in adopting the campaign, not in a second one.

// scheduleWhenNew finds or schedules the campaign of a FotaCampaign that has no id yet: it adopts
// the live campaign of the same name and software, refuses when the name is taken otherwise, and
// schedules the campaign when there is none. After a POST the reconcile ends, so the annotation is
// written before anything else happens; after an adoption it goes on with the campaign found.
func (r *FotaCampaignReconciler) scheduleWhenNew(ctx context.Context, c *managed, now time.Time) *outcome {
	if c.id != "" {
		return nil
	}
	if stop := createRejectedBefore(c.fc); stop != nil {
		return stop
	}
	name := campaignNameOf(c.fc)
	found, stop := r.liveCampaignsNamed(ctx, c, name, now)
	if stop != nil {
		return stop
	}
	switch {
	case len(found) == 0:
		return r.create(ctx, c, name, now)
	case len(found) == 1 && sameSoftware(found[0], c.fc.Spec.Software):
		r.adopt(ctx, c, found[0], now)
		return nil
	default:
		return &outcome{reason: fotav1alpha1.ReasonConflict, message: nameConflictMessage(c.account(), name, found, c.fc.Spec.Software)}
	}
}

// campaignNameOf is the name under which fc's campaign is scheduled.
func campaignNameOf(fc *fotav1alpha1.FotaCampaign) string {
	return campaign.NameOf(fc.Namespace, fc.Name, fc.Spec.CampaignName)
}

// createRejectedBefore ends the reconcile when ThingSpace refused to schedule this very
// generation: the status says so durably, so not even a restart sends the same POST again.
func createRejectedBefore(fc *fotav1alpha1.FotaCampaign) *outcome {
	synced := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
	if synced == nil || synced.Reason != fotav1alpha1.ReasonThingSpaceRejected || synced.ObservedGeneration != fc.Generation {
		return nil
	}
	return &outcome{reason: synced.Reason, message: synced.Message}
}

// liveCampaignsNamed lists the account's campaigns that may still run, every status and every
// page, and returns those named name.
func (r *FotaCampaignReconciler) liveCampaignsNamed(ctx context.Context, c *managed, name string, now time.Time) ([]thingspace.Campaign, *outcome) {
	ctrl.LoggerFrom(ctx).V(1).Info("Looking for the campaign by name in ThingSpace", "account", c.account(), "campaignName", name)
	var found []thingspace.Campaign
	for _, status := range campaign.LiveStatuses {
		err := r.ThingSpace.ListCampaigns(ctx, c.creds, c.account(), status, func(listed thingspace.Campaign) error {
			if listed.CampaignName == name && !containsID(found, listed.ID) {
				found = append(found, listed)
			}
			return nil
		})
		if err != nil {
			return nil, r.failed(ctx, c.fc, c.state, actionListCampaigns, err, now)
		}
	}
	return found, nil
}

func containsID(campaigns []thingspace.Campaign, id string) bool {
	for _, listed := range campaigns {
		if listed.ID == id {
			return true
		}
	}
	return false
}

// sameSoftware reports whether a listed campaign upgrades what the spec asks for.
func sameSoftware(listed thingspace.Campaign, software *fotav1alpha1.Software) bool {
	return software != nil && listed.SoftwareName == software.Name && listed.SoftwareFrom == software.From &&
		listed.SoftwareTo == software.To && strings.EqualFold(listed.DistributionType, string(software.DistributionType))
}

func nameConflictMessage(account, name string, found []thingspace.Campaign, software *fotav1alpha1.Software) string {
	if len(found) == 1 {
		return fmt.Sprintf("ThingSpace account %s holds campaign %s named %q with other software (%s from %s to %s over %s, the spec asks for %s from %s to %s over %s): the operator schedules nothing; set another campaignName, or manage that campaign with campaignId",
			account, found[0].ID, name, found[0].SoftwareName, found[0].SoftwareFrom, found[0].SoftwareTo, found[0].DistributionType,
			software.Name, software.From, software.To, software.DistributionType)
	}
	ids := make([]string, 0, len(found))
	for _, listed := range found {
		ids = append(ids, listed.ID)
	}
	return fmt.Sprintf("ThingSpace account %s holds %d live campaigns named %q (%s): the operator cannot tell which one is this FotaCampaign's, so it schedules none; cancel the extra ones in ThingSpace or set another campaignName",
		account, len(found), name, strings.Join(ids, ", "))
}

// adopt makes a live campaign of the right name and software this FotaCampaign's campaign, as if
// the operator had just scheduled it: the listed campaign is the observation of this reconcile.
func (r *FotaCampaignReconciler) adopt(ctx context.Context, c *managed, found thingspace.Campaign, now time.Time) {
	ctrl.LoggerFrom(ctx).Info("Adopting the campaign of the same name found in ThingSpace", "account", c.account(),
		"campaignID", found.ID, "campaignName", found.CampaignName)
	c.recordID(found.ID)
	c.recordObservation(found, now)
	r.event(c.fc, corev1.EventTypeNormal, EventCampaignAdopted, actionListCampaigns,
		"Adopted campaign %s named %q, which ThingSpace already holds (status %s); nothing was scheduled",
		found.ID, found.CampaignName, found.Status)
}

// recordID records the id of the campaign the operator scheduled or adopted: in memory at once,
// and in the annotation, which Reconcile writes before the status.
func (c *managed) recordID(id string) {
	c.id = id
	c.state.scheduledID = id
	if c.fc.Annotations == nil {
		c.fc.Annotations = map[string]string{}
	}
	c.fc.Annotations[fotav1alpha1.AnnotationCampaignID] = id
}

// create schedules the campaign with one POST carrying the whole spec, then ends the reconcile.
// A POST whose fate is unknown (no reply, a 5xx) holds back the next one for a pending poll
// interval, so that ThingSpace's list has time to show the campaign it may have created.
func (r *FotaCampaignReconciler) create(ctx context.Context, c *managed, name string, now time.Time) *outcome {
	if wait := c.state.createUnknownAt.Add(r.PendingPollInterval); !c.state.createUnknownAt.IsZero() && now.Before(wait) {
		return &outcome{
			reason:  fotav1alpha1.ReasonThingSpaceUnavailable,
			message: "the last request to schedule the campaign got no clear answer; the operator looks for the campaign by name again before it asks a second time",
			retryAt: wait,
		}
	}
	fc := c.fc
	request := wire.NewCampaign(name, fc.Spec)
	ctrl.LoggerFrom(ctx).Info("Scheduling campaign in ThingSpace", "account", c.account(), "campaignName", name,
		"software", request.SoftwareName, "devices", len(request.DeviceList), "startDate", request.StartDate, "endDate", request.EndDate)
	created, err := r.ThingSpace.CreateCampaign(ctx, c.creds, c.account(), request)
	if err != nil {
		var unavailable *thingspace.UnavailableError
		if errors.As(err, &unavailable) {
			c.state.createUnknownAt = now
		}
		return r.failed(ctx, fc, c.state, actionCreateCampaign, err, now)
	}
	c.state.createUnknownAt = time.Time{}
	c.recordID(created.ID)
	c.recordObservation(*created, now)
	fc.Status.LastPushedTime = ptr.To(metav1Time(now))
	r.event(fc, corev1.EventTypeNormal, EventCampaignScheduled, actionCreateCampaign,
		"Scheduled campaign %s named %q with %d devices; ThingSpace answered %s", created.ID, name, len(request.DeviceList), created.Status)
	out := syncedOutcome()
	return &out
}
