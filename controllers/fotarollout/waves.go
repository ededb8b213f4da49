package fotarollout

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/internal/rollout"
)

// waveCampaigns are a rollout's wave campaigns as the API holds them, by wave: what has started
// is read from them, never only from the rollout's status.
type waveCampaigns struct {
	// byWave holds each wave's campaigns, in chunk order.
	byWave map[int][]fotav1alpha1.FotaCampaign
	// all is every wave campaign of the rollout, those without a wave label too: their devices
	// are held all the same.
	all []fotav1alpha1.FotaCampaign
	// lastWave is the highest wave that has a campaign; 0 when none has.
	lastWave int
	// names holds the name of every wave campaign of the rollout, those without a wave too.
	names map[string]struct{}
	// skippedTo is the highest wave skipped after lastWave (a skip writes only the status); 0
	// when none was.
	skippedTo int
}

// groupByWave sorts the rollout's campaigns into their waves by the wave label. A campaign whose
// label is no wave number still holds its devices: they are never taken again.
func groupByWave(rolloutName string, campaigns []fotav1alpha1.FotaCampaign) waveCampaigns {
	w := waveCampaigns{byWave: map[int][]fotav1alpha1.FotaCampaign{}, all: campaigns, names: map[string]struct{}{}}
	for i := range campaigns {
		fc := campaigns[i]
		w.names[fc.Name] = struct{}{}
		wave, err := strconv.Atoi(fc.Labels[fotav1alpha1.LabelWave])
		if err != nil || wave < 1 {
			continue
		}
		w.byWave[wave] = append(w.byWave[wave], fc)
		w.lastWave = max(w.lastWave, wave)
	}
	for wave := range w.byWave {
		slices.SortFunc(w.byWave[wave], func(a, b fotav1alpha1.FotaCampaign) int {
			return cmp.Or(cmp.Compare(chunkOf(rolloutName, wave, a.Name), chunkOf(rolloutName, wave, b.Name)),
				strings.Compare(a.Name, b.Name))
		})
	}
	return w
}

// chunkOf is the chunk number in a wave campaign's name, <rollout>-w<wave>-<chunk>; 0 for a name
// of another form.
func chunkOf(rolloutName string, wave int, name string) int {
	prefix := rolloutName + "-w" + strconv.Itoa(wave) + "-"
	chunk, err := strconv.Atoi(strings.TrimPrefix(name, prefix))
	if !strings.HasPrefix(name, prefix) || err != nil || chunk < 1 {
		return 0
	}
	return chunk
}

// heldDevices is every device a wave campaign of the rollout holds. Only a wave cut needs it, so
// it is built there rather than in every reconcile: at a million devices it is a set of a million
// ids, while most reconciles follow a wave campaign's progress and cut nothing.
func (w waveCampaigns) heldDevices() map[string]struct{} {
	held := map[string]struct{}{}
	for _, fc := range w.all {
		for _, id := range fc.Spec.Devices {
			held[string(id)] = struct{}{}
		}
	}
	return held
}

// complete reports whether every chunk of wave was written: its last chunk carries
// AnnotationLastChunk, written after all the others.
func (w waveCampaigns) complete(wave int) bool {
	return slices.ContainsFunc(w.byWave[wave], func(fc fotav1alpha1.FotaCampaign) bool {
		return fc.Annotations[fotav1alpha1.AnnotationLastChunk] == "true"
	})
}

// cutShort reports whether the last wave started was cut short: a stop between two of its chunk
// writes left it without its last chunk. waves is the number of waves the spec lists.
func (w waveCampaigns) cutShort(waves int) bool {
	return w.lastWave > 0 && w.lastWave <= waves && !w.complete(w.lastWave)
}

// nextChunk is the number of the chunk that follows the wave's existing ones.
func (w waveCampaigns) nextChunk(rolloutName string, wave int) int {
	next := 1
	for _, fc := range w.byWave[wave] {
		next = max(next, chunkOf(rolloutName, wave, fc.Name)+1)
	}
	return next
}

// lastSkipped is the highest wave the status records as skipped after the last wave with a
// campaign; 0 when there is none. Skipping writes nothing but the status: skipping again after a
// lost status write takes the same (no) devices, or the devices added since, which no wave holds.
func lastSkipped(status fotav1alpha1.FotaRolloutStatus, w waveCampaigns) int {
	last := 0
	for _, entry := range status.Waves {
		if entry.State == fotav1alpha1.WaveStateSkipped && int(entry.Wave) > w.lastWave {
			last = max(last, int(entry.Wave))
		}
	}
	return last
}

// add records campaigns just written for wave.
func (w *waveCampaigns) add(wave int, campaigns []fotav1alpha1.FotaCampaign) {
	for _, fc := range campaigns {
		w.names[fc.Name] = struct{}{}
	}
	w.all = append(w.all, campaigns...)
	w.byWave[wave] = append(w.byWave[wave], campaigns...)
	w.lastWave = max(w.lastWave, wave)
}

// current is the last wave that started or was skipped; 0 before the first.
func (w waveCampaigns) current() int {
	return max(w.lastWave, w.skippedTo)
}

