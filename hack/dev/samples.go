package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/runtime"

	fotav1alpha1 "github.com/fota-operator/fota-operator/api/v1alpha1"
	"github.com/fota-operator/fota-operator/hack/harness"
	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
	"github.com/fota-operator/fota-operator/internal/wire"
)

// readSampleCampaigns returns every FotaCampaign in the YAML files of dir (config/samples), so that
// the simulator can hold the very campaigns a newcomer is about to apply.
func readSampleCampaigns(dir string) ([]fotav1alpha1.FotaCampaign, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var campaigns []fotav1alpha1.FotaCampaign
	for _, file := range files {
		found, err := fotaCampaignsIn(file)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
		campaigns = append(campaigns, found...)
	}
	return campaigns, nil
}

func fotaCampaignsIn(file string) ([]fotav1alpha1.FotaCampaign, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	objects, err := harness.DecodeObjects(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var campaigns []fotav1alpha1.FotaCampaign
	for _, object := range harness.OfKind(objects, "FotaCampaign") {
		if object.GroupVersionKind().GroupVersion() != fotav1alpha1.GroupVersion {
			continue
		}
		var fc fotav1alpha1.FotaCampaign
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(object.Object, &fc); err != nil {
			return nil, err
		}
		campaigns = append(campaigns, fc)
	}
	return campaigns, nil
}

// seedCampaigns is what the simulator starts with: the simulator's sample campaigns (one pending,
// one in progress, one ended, dated relative to now), with the schedule of every campaign that
// config/samples names by campaignId set to exactly the sample's (a sample that schedules its
// campaign is left for the operator to schedule). Applying the samples then finds ThingSpace
// already equal to the spec, so the campaign syncs without a PUT whatever today's date is.
func seedCampaigns(samples []fotav1alpha1.FotaCampaign, now time.Time) []thingspace.Campaign {
	seeds := simulator.SampleCampaigns(now)
	for _, sample := range samples {
		if sample.Spec.CampaignID == "" {
			continue // the operator schedules this one itself
		}
		matches := func(c thingspace.Campaign) bool {
			return c.AccountName == sample.Spec.AccountName && c.ID == sample.Spec.CampaignID
		}
		i := slices.IndexFunc(seeds, matches)
		if i < 0 {
			seeds = append(seeds, describedCampaign(sample))
			i = len(seeds) - 1
		}
		withSchedule(&seeds[i], wire.Dates(sample.Spec.Schedule))
	}
	return seeds
}

// describedCampaign is a ThingSpace campaign for a sample the simulator does not know, with a
// description made up from the sample's name.
func describedCampaign(sample fotav1alpha1.FotaCampaign) thingspace.Campaign {
	return thingspace.Campaign{
		ID:               sample.Spec.CampaignID,
		AccountName:      sample.Spec.AccountName,
		CampaignName:     sample.Name,
		SoftwareName:     sample.Name,
		DistributionType: "HTTP",
		Status:           simulator.StatusScheduled,
	}
}

func withSchedule(c *thingspace.Campaign, d thingspace.Dates) {
	c.StartDate, c.EndDate = d.StartDate, d.EndDate
	c.DownloadAfterDate, c.DownloadTimeWindowList = d.DownloadAfterDate, d.DownloadTimeWindowList
	c.InstallAfterDate, c.InstallTimeWindowList = d.InstallAfterDate, d.InstallTimeWindowList
}
