package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/rollout"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

// The rollout step: one FotaRollout of --rollout-devices devices read from ConfigMaps, in the
// waves of design §11 (devices: 10, then 1 %, 10 % and 100 % of the fleet), timed wave by wave
// from the instant the wave may start to all its campaigns Synced, against a floor of the same
// campaigns created by a plain client.
//
// The gate of every wave is approval. The rollout is created with approvedWaves: 0; before wave k
// the wave before it has passed its success gate (the benchmark upgrades its devices in the
// simulator and waits until the rollout shows WaitingForApproval), so raising approvedWaves to k,
// at an instant the benchmark records, is the moment the gate is met. A gate met by the devices
// themselves would start the clock at an instant the operator learns only at its next device
// report read, up to --progress-interval later: that would time the interval, not the controller.
// Raising approvedWaves is a user's write, as the floor's creates are: both clocks start at a
// write and stop when the watch has seen the last campaign Synced.
//
// The floor of wave k, measured just before it, creates the wave's campaigns as the rollout cuts
// them (the same names, devices and template, checked against the rollout's afterwards) with a
// plain client, --client-workers at a time, in a namespace and an account of their own, and
// deletes them once Synced so that every wave runs beside the same campaigns as its floor. The
// FotaCampaign controller schedules the floor's campaigns as it schedules the wave's, so what the
// wave takes beyond its floor is what the rollout controller adds: reading and ordering the
// fleet, cutting the chunks, applying them one by one.
const (
	rolloutNamespace      = "bench-rollout"
	rolloutFloorNamespace = "bench-rollout-floor"
	rolloutName           = "fleet-upgrade"
	rolloutAccount        = "0402196256-00001"
	rolloutFloorAccount   = "0402196257-00001"
	// fleetKey is the ConfigMap key that holds a part of the fleet.
	fleetKey = "imeis"
	// imeisPerConfigMap keeps a ConfigMap at 800 KB (an IMEI and its newline take 16 bytes), under
	// the 1 MiB the API server stores in one object.
	imeisPerConfigMap = 50_000
	// minRolloutDevices gives every wave devices of its own: 1 % of the fleet more than the
	// canary's 10.
	minRolloutDevices   = 10_000
	rolloutDurationDays = 7
)

// rolloutWaves are the waves of design §11's rollout.
func rolloutWaves() []fotav1alpha1.Wave {
	return []fotav1alpha1.Wave{
		{Devices: ptr.To[int32](10)}, {Percent: ptr.To[int32](1)}, {Percent: ptr.To[int32](10)}, {Percent: ptr.To[int32](100)},
	}
}

// rolloutFigures are what the rollout step measured.
type rolloutFigures struct {
	devices, campaigns int
	// posts and floorPosts are the POSTs the simulator saw from the rollout's account and from
	// the floor's.
	posts, floorPosts int
	waves             []waveFigures
	// heapBefore and heapAfter are the manager's heap after a garbage collection, before the
	// rollout was created and once its last wave was Synced.
	heapBefore, heapAfter heapReading
	// objectBytes is what the rollout's campaigns take on a Go heap, decoded as the manager's
	// cache holds them (without managedFields).
	objectBytes float64
	manager     activity
}

// waveFigures are one wave's time to Synced and its floor's.
type waveFigures struct {
	wave, campaigns, devices int
	toSynced, floor          time.Duration
}

// slowest is the wave that took longest.
func (r *rolloutFigures) slowest() waveFigures {
	var slowest waveFigures
	for _, w := range r.waves {
		if w.toSynced > slowest.toSynced {
			slowest = w
		}
	}
	return slowest
}

// heapPerDevice is the growth of the manager's live heap over the rollout, per device.
func (r *rolloutFigures) heapPerDevice() float64 {
	return (r.heapAfter.live - r.heapBefore.live) / float64(max(r.devices, 1))
}

func (r *rolloutFigures) objectBytesPerDevice() float64 {
	return r.objectBytes / float64(max(r.devices, 1))
}