// startedWaves is what Decide reads of the waves that started or were skipped, wave 1 to the
// current one: a wave without campaigns below the current one was skipped.
func startedWaves(status fotav1alpha1.FotaRolloutStatus, w waveCampaigns) []rollout.StartedWave {
	last := w.current()
	started := make([]rollout.StartedWave, 0, last)
	for wave := 1; wave <= last; wave++ {
		campaigns := w.byWave[wave]
		entry := waveEntry(status, wave)
		s := rollout.StartedWave{Skipped: len(campaigns) == 0, Summary: rollout.SummarizeWave(campaigns)}
		if entry != nil && entry.SucceededTime != nil {
			s.SucceededTime = entry.SucceededTime.Time
		}
		started = append(started, s)
	}
	return started
}

func waveEntry(status fotav1alpha1.FotaRolloutStatus, wave int) *fotav1alpha1.WaveStatus {
	for i := range status.Waves {
		if int(status.Waves[i].Wave) == wave {
			return &status.Waves[i]
		}
	}
	return nil
}

// cutWave is the campaigns that fill wave of the rollout from the ordered fleet: the devices no
// wave campaign holds, in order, until the started waves hold the wave's end, cut into chunks of
// rollout.MaxCampaignDevices numbered after the wave's existing chunks. The last one carries
// AnnotationLastChunk. A re-run after a stop between two chunk writes finds the written chunks'
// devices held and computes the same remaining chunks; with the fleet edited in between it
// computes others, but never a device a written chunk holds. No campaigns means nothing to take.
func cutWave(fr *fotav1alpha1.FotaRollout, ordered []string, w waveCampaigns, wave int, now time.Time) []*fotav1alpha1.FotaCampaign {
	end := rollout.WaveEnd(fr.Spec.Waves[wave-1], len(ordered))
	held := w.heldDevices()
	devices := rollout.Take(ordered, func(id string) bool { _, ok := held[id]; return ok }, end)
	chunks := rollout.Chunks(devices)
	first := w.nextChunk(fr.Name, wave)
	campaigns := make([]*fotav1alpha1.FotaCampaign, 0, len(chunks))
	for j, chunk := range chunks {
		campaigns = append(campaigns, waveCampaign(fr, wave, first+j, chunk, j == len(chunks)-1, now))
	}
	return campaigns
}

// waveCampaign is chunk of wave: the rollout's account, Secret and software, the devices, and
// the template's windows and policies, starting on the UTC date of now.
func waveCampaign(fr *fotav1alpha1.FotaRollout, wave, chunk int, devices []string, last bool, now time.Time) *fotav1alpha1.FotaCampaign {
	start := now.UTC()
	template := fr.Spec.Campaign
	fc := &fotav1alpha1.FotaCampaign{
		TypeMeta: metav1.TypeMeta{APIVersion: fotav1alpha1.GroupVersion.String(), Kind: "FotaCampaign"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      rollout.CampaignName(fr.Name, wave, chunk),
			Namespace: fr.Namespace,
			Labels: map[string]string{
				fotav1alpha1.LabelRollout: fr.Name,
				fotav1alpha1.LabelWave:    strconv.Itoa(wave),
			},
			OwnerReferences: []metav1.OwnerReference{controllerReference(fr)},
		},
		Spec: fotav1alpha1.FotaCampaignSpec{
			AccountName:          fr.Spec.AccountName,
			Software:             ptr.To(fr.Spec.Software),
			Devices:              make([]fotav1alpha1.DeviceID, 0, len(devices)),
			DeletionPolicy:       template.DeletionPolicy,
			AbortPolicy:          template.AbortPolicy.DeepCopy(),
			DisplayTimeZone:      template.DisplayTimeZone,
			CredentialsSecretRef: fr.Spec.CredentialsSecretRef,
			Schedule: fotav1alpha1.Schedule{
				StartDate:              dateOf(start),
				EndDate:                dateOf(start.AddDate(0, 0, int(max(template.DurationDays, 1))-1)),
				DownloadTimeWindowList: slices.Clone(template.DownloadTimeWindowList),
				InstallTimeWindowList:  slices.Clone(template.InstallTimeWindowList),
			},
		},
	}
	for _, id := range devices {
		fc.Spec.Devices = append(fc.Spec.Devices, fotav1alpha1.DeviceID(id))
	}
	if last {
		fc.Annotations = map[string]string{fotav1alpha1.AnnotationLastChunk: "true"}
	}
	return fc
}

func dateOf(t time.Time) fotav1alpha1.Date {
	return fotav1alpha1.Date(t.Format(time.DateOnly))
}

// sameCampaigns reports whether names are exactly the names of the campaigns w holds.
func (w waveCampaigns) sameCampaigns(names []string) bool {
	if len(names) != len(w.names) {
		return false
	}
	for _, name := range names {
		if _, ok := w.names[name]; !ok {
			return false
		}
	}
	return true
}

// controllerReference makes fr the controller of a wave campaign: garbage collection deletes the
// campaign with the rollout, and the rollout's watch maps the campaign's changes to it.
func controllerReference(fr *fotav1alpha1.FotaRollout) metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion:         fotav1alpha1.GroupVersion.String(),
		Kind:               "FotaRollout",
		Name:               fr.Name,
		UID:                fr.UID,
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}
}
