// Package simulator owns an in-memory model of Verizon ThingSpace's Software Management (FOTA v2)
// API: the campaign endpoints, the OAuth2 token endpoint and the M2M session login, with the
// rules ThingSpace applies to PUT /campaigns/{acc}/{campaignId}/dates. The tests, `make dev` and
// the benchmarks talk to it over real HTTP; `go run ./hack/thingspace-sim` runs it on its own.
//
// It is an independent model of ThingSpace, written from ThingSpace's documentation: it shares no
// rule code with the operator (internal/campaign), so a mistake in the operator's rules shows up
// as a rejected request or a recorded Violation instead of being mirrored here.
//
// Besides answering like ThingSpace, a Server records every request (Requests, Count,
// MaxRequestsPerSecond), every illegal or partial dates payload (Violations), and can be told to
// misbehave (InjectFault, ExpireTokens). Processes that cannot call Go methods use the same
// controls over HTTP under /_sim/ (see the admin section below).
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
// any campaign.
//
//	GET    /_sim/requests       every recorded ThingSpace request, oldest first
//	DELETE /_sim/requests       forget the recorded requests (as ResetRequests)
//	GET    /_sim/campaigns      every campaign, sorted by account and id
//	POST   /_sim/campaigns      seed (add or replace) one campaign, a JSON campaign object
//	POST   /_sim/faults         queue a fault: {"kind":"dates","status":503,"times":2,"latency":"1s",...}
//	DELETE /_sim/faults         clear every queued fault
//	GET    /_sim/violations     every illegal or partial dates payload received
//	POST   /_sim/expire-tokens  make every minted token invalid
//
//	curl -s http://127.0.0.1:8089/_sim/requests
//	curl -s -X POST http://127.0.0.1:8089/_sim/faults -d '{"kind":"dates","status":429,"retryAfter":"2","times":1}'
package simulator
