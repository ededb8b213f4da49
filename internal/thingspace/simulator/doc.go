// Package simulator owns an in-memory model of Verizon ThingSpace's Software Management (FOTA v2)
// API: the campaign endpoints, the device report and the campaign list, the OAuth2 token endpoint
// and the M2M session login, with the rules ThingSpace applies to PUT
// /campaigns/{acc}/{campaignId}/dates. The tests, `make dev` and the benchmarks talk to it over
// real HTTP; `go run ./hack/thingspace-sim` runs it on its own.
//
// It is an independent model of ThingSpace, written from ThingSpace's documentation: it shares no
// rule code with the operator (internal/campaign), so a mistake in the operator's rules shows up
// as a rejected request or a recorded Violation instead of being mirrored here.
//
// Besides answering like ThingSpace, a Server records every request (Requests, Count,
// MaxRequestsPerSecond), every refused login and client secret (FailedLogins,
// RejectedClientCredentials), every illegal or partial dates payload (Violations), and can be
// told to misbehave: InjectFault fails, slows or drops requests, or lets ThingSpace act and then
// spoils its reply (Fault.Alter: a list without campaignList, a POST reply about another account
// or campaign, or carrying an error); ExpireTokens ends every minted token; SetListLag keeps
// new campaigns out of the list for a while. Processes that cannot call Go methods use the same
// controls over HTTP under /_sim/ (see the admin section below).
//
// # A campaign's life
//
// A campaign scheduled with POST /campaigns/software/{acc} is CampaignRequestPending while
// ThingSpace checks it, for Options.AcceptDelay (DefaultAcceptDelay, one minute, unless set).
// Then it is CampaignRequestQueued, or CampaignRequestFailed when ThingSpace rejected every one
// of its devices (RejectDevices names the devices to reject and why). Its devices can be added
// and removed only while it is pending or queued. From its start date on (00:00 UTC) its accepted
// devices are UpgradePending, and a Rollout (SetRollout) makes them reach UpgradeSuccess or
// UpgradeFailed minute by minute until the end of its end date. A DELETE cancels it before the
// start and aborts it after, and every device not yet finished becomes CampaignCancelled or
// CampaignAborted.
//
// All of this is evaluated on Options.Clock whenever a campaign is read or changed: nothing runs
// in the background, so a test on a fake clock sees each change exactly when it moves the clock,
// and a rollout's counts follow from the minutes elapsed (see Rollout). A campaign added with Seed
// keeps the status it was given until something changes it, and has no devices until SetDevices.
//
// # Talking to a running simulator
//
// With `go run ./hack/thingspace-sim` (static tokens dev-access-token and dev-session-token,
// OAuth client dev-client-id / dev-client-secret, user dev-user / dev-password):
//
//	# read a campaign
//	curl -s http://127.0.0.1:8089/api/fota/v2/campaigns/0402196254-00001/60b5d639-ccdc-4db8-8824-069bd94c95bf \
//	  -H 'Authorization: Bearer dev-access-token' -H 'VZ-M2M-Token: dev-session-token'
//
//	# change its dates and windows (always the whole schedule)
//	curl -s -X PUT http://127.0.0.1:8089/api/fota/v2/campaigns/0402196254-00001/60b5d639-ccdc-4db8-8824-069bd94c95bf/dates \
//	  -H 'Authorization: Bearer dev-access-token' -H 'VZ-M2M-Token: dev-session-token' \
//	  -H 'Content-Type: application/json' \
//	  -d '{"startDate":"2026-12-01","endDate":"2026-12-07","downloadAfterDate":null,"downloadTimeWindowList":[{"startTime":3,"endTime":4}],"installAfterDate":null,"installTimeWindowList":[]}'
//
//	# the first page of the device report of the campaign in progress, then the next page
//	curl -s 'http://127.0.0.1:8089/api/fota/v2/reports/0402196254-00001/campaigns/2f6b3c0e-8a51-4d7e-9c3a-5b1e7d9f0a42/devices?lastSeenDeviceId=0' \
//	  -H 'Authorization: Bearer dev-access-token' -H 'VZ-M2M-Token: dev-session-token'
//	curl -s 'http://127.0.0.1:8089/api/fota/v2/reports/0402196254-00001/campaigns/2f6b3c0e-8a51-4d7e-9c3a-5b1e7d9f0a42/devices?lastSeenDeviceId=<lastSeenDeviceId of the page before>' \
//	  -H 'Authorization: Bearer dev-access-token' -H 'VZ-M2M-Token: dev-session-token'
//
//	# the account's scheduled campaigns
//	curl -s 'http://127.0.0.1:8089/api/fota/v2/reports/0402196254-00001/campaigns?campaignStatus=CampaignScheduled&lastSeenCampaignId=0' \
//	  -H 'Authorization: Bearer dev-access-token' -H 'VZ-M2M-Token: dev-session-token'
//
//	# mint an access token, then a session token with it
//	curl -s -u dev-client-id:dev-client-secret -d grant_type=client_credentials http://127.0.0.1:8089/api/ts/v1/oauth2/token
//	curl -s -X POST http://127.0.0.1:8089/api/m2m/v1/session/login -H 'Authorization: Bearer <access_token>' \
//	  -H 'Content-Type: application/json' -d '{"username":"dev-user","password":"dev-password"}'
//
// # Admin endpoints
//
// The /_sim/ endpoints have no authentication: the simulator is a test tool meant to listen on a
// loopback address, and anyone who can reach /_sim/ can read the recorded requests (tokens are
// masked and login passwords redacted there, but bodies are not otherwise filtered) and rewrite
// any campaign. `go run ./hack/thingspace-sim --help` prints the same list (AdminUsage):
//
//	GET    /_sim/requests                       every recorded ThingSpace request, oldest first
//	DELETE /_sim/requests                       forget the recorded requests (as ResetRequests)
//	GET    /_sim/campaigns                      every campaign, sorted by account and id
//	POST   /_sim/campaigns                      seed (add or replace) one campaign, a JSON campaign object
//	PUT    /_sim/campaigns/{acc}/{id}/schedule  set its dates and windows without any rule check (drift), a dates payload
//	PUT    /_sim/campaigns/{acc}/{id}/status    set its status without any rule check: {"status":"CampaignFailed"}
//	GET    /_sim/campaigns/{acc}/{id}/devices   its devices as the device report shows them now
//	PUT    /_sim/campaigns/{acc}/{id}/devices   replace its devices: {"devices":[{"deviceId":"...","status":"Accepted"}]} or {"generate":500}
//	PUT    /_sim/campaigns/{acc}/{id}/rollout   let its devices finish while it runs: {"succeedPerMinute":0.02,"failPerMinute":0.002,"since":"now"}
//	POST   /_sim/reject-devices                 reject devices in every campaign request from now on: {"reason":"...","deviceIds":["..."]}
//	POST   /_sim/faults                         queue a fault: {"kind":"dates","status":503,"times":2,"latency":"1s",...} or {"kind":"create","alter":"otherAccount"}
//	DELETE /_sim/faults                         clear every queued fault
//	GET    /_sim/violations                     every illegal or partial dates payload received
//	POST   /_sim/expire-tokens                  make every minted token invalid
//	GET    /_sim/credential-failures            refused logins and client credentials so far: {"failedLogins":1,"rejectedClientCredentials":0}
//	PUT    /_sim/list-lag                       hide campaigns scheduled less than lag ago from the list (as SetListLag): {"lag":"30s"}
//
// Examples, against the sample campaigns (a refused change answers 400, an unknown campaign 404):
//
//	# every campaign, and the devices of the campaign in progress
//	curl -s http://127.0.0.1:8089/_sim/campaigns
//	curl -s http://127.0.0.1:8089/_sim/campaigns/0402196254-00001/2f6b3c0e-8a51-4d7e-9c3a-5b1e7d9f0a42/devices
//	# drift: change the pending campaign's schedule behind the operator's back (the operator puts the spec back)
//	curl -s -X PUT http://127.0.0.1:8089/_sim/campaigns/0402196254-00001/60b5d639-ccdc-4db8-8824-069bd94c95bf/schedule -d '{"startDate":"2030-01-01","endDate":"2030-01-31","downloadAfterDate":null,"downloadTimeWindowList":[],"installAfterDate":null,"installTimeWindowList":[]}'
//	# ThingSpace fails the pending campaign
//	curl -s -X PUT http://127.0.0.1:8089/_sim/campaigns/0402196254-00001/60b5d639-ccdc-4db8-8824-069bd94c95bf/status -d '{"status":"CampaignFailed"}'
//	# from now on 5 % of the devices of the campaign in progress upgrade and 1 % fail each minute; give it 1000 new ones
//	curl -s -X PUT http://127.0.0.1:8089/_sim/campaigns/0402196254-00001/2f6b3c0e-8a51-4d7e-9c3a-5b1e7d9f0a42/rollout -d '{"succeedPerMinute":0.05,"failPerMinute":0.01,"failureReason":"RovaClientDownloadFailed","since":"now"}'
//	curl -s -X PUT http://127.0.0.1:8089/_sim/campaigns/0402196254-00001/2f6b3c0e-8a51-4d7e-9c3a-5b1e7d9f0a42/devices -d '{"generate":1000}'
//	# reject a device in every campaign scheduled from now on
//	curl -s -X POST http://127.0.0.1:8089/_sim/reject-devices -d '{"reason":"Device does not exist.","deviceIds":["990013907835573"]}'
//	# answer the next two dates PUTs with 429 and Retry-After: 2
//	curl -s -X POST http://127.0.0.1:8089/_sim/faults -d '{"kind":"dates","status":429,"retryAfter":"2","times":2}'
//	# the next POST schedules its campaign, but its reply names another account
//	curl -s -X POST http://127.0.0.1:8089/_sim/faults -d '{"kind":"create","alter":"otherAccount","times":1}'
//	# the campaign list shows a new campaign only 30 seconds after its POST
//	curl -s -X PUT http://127.0.0.1:8089/_sim/list-lag -d '{"lag":"30s"}'
//	# how many logins and token requests were refused for their credentials
//	curl -s http://127.0.0.1:8089/_sim/credential-failures
//	# what the operator sent, and forget it
//	curl -s http://127.0.0.1:8089/_sim/requests
//	curl -s -X DELETE http://127.0.0.1:8089/_sim/requests
package simulator