// measureRollout runs the rollout wave by wave, each after its floor, and reads the heap and the
// POSTs it cost.
func (b *bench) measureRollout(ctx context.Context) error {
	n := b.config.rolloutDevices
	if n == 0 {
		return nil
	}
	figures := &rolloutFigures{devices: n}
	b.details.rollout = figures
	imeis := rolloutIMEIs(n)
	watches, err := b.prepareRollout(ctx, imeis)
	if err != nil {
		return err
	}
	if figures.heapBefore, err = b.heapAfterGC(ctx, "manager-heap-rollout-before.pprof"); err != nil {
		return err
	}
	ordered := rollout.Order(rolloutNamespace, rolloutName, imeis)
	profiled := b.startRolloutCPUProfile(ctx)
	figures.manager, err = b.measured(ctx, func() error { return b.runRollout(ctx, ordered, watches, figures) })
	if err != nil {
		return err
	}
	if figures.heapAfter, err = b.heapAfterGC(ctx, "manager-heap-rollout.pprof"); err != nil {
		return err
	}
	if figures.objectBytes, err = b.rolloutObjectBytes(ctx); err != nil {
		return err
	}
	figures.posts, figures.floorPosts = b.postsFrom(rolloutAccount), b.postsFrom(rolloutFloorAccount)
	b.results.recordRollout(figures)
	return <-profiled
}

// startRolloutCPUProfile records the manager's CPU profile for --cpu-profile from the rollout's
// creation into <out>/manager-rollout-cpu.pprof, when set; the channel delivers the outcome.
func (b *bench) startRolloutCPUProfile(ctx context.Context) <-chan error {
	done := make(chan error, 1)
	if b.config.cpuProfile <= 0 {
		done <- nil
		return done
	}
	path := fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(int(b.config.cpuProfile.Round(time.Second)/time.Second), 1))
	go func() { done <- b.saveProfile(ctx, path, "manager-rollout-cpu.pprof") }()
	return done
}

// rolloutWatches follow the rollout's campaigns and the floor's.
type rolloutWatches struct{ rollout, floor *campaignWatch }

// prepareRollout creates the rollout's namespace with its Secret and its fleet in ConfigMaps, and
// the floor's namespace with its Secret, and watches both.
func (b *bench) prepareRollout(ctx context.Context, imeis []string) (rolloutWatches, error) {
	var watches rolloutWatches
	for _, ns := range []string{rolloutNamespace, rolloutFloorNamespace} {
		if err := (&harness.Fleet{Namespace: ns}).CreateNamespace(ctx, b.cp.Client); err != nil {
			return watches, err
		}
	}
	b.logf("creating a fleet of %d devices in ConfigMaps", len(imeis))
	for i, part := range fleetConfigMaps(imeis) {
		cm := &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: fleetConfigMapName(i), Namespace: rolloutNamespace},
			Data:       map[string]string{fleetKey: part},
		}
		if err := b.cp.Client.Create(ctx, cm); err != nil {
			return watches, fmt.Errorf("creating ConfigMap %s: %w", cm.Name, err)
		}
	}
	var err error
	if watches.rollout, err = b.startWatch(ctx, rolloutNamespace); err != nil {
		return watches, err
	}
	watches.floor, err = b.startWatch(ctx, rolloutFloorNamespace)
	return watches, err
}

// rolloutIMEIs are n distinct IMEI-like device ids of 15 digits.
func rolloutIMEIs(n int) []string {
	imeis := make([]string, n)
	for i := range imeis {
		imeis[i] = fmt.Sprintf("35%013d", i+1)
	}
	return imeis
}

// fleetConfigMaps cuts the fleet into the texts of ConfigMap keys, one IMEI a line.
func fleetConfigMaps(imeis []string) []string {
	var parts []string
	for len(imeis) > 0 {
		n := min(len(imeis), imeisPerConfigMap)
		parts = append(parts, strings.Join(imeis[:n], "\n")+"\n")
		imeis = imeis[n:]
	}
	return parts
}

