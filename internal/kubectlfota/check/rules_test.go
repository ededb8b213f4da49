package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ruleCase is one manifest pair, checked with --base at now: base is the target branch's object
// (nil: the branch lacks it, the apply creates head), head the pull request's.
type ruleCase struct {
	base, head *unstructured.Unstructured
	now        string
	// want is the report without its summary line, each line after "head/manifest.yaml: ".
	want []string
	code int
	// static: the refusal is the CRD's (schema or CEL), which the API server gives on its own.
	static bool
}

// ruleCases has one row per static rule and per transition rule of design §2, §3, §7, §8 and §11,
// plus the warnings.
func ruleCases() map[string]ruleCase {
	const fc = "FotaCampaign default/model-a: "
	const fr = "FotaRollout default/model-a-03: "
	return map[string]ruleCase{
		// §2: the static rules of a FotaCampaign.
		"the reference campaign is accepted": {
			head: campaignObject(), now: pending, code: 0,
		},
		"accountName is required": {
			head: campaignObject(unset("accountName")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.accountName: Required value",
				fc + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"accountName is at most 64 characters": {
			head: campaignObject(set("accountName", strings.Repeat("a", 65))), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.accountName: Too long: may not be more than 64 bytes",
				fc + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"accountName is immutable": {
			base: campaignObject(), head: campaignObject(set("accountName", "0402196254-00002")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.accountName: Invalid value: \"0402196254-00002\": accountName is immutable: create a new FotaCampaign for another account",
			},
		},
		"campaignId is immutable": {
			base: campaignObject(), head: campaignObject(set("campaignId", "70b5d639-ccdc-4db8-8824-069bd94c95bf")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.campaignId: Invalid value: \"70b5d639-ccdc-4db8-8824-069bd94c95bf\": campaignId is immutable: create a new FotaCampaign for another campaign",
			},
		},
		"credentialsSecretRef.name is a Secret name": {
			head: campaignObject(set("credentialsSecretRef", map[string]any{"name": "Thingspace_Credentials"})), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.credentialsSecretRef.name: Invalid value: \"Thingspace_Credentials\": spec.credentialsSecretRef.name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
			},
		},
		"startDate is required": {
			head: campaignObject(unset("startDate")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.startDate: Required value",
				fc + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"a date is a real calendar date": {
			head: campaignObject(set("endDate", "2026-02-30")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.endDate: Invalid value: \"2026-02-30\": spec.endDate in body must be of type date: \"2026-02-30\"",
				fc + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"startDate is on or before endDate": {
			head: campaignObject(set("endDate", "2026-11-30")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.endDate: Invalid value: endDate must be on or after startDate",
				fc + "spec.downloadAfterDate: Invalid value: downloadAfterDate must be on or before endDate",
				fc + "spec.installAfterDate: Invalid value: installAfterDate must be on or before endDate",
			},
		},
		"downloadAfterDate is on or before endDate": {
			head: campaignObject(set("downloadAfterDate", "2026-12-08")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.downloadAfterDate: Invalid value: downloadAfterDate must be on or before endDate",
			},
		},
		"installAfterDate is on or before endDate": {
			head: campaignObject(set("installAfterDate", "2026-12-08")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.installAfterDate: Invalid value: installAfterDate must be on or before endDate",
			},
		},
		"a window starts at 23 at the latest": {
			head: campaignObject(set("downloadTimeWindowList", []any{window(24, 24)})), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.downloadTimeWindowList[0].startTime: Invalid value: 24: spec.downloadTimeWindowList[0].startTime in body should be less than or equal to 23",
				fc + "spec.downloadTimeWindowList[0]: Invalid value: startTime must be earlier than endTime; a window cannot cross midnight: split it into two windows, e.g. {startTime: 22, endTime: 24} and {startTime: 0, endTime: 2}",
			},
		},
		"a window ends at 1 at the earliest": {
			head: campaignObject(set("installTimeWindowList", []any{window(0, 0)})), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.installTimeWindowList[0].endTime: Invalid value: 0: spec.installTimeWindowList[0].endTime in body should be greater than or equal to 1",
				fc + "spec.installTimeWindowList[0]: Invalid value: startTime must be earlier than endTime; a window cannot cross midnight: split it into two windows, e.g. {startTime: 22, endTime: 24} and {startTime: 0, endTime: 2}",
			},
		},
		"a window cannot cross midnight": {
			head: campaignObject(set("downloadTimeWindowList", []any{window(22, 2)})), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.downloadTimeWindowList[0]: Invalid value: startTime must be earlier than endTime; a window cannot cross midnight: split it into two windows, e.g. {startTime: 22, endTime: 24} and {startTime: 0, endTime: 2}",
			},
		},
		"a list holds at most 24 windows": {
			head: campaignObject(set("downloadTimeWindowList", windows(25))), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.downloadTimeWindowList: Too many: 25: must have at most 24 items",
				fc + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"a window is listed once": {
			head: campaignObject(set("installTimeWindowList", []any{window(5, 6), window(5, 6)})), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.installTimeWindowList: Invalid value: installTimeWindowList must not list the same window twice",
			},
		},
		"an unknown field is refused": {
			head: campaignObject(set("startdate", "2026-12-01")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.startdate: Forbidden: strict decoding error: unknown field \"spec.startdate\"",
			},
		},

		// §7: scheduling, lifecycle and cancel.
		"a campaign that schedules its own is accepted": {
			head: campaignObject(scheduling), now: pending, code: 0,
		},
		"campaignId and software are not both set": {
			head: campaignObject(scheduling, set("campaignId", "60b5d639-ccdc-4db8-8824-069bd94c95bf")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec: Invalid value: set exactly one of campaignId (to manage a campaign that exists in ThingSpace) and software (to have the operator schedule a new one)",
			},
		},
		"campaignId or software is set": {
			head: campaignObject(unset("campaignId")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec: Invalid value: set exactly one of campaignId (to manage a campaign that exists in ThingSpace) and software (to have the operator schedule a new one)",
			},
		},
		"software needs devices": {
			head: campaignObject(scheduling, unset("devices")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.devices: Invalid value: devices is required with software: list the IMEIs of the devices the new campaign upgrades",
			},
		},
		"campaignName needs software": {
			head: campaignObject(set("campaignName", "model-a-wave1")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.campaignName: Invalid value: campaignName names a campaign the operator schedules: set it only together with software",
			},
		},
		"a device id is 1 to 32 letters and digits": {
			head: campaignObject(scheduling, set("devices", []any{"99001390783557-3"})), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.devices[0]: Invalid value: \"99001390783557-3\": spec.devices[0] in body should match '^[0-9A-Za-z]{1,32}$'",
			},
		},
		"a device is listed once": {
			head: campaignObject(scheduling, set("devices", []any{"990013907835573", "990013907835573"})), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.devices[1]: Duplicate value: \"990013907835573\"",
			},
		},
		"campaignName is immutable": {
			base: campaignObject(scheduling, set("campaignName", "model-a-wave1")),
			head: campaignObject(scheduling, set("campaignName", "model-a-wave2")), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.campaignName: Invalid value: \"model-a-wave2\": campaignName is immutable: ThingSpace cannot rename a campaign; create a new FotaCampaign to schedule another",
			},
		},
		"software is immutable": {
			base: campaignObject(scheduling),
			head: campaignObject(scheduling, func(spec map[string]any) { spec["software"].(map[string]any)["to"] = "FOTA_Verizon_Model-A_03To04_HF" }),
			now:  pending, code: 1, static: true,
			want: []string{
				fc + "spec.software: Invalid value: software is immutable: ThingSpace cannot change the software of a campaign; create a new FotaCampaign to schedule another",
			},
		},
		"campaignId cannot be removed for software": {
			base: campaignObject(), head: campaignObject(scheduling), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec: Invalid value: campaignId cannot be added or removed after creation: create a new FotaCampaign for another campaign",
				fc + "spec: Invalid value: software cannot be added or removed after creation: create a new FotaCampaign to schedule another campaign",
			},
		},
		"cancel cannot go back to false": {
			base: campaignObject(set("cancel", true)), head: campaignObject(set("cancel", false)), now: pending, code: 1, static: true,
			want: []string{
				fc + "spec.cancel: Forbidden: cancel cannot go back to false: a cancelled campaign cannot be resumed; schedule a new one",
			},
		},
		"deletionPolicy may change in any phase": {
			base: campaignObject(), head: campaignObject(set("deletionPolicy", "Cancel")), now: ended, code: 0,
		},
		"devices cannot change once ThingSpace scheduled the campaign": {
			base: withStatus(campaignObject(scheduling), map[string]any{"campaign": map[string]any{"id": "c-1", "status": "CampaignScheduled"}}),
			head: campaignObject(scheduling, set("devices", []any{"990013907835573"})), now: pending, code: 1,
			want: []string{
				fc + "spec.devices: Forbidden: the campaign is CampaignScheduled in ThingSpace: devices can only be added or removed until ThingSpace has scheduled it (CampaignRequestPending or CampaignRequestQueued); schedule another campaign for other devices",
			},
		},
		"devices may change while ThingSpace has the request pending": {
			base: withStatus(campaignObject(scheduling), map[string]any{"campaign": map[string]any{"id": "c-1", "status": "CampaignRequestPending"}}),
			head: campaignObject(scheduling, set("devices", []any{"990013907835573"})), now: pending, code: 0,
		},
		"a campaign that has recorded no id has no baseline": {
			base: campaignObject(scheduling), head: campaignObject(scheduling, set("startDate", "2026-11-01")), now: running, code: 0,
			want: []string{
				"Warning: " + fc + "startDate 2026-11-01 is in the past: this adopts a running campaign, and the in-progress rules will apply",
			},
		},

		// §8: the display time zone.
		"displayTimeZone is an IANA zone": {
			head: campaignObject(set("displayTimeZone", "Mars/Olympus")), now: pending, code: 1,
			want: []string{
				fc + "spec.displayTimeZone: Invalid value: \"Mars/Olympus\": must be an IANA time zone name such as America/Chicago, Europe/Berlin or UTC",
			},
		},

		// §3: the transition rules, against the base's phase at now.
		"a pending campaign may change everything": {
			base: campaignObject(),
			head: campaignObject(set("startDate", "2026-11-25"), set("downloadAfterDate", "2026-11-25"), set("downloadTimeWindowList", []any{window(7, 8)})),
			now:  pending, code: 0,
		},
		"a pending campaign's startDate moves to today or later": {
			base: campaignObject(), head: campaignObject(set("startDate", "2026-11-19"), set("downloadAfterDate", "2026-11-19")), now: pending, code: 1,
			want: []string{
				fc + "spec.startDate: Invalid value: \"2026-11-19\": the start date may only move to today (2026-11-20, UTC) or later",
			},
		},
		"a running campaign's window cannot be removed": {
			base: campaignObject(), head: campaignObject(set("downloadTimeWindowList", []any{window(7, 8)})), now: running, code: 1,
			want: []string{
				fc + "spec.downloadTimeWindowList: Forbidden: window {3,4} is part of the campaign that started on 2026-12-01 and cannot be removed; after the start ThingSpace only allows adding windows",
			},
		},
		"a running campaign's window cannot be widened in place": {
			base: campaignObject(), head: campaignObject(set("installTimeWindowList", []any{window(5, 8)})), now: running, code: 1,
			want: []string{
				fc + "spec.installTimeWindowList: Forbidden: window {5,6} is part of the campaign that started on 2026-12-01 and cannot be removed; after the start ThingSpace only allows adding windows (to widen it to {5,8}, keep {5,6} and add the extra hours as another window)",
			},
		},
		"a running campaign may add windows and move its end": {
			base: campaignObject(),
			head: campaignObject(set("endDate", "2026-12-20"), set("installTimeWindowList", []any{window(5, 6), window(7, 8)})),
			now:  running, code: 0,
		},
		"a running campaign's end moves to now + 24 h or later": {
			base: campaignObject(), head: campaignObject(set("endDate", "2026-12-03"), set("installAfterDate", "2026-12-02")), now: running, code: 1,
			want: []string{
				fc + "spec.endDate: Invalid value: \"2026-12-03\": the campaign started on 2026-12-01; after the start the end date may only move to 2026-12-04 or later (now + 24 h, UTC)",
			},
		},
		"a running campaign's startDate and after-dates stay": {
			base: campaignObject(),
			head: campaignObject(set("startDate", "2026-12-02"), set("downloadAfterDate", "2026-12-02"), set("installAfterDate", "2026-12-03")),
			now:  running, code: 1,
			want: []string{
				fc + "spec.startDate: Forbidden: startDate cannot change from 2026-12-01 to 2026-12-02: the campaign started on 2026-12-01; after the start ThingSpace only allows moving the end date and adding windows",
				fc + "spec.downloadAfterDate: Forbidden: downloadAfterDate cannot change from 2026-12-01 to 2026-12-02: the campaign started on 2026-12-01; after the start ThingSpace only allows moving the end date and adding windows",
				fc + "spec.installAfterDate: Forbidden: installAfterDate cannot change from 2026-12-02 to 2026-12-03: the campaign started on 2026-12-01; after the start ThingSpace only allows moving the end date and adding windows",
			},
		},
		"an ended campaign's schedule cannot change": {
			base: campaignObject(), head: campaignObject(set("endDate", "2026-12-20")), now: ended, code: 1,
			want: []string{
				fc + "spec.endDate: Forbidden: endDate cannot change from 2026-12-07 to 2026-12-20: the campaign ended on 2026-12-07; ThingSpace allows no schedule change after the end",
			},
		},
		"suspend may change in every phase": {
			base: campaignObject(), head: campaignObject(set("suspend", true)), now: ended, code: 0,
		},

		// §3: the warnings of a create and of an update.
		"a create of a running campaign warns that it adopts it": {
			head: campaignObject(), now: running, code: 0,
			want: []string{
				"Warning: " + fc + "startDate 2026-12-01 is in the past: this adopts a running campaign, and the in-progress rules will apply",
			},
		},
		"a create of a campaign that starts today warns": {
			head: campaignObject(), now: "2026-12-01T08:00:00Z", code: 0,
			want: []string{
				"Warning: " + fc + "startDate 2026-12-01 is today (UTC): the campaign has already started, and the in-progress rules will apply",
			},
		},
		"a create of an ended campaign warns": {
			head: campaignObject(), now: ended, code: 0,
			want: []string{
				"Warning: " + fc + "endDate 2026-12-07 is in the past: the campaign has ended, and ThingSpace allows no schedule change after the end",
			},
		},
		"an after-date before the start warns": {
			head: campaignObject(set("downloadAfterDate", "2026-11-28")), now: pending, code: 0,
			want: []string{
				"Warning: " + fc + "downloadAfterDate 2026-11-28 is before startDate 2026-12-01: devices act only once the campaign starts, so it has no effect",
			},
		},
		"overlapping windows warn": {
			head: campaignObject(set("downloadTimeWindowList", []any{window(3, 5), window(4, 6)})), now: pending, code: 0,
			want: []string{
				"Warning: " + fc + "downloadTimeWindowList: windows {3,5} and {4,6} overlap",
			},
		},
		"an update warns only of what it introduces": {
			base: campaignObject(set("downloadTimeWindowList", []any{window(3, 5), window(4, 6)})),
			head: campaignObject(set("downloadTimeWindowList", []any{window(3, 5), window(4, 6)}), set("installTimeWindowList", []any{window(5, 7), window(6, 8)})),
			now:  pending, code: 0,
			want: []string{
				"Warning: " + fc + "installTimeWindowList: windows {5,7} and {6,8} overlap",
			},
		},

		// §11: the static rules of a FotaRollout.
		"the reference rollout is accepted": {
			head: rolloutObject(), now: pending, code: 0,
		},
		"a rollout needs a fleet": {
			head: rolloutObject(unset("devices")), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec: Invalid value: a rollout needs a fleet: set devices, devicesFrom or both",
			},
		},
		"a rollout has at least one wave": {
			head: rolloutObject(set("waves", []any{})), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.waves: Invalid value: 0: spec.waves in body should have at least 1 items",
				fr + "spec.waves: Invalid value: \"array\": index out of bounds: -1 evaluating rule: the last wave must be percent: 100, so that the rollout reaches the whole fleet",
			},
		},
		"a rollout has at most 20 waves": {
			head: rolloutObject(set("waves", percentWaves(21))), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.waves: Too many: 21: must have at most 20 items",
				fr + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"a wave sets devices or percent": {
			head: rolloutObject(set("waves", []any{map[string]any{"devices": int64(10), "percent": int64(10)}, map[string]any{"percent": int64(100)}})), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.waves[0]: Invalid value: a wave sets exactly one of devices (a number of devices, e.g. a canary of 10) and percent (a share of the fleet)",
			},
		},
		"a wave has at most 1000000 devices": {
			head: rolloutObject(set("waves", []any{map[string]any{"devices": int64(1000001)}, map[string]any{"percent": int64(100)}})), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.waves[0].devices: Invalid value: 1000001: spec.waves[0].devices in body should be less than or equal to 1000000",
			},
		},
		"a wave's percent is 1 to 100": {
			head: rolloutObject(set("waves", []any{map[string]any{"percent": int64(0)}, map[string]any{"percent": int64(100)}})), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.waves[0].percent: Invalid value: 0: spec.waves[0].percent in body should be greater than or equal to 1",
			},
		},
		"the last wave is percent 100": {
			head: rolloutObject(set("waves", []any{map[string]any{"devices": int64(10)}, map[string]any{"percent": int64(50)}})), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.waves: Invalid value: the last wave must be percent: 100, so that the rollout reaches the whole fleet",
			},
		},
		"a rollout's accountName is immutable": {
			base: rolloutObject(), head: rolloutObject(set("accountName", "0402196254-00002")), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.accountName: Invalid value: \"0402196254-00002\": accountName is immutable: create a new FotaRollout for another account",
			},
		},
		"a rollout's software is immutable": {
			base: rolloutObject(),
			head: rolloutObject(func(spec map[string]any) { spec["software"].(map[string]any)["to"] = "FOTA_Verizon_Model-A_03To04_HF" }),
			now:  pending, code: 1, static: true,
			want: []string{
				fr + "spec.software: Invalid value: software is immutable: a rollout installs one upgrade; create a new FotaRollout for another",
			},
		},
		"abort cannot go back to false": {
			base: rolloutObject(set("abort", true)), head: rolloutObject(set("abort", false)), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.abort: Forbidden: abort cannot go back to false: an aborted rollout cannot be resumed; create a new FotaRollout",
			},
		},
		"approvedWaves is not negative": {
			head: rolloutObject(set("approvedWaves", -1)), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.approvedWaves: Invalid value: -1: spec.approvedWaves in body should be greater than or equal to 0",
			},
		},
		"soakTime is at most 720h": {
			head: rolloutObject(set("gate", map[string]any{"soakTime": "721h"})), now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.gate.soakTime: Invalid value: \"721h\": soakTime must be at most 720h (30 days)",
			},
		},
		"release days are Mon to Sun": {
			head: rolloutObject(func(spec map[string]any) {
				spec["releaseWindows"].(map[string]any)["windows"] = []any{map[string]any{"days": []any{"Monday"}, "startTime": int64(9), "endTime": int64(16)}}
			}),
			now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.releaseWindows.windows[0].days[0]: Unsupported value: \"Monday\": supported values: \"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"",
				fr + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"blackout dates are real dates": {
			head: rolloutObject(func(spec map[string]any) {
				spec["releaseWindows"].(map[string]any)["blackoutDates"] = []any{"2026-12-32"}
			}),
			now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.releaseWindows.blackoutDates[0]: Invalid value: \"2026-12-32\": spec.releaseWindows.blackoutDates[0] in body must be of type date: \"2026-12-32\"",
				fr + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},
		"at most 100 blackout dates": {
			head: rolloutObject(func(spec map[string]any) {
				dates := make([]any, 0, 101)
				for day := range 101 {
					dates = append(dates, time.Date(2027, 1, 1+day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
				}
				spec["releaseWindows"].(map[string]any)["blackoutDates"] = dates
			}),
			now: pending, code: 1, static: true,
			want: []string{
				fr + "spec.releaseWindows.blackoutDates: Too many: 101: must have at most 100 items",
				fr + "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
			},
		},

		// §11: the rules of the rollout webhook.
		"a rollout's name leaves room for its campaigns' names": {
			head: rolloutNamed(strings.Repeat("r", 51)), now: pending, code: 1, static: true,
			want: []string{
				"FotaRollout default/" + strings.Repeat("r", 51) + ": <nil>: Invalid value: metadata.name must be at most 50 characters: the wave campaigns are named <rollout>-w<wave>-<chunk>",
			},
		},
		"waves of the same kind grow": {
			head: rolloutObject(set("waves", []any{map[string]any{"percent": int64(10)}, map[string]any{"percent": int64(10)}, map[string]any{"percent": int64(100)}})), now: pending, code: 1,
			want: []string{
				fr + "spec.waves[1]: Invalid value: \"percent: 10\": wave 2 must be larger than wave 1 (percent: 10): a wave grows the rollout to its size, so waves of the same kind that follow each other must grow",
			},
		},
		"the release time zone is an IANA zone": {
			head: rolloutObject(func(spec map[string]any) { spec["releaseWindows"].(map[string]any)["timeZone"] = "Europe/Atlantis" }), now: pending, code: 1,
			want: []string{
				fr + "spec.releaseWindows.timeZone: Invalid value: \"Europe/Atlantis\": must be an IANA time zone name such as Europe/Berlin, America/New_York or UTC",
			},
		},
		"a started wave cannot change": {
			base: withStatus(rolloutObject(), map[string]any{"currentWave": int64(1)}),
			head: rolloutObject(set("waves", []any{map[string]any{"devices": int64(20)}, map[string]any{"percent": int64(10)}, map[string]any{"percent": int64(100)}})),
			now:  pending, code: 1,
			want: []string{
				fr + "spec.waves[0]: Forbidden: wave 1 started as devices: 10 and cannot change to devices: 20; change only the waves after wave 1, which have not started",
			},
		},
		"waves after the started ones may change": {
			base: withStatus(rolloutObject(), map[string]any{"currentWave": int64(1)}),
			head: rolloutObject(set("waves", []any{map[string]any{"devices": int64(10)}, map[string]any{"percent": int64(50)}, map[string]any{"percent": int64(100)}})),
			now:  pending, code: 0,
		},
	}
}

func percentWaves(n int) []any {
	waves := make([]any, 0, n)
	for i := range n {
		waves = append(waves, map[string]any{"percent": int64(100 - n + 1 + i)})
	}
	return waves
}

func rolloutNamed(name string) *unstructured.Unstructured {
	obj := rolloutObject()
	obj.SetName(name)
	return obj
}

// TestCheckRules runs check with --base on each manifest pair and compares the report and the exit
// code with what a user must see.
func TestCheckRules(t *testing.T) {
	for reason, tc := range ruleCases() {
		t.Run(reason, func(t *testing.T) {
			t.Chdir(t.TempDir())
			writeFile(t, "base/README.md", "the target branch\n")
			if tc.base != nil {
				writeManifest(t, "base", "manifest.yaml", tc.base)
			}
			writeManifest(t, "head", "manifest.yaml", tc.head)

			got := run(t, "", "check", "-f", "head/", "--base", "base/", "--now", tc.now)

			var lines []string
			for _, line := range got.lines()[:len(got.lines())-1] {
				lines = append(lines, strings.Replace(line, "head/manifest.yaml: ", "", 1))
			}
			if diff := cmp.Diff(tc.want, lines); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if got.code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", got.code, tc.code, got.stderr)
			}
		})
	}
}
