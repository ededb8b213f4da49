package fotacampaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/campaign"
	"github.com/fota-operator/fota-operator/internal/text"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// Scheduling is the one write that is not idempotent: ThingSpace has no idempotency key, and
// every POST schedules one more campaign on real devices. The campaign's name is the key instead,
// and no POST goes out unless all of these hold:
//   - the object records no campaign id (annotation or status): one that does never POSTs;
//   - no POST of unknown outcome stands for it (the schedule-pending annotation, written before
//     every POST and removed only once ThingSpace's answer is recorded), unless the user allowed
//     one more with the schedule-again annotation for the current generation;
//   - ThingSpace holds no campaign of the name, live or closed, with the same software: a live
//     one is adopted, a closed one means the firmware went out under this name already;
//   - a read of the API server, under the name's lock, shows the object alive, not being
//     deleted, and the name's only claimant (claim.go).

// searchesBeforeUnknown is how many searches by name that find nothing turn a POST of unknown
// outcome into ScheduleUnknown.
const searchesBeforeUnknown = 3

// maxThingSpaceText is how much of one ThingSpace text (a name, a software name, a status) a
// message quotes: a hostile or broken server could send megabytes.
const maxThingSpaceText = 128

// scheduleWhenNew finds or schedules the campaign of a FotaCampaign that has no id yet. Adopting
// a campaign and scheduling one both end the reconcile, so that the id is recorded before
// anything else happens.
func (r *Reconciler) scheduleWhenNew(ctx context.Context, c *managed, now time.Time) *outcome {
	if c.id != "" {
		return nil
	}
	if stop := createRejectedBefore(c.fc); stop != nil {
		return stop
	}
	pending, sent := schedulePendingOf(c.fc)
	if sent && !scheduleAgainAllowed(c.fc, pending) {
		return r.resolvePending(ctx, c, pending, now)
	}
	name := campaignNameOf(c.fc)
	found, stop := r.campaignsNamed(ctx, c, name, now)
	if stop != nil {
		return stop
	}
	live, closed := splitLive(found)
	switch {
	case len(live) == 1 && sameSoftware(live[0], c.fc.Spec.Software):
		return r.adopt(ctx, c, live[0], now)
	case len(live) > 0:
		return &outcome{reason: fotav1alpha1.ReasonConflict, message: nameConflictMessage(c.account(), name, live, c.fc.Spec.Software)}
	}
	if used := withSoftware(closed, c.fc.Spec.Software); len(used) > 0 {
		return &outcome{reason: fotav1alpha1.ReasonCampaignNameUsed, message: nameUsedMessage(c.account(), name, used[0])}
	}
	return r.create(ctx, c, name, pending, now)
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

// campaignsNamed lists the account's campaigns in every live and closed status, every page, and
// returns those named name.
func (r *Reconciler) campaignsNamed(ctx context.Context, c *managed, name string, now time.Time) ([]thingspace.Campaign, *outcome) {
	return r.campaignsNamedIn(ctx, c, name, append(append([]string{}, campaign.LiveStatuses...), campaign.ClosedStatuses...), now)
}

// liveCampaignsNamed lists the account's campaigns that may still run and returns those named name.
func (r *Reconciler) liveCampaignsNamed(ctx context.Context, c *managed, name string, now time.Time) ([]thingspace.Campaign, *outcome) {
	return r.campaignsNamedIn(ctx, c, name, campaign.LiveStatuses, now)
}

func (r *Reconciler) campaignsNamedIn(ctx context.Context, c *managed, name string, statuses []string, now time.Time) ([]thingspace.Campaign, *outcome) {
	ctrl.LoggerFrom(ctx).V(1).Info("Looking for the campaign by name in ThingSpace", "account", c.account(), "campaignName", name)
	var found []thingspace.Campaign
	for _, status := range statuses {
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
		if sameID(listed.ID, id) {
			return true
		}
	}
	return false
}

// splitLive splits listed campaigns into those that may still run and those that are closed.
func splitLive(found []thingspace.Campaign) (live, closed []thingspace.Campaign) {
	for _, listed := range found {
		if campaign.IsClosed(listed.Status) {
			closed = append(closed, listed)
		} else {
			live = append(live, listed)
		}
	}
	return live, closed
}

// withSoftware keeps the listed campaigns that upgrade what the spec asks for.
func withSoftware(found []thingspace.Campaign, software *fotav1alpha1.Software) []thingspace.Campaign {
	var same []thingspace.Campaign
	for _, listed := range found {
		if sameSoftware(listed, software) {
			same = append(same, listed)
		}
	}
	return same
}

// sameSoftware reports whether a listed campaign upgrades what the spec asks for.
func sameSoftware(listed thingspace.Campaign, software *fotav1alpha1.Software) bool {
	return software != nil && listed.SoftwareName == software.Name && listed.SoftwareFrom == software.From &&
		listed.SoftwareTo == software.To && strings.EqualFold(listed.DistributionType, string(software.DistributionType))
}

// quoted is one ThingSpace text, cut, in quotes.
func quoted(s string) string {
	return strconv.Quote(text.Truncate(s, maxThingSpaceText))
}

// cut is one ThingSpace text (an id, a status), cut.
func cut(s string) string {
	return text.Truncate(s, maxThingSpaceText)
}

func softwareOf(c thingspace.Campaign) string {
	return fmt.Sprintf("%s from %s to %s over %s", quoted(c.SoftwareName), quoted(c.SoftwareFrom), quoted(c.SoftwareTo), quoted(c.DistributionType))
}

func nameConflictMessage(account, name string, found []thingspace.Campaign, software *fotav1alpha1.Software) string {
	if len(found) == 1 {
		return fmt.Sprintf("ThingSpace account %s holds campaign %s named %q with other software (%s; the spec asks for %q from %q to %q over %s): the operator schedules nothing; set another campaignName, or manage that campaign with campaignId",
			account, cut(found[0].ID), name, softwareOf(found[0]), software.Name, software.From, software.To, software.DistributionType)
	}
	ids := make([]string, 0, len(found))
	for _, listed := range found {
		ids = append(ids, cut(listed.ID))
	}
	return fmt.Sprintf("ThingSpace account %s holds %d live campaigns named %q (%s): the operator cannot tell which one is this FotaCampaign's, so it schedules none; cancel the extra ones in ThingSpace or set another campaignName",
		account, len(found), name, strings.Join(ids, ", "))
}

func nameUsedMessage(account, name string, used thingspace.Campaign) string {
	return fmt.Sprintf("ThingSpace account %s holds closed campaign %s named %q with the same software (status %s): this firmware was already rolled out, cancelled or aborted under this name, so the operator schedules nothing; set a new spec.campaignName to schedule it again",
		account, cut(used.ID), name, cut(used.Status))
}

// adopt makes a campaign of the right name and software this FotaCampaign's campaign, as if the
// operator had just scheduled it, and ends the reconcile: the next one checks that the object
// owns the adopted id before any write.
func (r *Reconciler) adopt(ctx context.Context, c *managed, found thingspace.Campaign, now time.Time) *outcome {
	ctrl.LoggerFrom(ctx).Info("Adopting the campaign of the same name found in ThingSpace", "account", c.account(),
		"campaignID", found.ID, "campaignName", found.CampaignName)
	c.recordID(found.ID)
	delete(c.fc.Annotations, fotav1alpha1.AnnotationSchedulePending)
	c.recordObservation(found, now)
	r.event(c.fc, corev1.EventTypeNormal, EventCampaignAdopted, actionListCampaigns,
		"Adopted campaign %s named %s, which ThingSpace already holds (status %s); nothing was scheduled",
		cut(found.ID), quoted(found.CampaignName), cut(found.Status))
	return &outcome{recordedFirst: true}
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
// The schedule-pending annotation is written before the POST, so that a crash, a lost reply or a
// reply that cannot be trusted leaves a record that stops every later POST.
func (r *Reconciler) create(ctx context.Context, c *managed, name string, previous schedulePending, now time.Time) *outcome {
	if stop, err := r.guard.mayPost(ctx, c.fc); stop != nil || err != nil {
		return orError(stop, err)
	}
	fc := c.fc
	pending := schedulePending{Generation: fc.Generation, SentAt: now.UTC(), SearchedAt: now.UTC(), Again: previous.Again}
	if scheduleAgainAllowed(fc, previous) {
		pending.Again = fc.Generation
	}
	setSchedulePending(fc, pending)
	if err := r.guard.writeMetadata(ctx, c.written, fc); err != nil {
		return &outcome{err: fmt.Errorf("recording the POST before sending it: %w", err)}
	}
	request := wire.NewCampaign(name, fc.Spec)
	ctrl.LoggerFrom(ctx).Info("Scheduling campaign in ThingSpace", "account", c.account(), "campaignName", name,
		"software", request.SoftwareName, "devices", len(request.DeviceList), "startDate", request.StartDate, "endDate", request.EndDate)
	created, err := r.ThingSpace.CreateCampaign(ctx, c.creds, c.account(), request)
	if err != nil {
		return r.createFailed(ctx, c, err, now)
	}
	c.recordID(created.ID)
	delete(fc.Annotations, fotav1alpha1.AnnotationSchedulePending)
	c.recordObservation(*created, now)
	fc.Status.LastPushedTime = ptr.To(metav1Time(now))
	r.event(fc, corev1.EventTypeNormal, EventCampaignScheduled, actionCreateCampaign,
		"Scheduled campaign %s named %q with %d devices; ThingSpace answered %s", cut(created.ID), name, len(request.DeviceList), cut(created.Status))
	out := syncedOutcome()
	return &out
}

// createFailed records a failed POST. A refusal ThingSpace stated (a 400, a 401, a 429) or one
// that stopped the request before it went out means no campaign was created, and the pending
// record goes; anything else may have created one, and the record stays.
func (r *Reconciler) createFailed(ctx context.Context, c *managed, err error, now time.Time) *outcome {
	if nothingCreated(err) {
		delete(c.fc.Annotations, fotav1alpha1.AnnotationSchedulePending)
		return r.failed(ctx, c.fc, c.state, actionCreateCampaign, err, now)
	}
	ctrl.LoggerFrom(ctx).Info("The request to schedule the campaign got no answer the operator can trust; it looks for the campaign by name, and sends no other request on its own",
		"account", c.account(), "error", err.Error())
	pending, _ := schedulePendingOf(c.fc)
	return pendingOutcome(pending, r.nextSearch(pending))
}

// nothingCreated reports whether a failed POST certainly created no campaign.
func nothingCreated(err error) bool {
	var (
		apiErr      *thingspace.APIError
		credErr     *thingspace.CredentialsError
		rateLimited *thingspace.RateLimitedError
		throttled   *thingspace.ThrottledError
		minting     *thingspace.MintPendingError
	)
	return errors.As(err, &apiErr) || errors.As(err, &credErr) || errors.As(err, &rateLimited) ||
		errors.As(err, &throttled) || errors.As(err, &minting)
}

// resolvePending looks for the campaign a POST of unknown outcome may have created, every pending
// poll interval: it adopts it when found, and after searchesBeforeUnknown searches that find
// nothing says ScheduleUnknown. It never sends another POST.
func (r *Reconciler) resolvePending(ctx context.Context, c *managed, pending schedulePending, now time.Time) *outcome {
	if due := r.nextSearch(pending); now.Before(due) {
		return pendingOutcome(pending, due)
	}
	name := campaignNameOf(c.fc)
	found, stop := r.campaignsNamed(ctx, c, name, now)
	if stop != nil {
		return stop
	}
	switch same := withSoftware(found, c.fc.Spec.Software); len(same) {
	case 0:
	case 1:
		return r.adopt(ctx, c, same[0], now)
	default:
		return &outcome{reason: fotav1alpha1.ReasonConflict, message: nameConflictMessage(c.account(), name, same, c.fc.Spec.Software)}
	}
	if pending.Searches < searchesBeforeUnknown {
		pending.Searches++
		pending.SearchedAt = now.UTC()
		setSchedulePending(c.fc, pending)
	}
	return pendingOutcome(pending, now.Add(r.searchInterval(pending)))
}

// nextSearch is when the next search by name for a POST of unknown outcome is due.
func (r *Reconciler) nextSearch(pending schedulePending) time.Time {
	return pending.SearchedAt.Add(r.searchInterval(pending))
}

// searchInterval is the pending poll interval until ScheduleUnknown, the poll interval after it.
func (r *Reconciler) searchInterval(pending schedulePending) time.Duration {
	if pending.Searches < searchesBeforeUnknown {
		return r.PendingPollInterval
	}
	return r.PollInterval
}

// pendingOutcome says what a POST of unknown outcome looks like after pending.Searches searches.
func pendingOutcome(pending schedulePending, nextSearch time.Time) *outcome {
	if pending.Searches >= searchesBeforeUnknown {
		return &outcome{reason: fotav1alpha1.ReasonScheduleUnknown, retryAt: nextSearch, message: fmt.Sprintf(
			"ThingSpace may or may not have scheduled the campaign: the request sent at %s got no answer the operator can trust, and %d searches by name found nothing; if the ThingSpace portal shows no campaign of this name, set the annotation %s to %q (this generation) to send the request again",
			pending.SentAt.Format(time.RFC3339), pending.Searches, fotav1alpha1.AnnotationScheduleAgain, strconv.FormatInt(pending.Generation, 10))}
	}
	return &outcome{reason: fotav1alpha1.ReasonThingSpaceUnavailable, retryAt: nextSearch, message: fmt.Sprintf(
		"the request to schedule the campaign, sent at %s, got no answer the operator can trust; it looks for the campaign by name (%d of %d searches done) and sends no other request on its own",
		pending.SentAt.Format(time.RFC3339), pending.Searches, searchesBeforeUnknown)}
}

// schedulePending is the value of the schedule-pending annotation.
type schedulePending struct {
	// Generation is the generation whose spec the POST carried.
	Generation int64 `json:"generation"`
	// SentAt is when the POST went out, or was about to.
	SentAt time.Time `json:"sentAt"`
	// Searches counts the searches by name since, up to searchesBeforeUnknown; SearchedAt is the last.
	Searches   int       `json:"searches"`
	SearchedAt time.Time `json:"searchedAt"`
	// Again is the generation for which the user's schedule-again annotation was used.
	Again int64 `json:"again,omitempty"`
}

// schedulePendingOf reads the schedule-pending annotation. One that cannot be read still stands:
// it says a POST may have gone out, and that is what matters.
func schedulePendingOf(fc *fotav1alpha1.FotaCampaign) (schedulePending, bool) {
	raw, ok := fc.Annotations[fotav1alpha1.AnnotationSchedulePending]
	if !ok {
		return schedulePending{}, false
	}
	var pending schedulePending
	if err := json.Unmarshal([]byte(raw), &pending); err != nil {
		pending = schedulePending{Generation: fc.Generation}
	}
	return pending, true
}

func setSchedulePending(fc *fotav1alpha1.FotaCampaign, pending schedulePending) {
	encoded, _ := json.Marshal(pending) // a struct of numbers and times always encodes
	if fc.Annotations == nil {
		fc.Annotations = map[string]string{}
	}
	fc.Annotations[fotav1alpha1.AnnotationSchedulePending] = string(encoded)
}

// scheduleAgainAllowed reports whether the user allowed one more POST for the current generation,
// and it has not been used yet.
func scheduleAgainAllowed(fc *fotav1alpha1.FotaCampaign, pending schedulePending) bool {
	again := fc.Annotations[fotav1alpha1.AnnotationScheduleAgain]
	return again != "" && again == strconv.FormatInt(fc.Generation, 10) && pending.Again != fc.Generation
}

func orError(stop *outcome, err error) *outcome {
	if err != nil {
		return &outcome{err: err}
	}
	return stop
}

// trustRecordedID checks an id that a scheduling object's annotation names before its first use:
// a manifest copied with its annotation, or a backup restored under another name, would otherwise
// manage another object's campaign. A GET must show the spec's campaign name and software.
func (r *Reconciler) trustRecordedID(ctx context.Context, c *managed, now time.Time) *outcome {
	fc := c.fc
	if fc.Spec.Software == nil || fc.Spec.CampaignID != "" || c.id == "" || confirmedID(c) {
		return nil
	}
	got, err := r.ThingSpace.GetCampaign(ctx, c.creds, c.account(), c.id)
	var apiErr *thingspace.APIError
	switch {
	case errors.As(err, &apiErr):
		return untrustedID(c, fmt.Sprintf("ThingSpace does not know it (%s)", apiErr.CodeAndMessage()))
	case err != nil:
		return r.failed(ctx, fc, c.state, actionGetCampaign, err, now)
	case got.CampaignName != campaignNameOf(fc) || !sameSoftware(*got, fc.Spec.Software):
		return untrustedID(c, fmt.Sprintf("ThingSpace holds it as %s with %s, not as %q with the spec's software",
			quoted(got.CampaignName), softwareOf(*got), campaignNameOf(fc)))
	}
	c.recordObservation(*got, now)
	return nil
}

// confirmedID reports whether a reply to this object has shown its id: the status holds it, or
// this process scheduled or adopted it.
func confirmedID(c *managed) bool {
	return c.fc.Status.Campaign != nil && sameID(c.fc.Status.Campaign.ID, c.id) || sameID(c.state.scheduledID, c.id)
}

func untrustedID(c *managed, why string) *outcome {
	return &outcome{reason: fotav1alpha1.ReasonConflict, message: fmt.Sprintf(
		"the annotation %s names campaign %s, which this FotaCampaign did not schedule: %s; the operator makes no ThingSpace call for it: remove the annotation to schedule this object's own campaign",
		fotav1alpha1.AnnotationCampaignID, c.id, why)}
}