func fleetConfigMapName(i int) string { return fmt.Sprintf("fleet-%d", i+1) }

// benchRollout is the rollout: its fleet in every ConfigMap, each wave waiting for approval.
func benchRollout(configMaps int) *fotav1alpha1.FotaRollout {
	sources := make([]fotav1alpha1.DevicesSource, configMaps)
	for i := range sources {
		sources[i].ConfigMapKeyRef = fotav1alpha1.ConfigMapKeyReference{Name: fleetConfigMapName(i), Key: fleetKey}
	}
	return &fotav1alpha1.FotaRollout{
		ObjectMeta: metav1.ObjectMeta{Name: rolloutName, Namespace: rolloutNamespace},
		Spec: fotav1alpha1.FotaRolloutSpec{
			AccountName:          rolloutAccount,
			CredentialsSecretRef: fotav1alpha1.SecretReference{Name: harness.CredentialsSecretName},
			Software:             benchSoftware(),
			DevicesFrom:          sources,
			Waves:                rolloutWaves(),
			Campaign:             fotav1alpha1.CampaignTemplate{DurationDays: rolloutDurationDays},
			ApprovedWaves:        ptr.To[int32](0),
		},
	}
}

func benchSoftware() fotav1alpha1.Software {
	return fotav1alpha1.Software{
		Name: "FOTA_Verizon_Model-A_02To03_HF", From: "FOTA_Verizon_Model-A_00To01_HF",
		To: "FOTA_Verizon_Model-A_02To03_HF", DistributionType: fotav1alpha1.DistributionType("HTTP"),
	}
}

