package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// Tokens are the static ThingSpace tokens in every fleet's Secret; give them to the simulator.
var Tokens = simulator.TokenPair{AccessToken: "harness-access-token-3c8e51", SessionToken: "harness-session-token-9a27d4"}

// CredentialsSecretName names the Secret every FotaCampaign of a fleet refers to, and that
// CreateNamespace creates.
const CredentialsSecretName = "thingspace-credentials"

// FleetOptions configures NewFleet.
type FleetOptions struct {
	// Namespace holds the fleet's FotaCampaigns and their Secret.
	Namespace string
	// Size is the number of campaigns.
	Size int
	// Accounts is how many ThingSpace accounts the campaigns are spread over, round robin.
	Accounts int
	// AccountPrefix starts every account name, so that two fleets never share an account.
	AccountPrefix string
	// Today is the UTC date the schedules are relative to.
	Today time.Time
}

// Fleet is a set of ThingSpace campaigns that have not started yet (so that every schedule
// change is allowed) and the FotaCampaigns that manage them, created with the schedule
// ThingSpace holds.
type Fleet struct {
	Namespace string
	Campaigns []thingspace.Campaign
}

// NewFleet describes a fleet; nothing is created yet.
func NewFleet(opts FleetOptions) *Fleet {
	fleet := &Fleet{Namespace: opts.Namespace, Campaigns: make([]thingspace.Campaign, opts.Size)}
	accounts := max(opts.Accounts, 1)
	for i := range fleet.Campaigns {
		fleet.Campaigns[i] = pendingCampaign(fmt.Sprintf("%s-%05d", opts.AccountPrefix, i%accounts+1), string(uuid.NewUUID()), opts.Today)
	}
	return fleet
}

// pendingCampaign starts in ten days and runs for a week.
func pendingCampaign(account, id string, today time.Time) thingspace.Campaign {
	day := func(offset int) string { return today.UTC().AddDate(0, 0, offset).Format(time.DateOnly) }
	return thingspace.Campaign{
		ID:                     id,
		AccountName:            account,
		CampaignName:           "FOTA_Fleet_Upgrade",
		SoftwareName:           "FOTA_Verizon_Model-A_02To03_HF",
		DistributionType:       "HTTP",
		Make:                   "Verizon",
		Model:                  "Model-A",
		SoftwareFrom:           "FOTA_Verizon_Model-A_00To01_HF",
		SoftwareTo:             "FOTA_Verizon_Model-A_02To03_HF",
		StartDate:              day(10),
		EndDate:                day(16),
		DownloadAfterDate:      ptr.To(day(10)),
		DownloadTimeWindowList: []thingspace.Window{{StartTime: 3, EndTime: 4}},
		InstallAfterDate:       ptr.To(day(11)),
		InstallTimeWindowList:  []thingspace.Window{{StartTime: 5, EndTime: 6}},
		Status:                 simulator.StatusScheduled,
	}
}

// Accounts lists the fleet's ThingSpace accounts.
func (f *Fleet) Accounts() []string {
	seen := map[string]bool{}
	var accounts []string
	for _, c := range f.Campaigns {
		if !seen[c.AccountName] {
			seen[c.AccountName] = true
			accounts = append(accounts, c.AccountName)
		}
	}
	return accounts
}

// Name is the name of the i-th FotaCampaign.
func (f *Fleet) Name(i int) string { return fmt.Sprintf("campaign-%05d", i) }

// Key is the namespace and name of the i-th FotaCampaign.
func (f *Fleet) Key(i int) types.NamespacedName {
	return types.NamespacedName{Namespace: f.Namespace, Name: f.Name(i)}
}

// Seed gives the simulator every campaign of the fleet.
func (f *Fleet) Seed(sim *simulator.Server) {
	for _, c := range f.Campaigns {
		sim.Seed(c)
	}
}

// FotaCampaign is the i-th FotaCampaign, with the schedule ThingSpace holds at the start.
func (f *Fleet) FotaCampaign(i int) *fotav1alpha1.FotaCampaign {
	c := f.Campaigns[i]
	return &fotav1alpha1.FotaCampaign{
		ObjectMeta: metav1.ObjectMeta{Name: f.Name(i), Namespace: f.Namespace},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          c.AccountName,
			CampaignID:           c.ID,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: CredentialsSecretName},
			Schedule:             wire.Schedule(c),
		},
	}
}

// CreateNamespace creates the namespace and the Secret with Tokens.
func (f *Fleet) CreateNamespace(ctx context.Context, c client.Client) error {
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: f.Namespace}}); err != nil {
		return fmt.Errorf("creating namespace %s: %w", f.Namespace, err)
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: CredentialsSecretName, Namespace: f.Namespace},
		StringData: map[string]string{
			thingspace.SecretKeyAccessToken:  Tokens.AccessToken,
			thingspace.SecretKeySessionToken: Tokens.SessionToken,
		},
	}
	if err := c.Create(ctx, secret); err != nil {
		return fmt.Errorf("creating Secret %s/%s: %w", f.Namespace, CredentialsSecretName, err)
	}
	return nil
}

// CreateCampaigns creates every FotaCampaign, workers at a time.
func (f *Fleet) CreateCampaigns(ctx context.Context, c client.Client, workers int) error {
	return ForEach(ctx, len(f.Campaigns), workers, func(ctx context.Context, i int) error {
		return c.Create(ctx, f.FotaCampaign(i))
	})
}

// Edit changes the schedule of every FotaCampaign, workers at a time, with a JSON merge patch:
// edit receives the schedule the fleet started with and returns the whole new schedule. A merge
// patch sets fields but never removes one, so edit may change fields but not unset them.
func (f *Fleet) Edit(ctx context.Context, c client.Client, workers int, edit func(i int, start fotav1alpha1.Schedule) fotav1alpha1.Schedule) error {
	return ForEach(ctx, len(f.Campaigns), workers, func(ctx context.Context, i int) error {
		patch, err := json.Marshal(map[string]any{"spec": edit(i, wire.Schedule(f.Campaigns[i]))})
		if err != nil {
			return err
		}
		return c.Patch(ctx, f.FotaCampaign(i), client.RawPatch(types.MergePatchType, patch))
	})
}

// ForEach calls do for 0..n-1, workers at a time, and returns the first error.
func ForEach(ctx context.Context, n, workers int, do func(ctx context.Context, i int) error) error {
	group, ctx := errgroup.WithContext(ctx)
	group.SetLimit(max(workers, 1))
	for i := range n {
		group.Go(func() error { return do(ctx, i) })
	}
	return group.Wait()
}

// Converged reports whether the operator has recorded Synced=True as the outcome of fc's
// current generation: the condition and status.observedGeneration both at metadata.generation.
func Converged(fc *fotav1alpha1.FotaCampaign) bool {
	synced := meta.FindStatusCondition(fc.Status.Conditions, fotav1alpha1.ConditionSynced)
	return synced != nil && synced.Status == metav1.ConditionTrue &&
		synced.ObservedGeneration == fc.Generation && fc.Status.ObservedGeneration == fc.Generation
}