// runRollout creates the rollout and moves it through its waves, each timed against its floor.
func (b *bench) runRollout(ctx context.Context, ordered []string, watches rolloutWatches, figures *rolloutFigures) error {
	b.logf("creating a FotaRollout of %d devices in %d ConfigMaps", len(ordered), len(fleetConfigMaps(ordered)))
	if err := b.cp.Client.Create(ctx, benchRollout(len(fleetConfigMaps(ordered)))); err != nil {
		return fmt.Errorf("creating the FotaRollout: %w", err)
	}
	waves := len(rolloutWaves())
	for wave := 1; wave <= waves; wave++ {
		if err := b.waitForApproval(ctx, wave); err != nil {
			return err
		}
		measured, err := b.measureWave(ctx, ordered, wave, watches)
		if err != nil {
			return fmt.Errorf("wave %d: %w", wave, err)
		}
		figures.waves = append(figures.waves, measured)
		figures.campaigns += measured.campaigns
		if wave < waves {
			if err := b.upgradeWave(ctx, wave); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitForApproval waits until every wave before wave is done and the rollout waits for wave's
// approval: the gate is then met but for approvedWaves.
func (b *bench) waitForApproval(ctx context.Context, wave int) error {
	fr := &fotav1alpha1.FotaRollout{}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, convergeTimeout, true, func(ctx context.Context) (bool, error) {
		if err := b.cp.Client.Get(ctx, types.NamespacedName{Namespace: rolloutNamespace, Name: rolloutName}, fr); err != nil {
			return false, err
		}
		return fr.Status.ObservedGeneration == fr.Generation && fr.Status.Phase == fotav1alpha1.RolloutPhaseWaitingForApproval &&
			int(fr.Status.CurrentWave) == wave-1, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for the rollout to wait for the approval of wave %d (phase %s, wave %s): %w",
			wave, fr.Status.Phase, fr.Status.WaveText, err)
	}
	return nil
}

// measureWave measures wave's floor, then approves the wave and times it until all its campaigns
// are Synced, and checks that the floor created the campaigns the rollout did.
func (b *bench) measureWave(ctx context.Context, ordered []string, wave int, watches rolloutWatches) (waveFigures, error) {
	planned := waveCampaigns(ordered, wave, time.Now())
	figures := waveFigures{wave: wave, campaigns: len(planned), devices: devicesIn(planned)}
	names := make([]string, len(planned))
	for i, fc := range planned {
		names[i] = fc.Name
	}
	b.logf("wave %d: %d devices in %d campaigns; the floor first", wave, figures.devices, len(planned))
	floor, err := b.waveFloor(ctx, planned, names, watches.floor)
	if err != nil {
		return figures, err
	}
	figures.floor = floor
	start := time.Now()
	patch := fmt.Sprintf(`{"spec":{"approvedWaves":%d}}`, wave)
	if err := b.cp.Client.Patch(ctx, &fotav1alpha1.FotaRollout{ObjectMeta: metav1.ObjectMeta{Namespace: rolloutNamespace, Name: rolloutName}},
		client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		return figures, fmt.Errorf("approving: %w", err)
	}
	last, err := watches.rollout.waitNamesConverged(ctx, names, 1)
	if err != nil {
		return figures, err
	}
	figures.toSynced = last.Sub(start)
	return figures, b.checkSameCampaigns(ctx, wave, planned)
}

// waveCampaigns are wave's campaigns as the rollout cuts them (design §11: the fleet in hash
// order, each wave taking the devices after the waves before it up to its end, in chunks of
// 10 000), in the floor's namespace and account. ordered is the fleet in the rollout's order.
func waveCampaigns(ordered []string, wave int, now time.Time) []*fotav1alpha1.FotaCampaign {
	waves := rolloutWaves()
	from := 0
	if wave > 1 {
		from = rollout.WaveEnd(waves[wave-2], len(ordered))
	}
	chunks := rollout.Chunks(ordered[from:rollout.WaveEnd(waves[wave-1], len(ordered))])
	today := now.UTC()
	campaigns := make([]*fotav1alpha1.FotaCampaign, len(chunks))
	for j, chunk := range chunks {
		devices := make([]fotav1alpha1.DeviceID, len(chunk))
		for i, id := range chunk {
			devices[i] = fotav1alpha1.DeviceID(id)
		}
		campaigns[j] = &fotav1alpha1.FotaCampaign{
			ObjectMeta: metav1.ObjectMeta{
				Name: rollout.CampaignName(rolloutName, wave, j+1), Namespace: rolloutFloorNamespace,
				Labels: map[string]string{fotav1alpha1.LabelRollout: rolloutName, fotav1alpha1.LabelWave: strconv.Itoa(wave)},
			},
			Spec: fotav1alpha1.FotaCampaignSpec{
				AccountName:          rolloutFloorAccount,
				CredentialsSecretRef: fotav1alpha1.SecretReference{Name: harness.CredentialsSecretName},
				Software:             ptr.To(benchSoftware()),
				Devices:              devices,
				Schedule: fotav1alpha1.Schedule{
					StartDate: fotav1alpha1.Date(today.Format(time.DateOnly)),
					EndDate:   fotav1alpha1.Date(today.AddDate(0, 0, rolloutDurationDays-1).Format(time.DateOnly)),
				},
			},
		}
	}
	return campaigns
}

func devicesIn(campaigns []*fotav1alpha1.FotaCampaign) int {
	n := 0
	for _, fc := range campaigns {
		n += len(fc.Spec.Devices)
	}
	return n
}

// waveFloor creates the wave's campaigns with a plain client and times until all are Synced, then
// deletes them and waits until they are gone. planned receives the objects as created.
func (b *bench) waveFloor(ctx context.Context, planned []*fotav1alpha1.FotaCampaign, names []string, watch *campaignWatch) (time.Duration, error) {
	start := time.Now()
	err := harness.ForEach(ctx, len(planned), b.config.clientWorkers, func(ctx context.Context, i int) error {
		return b.cp.Client.Create(ctx, planned[i])
	})
	if err != nil {
		return 0, fmt.Errorf("creating the floor's campaigns: %w", err)
	}
	last, err := watch.waitNamesConverged(ctx, names, 1)
	if err != nil {
		return 0, err
	}
	return last.Sub(start), deleteAndWait(ctx, b.cp.Client, planned)
}

// deleteAndWait deletes the campaigns and waits until the operator has let them go (removed its
// finalizer): a floor's campaigns are gone before the wave they are the floor of starts.
func deleteAndWait(ctx context.Context, c client.Client, campaigns []*fotav1alpha1.FotaCampaign) error {
	for _, fc := range campaigns {
		if err := client.IgnoreNotFound(c.Delete(ctx, fc)); err != nil {
			return fmt.Errorf("deleting %s: %w", fc.Name, err)
		}
	}
	return wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, convergeTimeout, true, func(ctx context.Context) (bool, error) {
		var list fotav1alpha1.FotaCampaignList
		if err := c.List(ctx, &list, client.InNamespace(rolloutFloorNamespace)); err != nil {
			return false, err
		}
		return len(list.Items) == 0, nil
	})
}

// checkSameCampaigns fails unless the rollout's campaigns of wave are the floor's: the same
// names and the same spec but for the account (and dates, should the UTC day have turned between
// the two). A floor of other campaigns would be no floor.
func (b *bench) checkSameCampaigns(ctx context.Context, wave int, floor []*fotav1alpha1.FotaCampaign) error {
	var list fotav1alpha1.FotaCampaignList
	if err := b.cp.Client.List(ctx, &list, client.InNamespace(rolloutNamespace),
		client.MatchingLabels{fotav1alpha1.LabelRollout: rolloutName, fotav1alpha1.LabelWave: strconv.Itoa(wave)}); err != nil {
		return err
	}
	if len(list.Items) != len(floor) {
		return fmt.Errorf("the rollout has %d campaigns in wave %d, the floor created %d", len(list.Items), wave, len(floor))
	}
	byName := map[string]fotav1alpha1.FotaCampaignSpec{}
	for _, fc := range list.Items {
		byName[fc.Name] = fc.Spec
	}
	for _, fc := range floor {
		want, found := byName[fc.Name]
		got := fc.Spec
		got.AccountName, got.StartDate, got.EndDate = want.AccountName, want.StartDate, want.EndDate
		if !found || !equality.Semantic.DeepEqual(got, want) {
			return fmt.Errorf("the floor's campaign %s is not the rollout's: the floor would time other work", fc.Name)
		}
	}
	return nil
}

// upgradeWave makes every device of wave's campaigns UpgradeSuccess in the simulator, so that the
// wave passes its success gate at the operator's next read of their device reports.
func (b *bench) upgradeWave(ctx context.Context, wave int) error {
	var list fotav1alpha1.FotaCampaignList
	if err := b.cp.Client.List(ctx, &list, client.InNamespace(rolloutNamespace),
		client.MatchingLabels{fotav1alpha1.LabelRollout: rolloutName, fotav1alpha1.LabelWave: strconv.Itoa(wave)}); err != nil {
		return err
	}
	for _, fc := range list.Items {
		if fc.Status.Campaign == nil {
			return fmt.Errorf("FotaCampaign %s is Synced without a campaign in its status", fc.Name)
		}
		devices, err := b.sim.Devices(rolloutAccount, fc.Status.Campaign.ID)
		if err != nil {
			return err
		}
		for i := range devices {
			devices[i].Status, devices[i].Reason = simulator.DeviceUpgradeSuccess, "DownloadInstallSucceeded"
		}
		if err := b.sim.SetDevices(rolloutAccount, fc.Status.Campaign.ID, devices); err != nil {
			return err
		}
	}
	return nil
}

// postsFrom counts the campaigns POSTed to account.
func (b *bench) postsFrom(account string) int {
	posts := 0
	for _, r := range b.sim.Requests() {
		if r.Kind == simulator.KindCreate && r.Account == account {
			posts++
		}
	}
	return posts
}
